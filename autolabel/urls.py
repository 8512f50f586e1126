from django.urls import path

from autolabel import apis

urlpatterns = [
    path("models/", apis.ModelListApi.as_view(), name="model-list"),
    path("models/<int:model_id>/", apis.ModelDetailApi.as_view(), name="model-detail"),
]
