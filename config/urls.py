from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.health import health

urlpatterns = [
    path("", include("labeler.ui_urls")),
    path("health", health, name="health"),
    path("", include("autolabel.labelstudio.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("labeler.urls")),
    path("api/", include("autolabel.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

handler404 = "labeler.api_errors.json_not_found"
handler500 = "labeler.api_errors.json_server_error"
