"""Relays working-state changes of one file to the browsers that show it."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from labeler.realtime import file_group_name


class FileChangesConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        self.file_id = self.scope["url_route"]["kwargs"]["file_id"]
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not await self._may_see(user):
            await self.close(code=4403)
            return
        self.group = file_group_name(self.file_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def file_changed(self, event):
        await self.send_json({key: value for key, value in event.items() if key != "type"})

    @database_sync_to_async
    def _may_see(self, user) -> bool:
        from labeler.models import SeriesFile

        return SeriesFile.objects.filter(pk=self.file_id, project__memberships__user=user).exists()
