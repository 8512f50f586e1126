from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.health import health

urlpatterns = [
    path("", include("labeler.ui_urls")),
    path("health", health, name="health"),
    path("", include("autolabel.labelstudio.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("labeler.urls")),
    path("api/", include("autolabel.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI behind the login page; its init script is a file of its own (no inline script).
    path(
        "api/docs/",
        login_required(SpectacularSwaggerSplitView.as_view(url_name="api-schema")),
        name="api-docs",
    ),
]

handler404 = "labeler.api_errors.json_not_found"
handler500 = "labeler.api_errors.json_server_error"
