from django.urls import path

from autolabel.labelstudio import views

urlpatterns = [
    path("setup", views.setup, name="ls-setup"),
    path("predict", views.predict, name="ls-predict"),
    path("webhook", views.webhook, name="ls-webhook"),
    path("train", views.train, name="ls-train"),
    path("metrics", views.metrics, name="ls-metrics"),
]
