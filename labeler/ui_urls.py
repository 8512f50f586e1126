"""URLs of the browser UI: the labeling screen at /, login/logout, and django-plotly-dash's
views (login required and the callback view CSRF-protected: labeler.dash_ui.access; callback
bodies checked against the registered callbacks first: labeler.dash_guard)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from labeler import views

urlpatterns = [
    path("", views.labeling_page, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("django_plotly_dash/", include("django_plotly_dash.urls")),
]
