from django.urls import path

from labeler.consumers import FileChangesConsumer

websocket_urlpatterns = [
    path("ws/files/<int:file_id>/", FileChangesConsumer.as_asgi()),
]
