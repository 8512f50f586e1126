"""Live updates: every edit made through the API reaches the open views of its file, in order,
on the in-memory channel layer (embedded setup) and on the Redis one (production)."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator

from labeler.consumers import FileChangesConsumer
from labeler.realtime import broadcasts_flush

# The consumer closes database connections after its checks: only real commits survive that.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["memory", "redis"])
def channel_layer(request, settings):
    if request.param == "memory":
        settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    else:
        server = request.getfixturevalue("redis_server")
        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
                "CONFIG": {"hosts": [server.url]},
            }
        }
    return request.param


def _view_of(file_id: int, user) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(FileChangesConsumer.as_asgi(), f"/ws/files/{file_id}/")
    communicator.scope["user"] = user
    communicator.scope["url_route"] = {"kwargs": {"file_id": file_id}}
    return communicator


def test_every_edit_reaches_an_open_view_in_order(channel_layer, client, user, uploaded_file):
    file_id = uploaded_file["id"]
    url = f"/api/files/{file_id}/annotations/"

    async def scenario():
        view = _view_of(file_id, user)
        connected, _ = await view.connect()
        assert connected
        created = await sync_to_async(client.post)(
            url, {"label": "Walk", "start": 1, "end": 2}, format="json"
        )
        assert created.status_code == 201, created.content
        annotation_id = created.json()["id"]
        for end in range(3, 13):
            answer = await sync_to_async(client.patch)(
                f"{url}{annotation_id}/", {"end": end}, format="json"
            )
            assert answer.status_code == 200, answer.content
        await sync_to_async(broadcasts_flush)()
        messages = [await view.receive_json_from(timeout=5) for _ in range(11)]
        assert await view.receive_nothing(timeout=0.2)
        await view.disconnect()
        return annotation_id, messages

    annotation_id, messages = async_to_sync(scenario)()
    assert [m["version"] for m in messages] == list(range(1, 12))
    assert all(m["file"] == file_id and m["author"] == "alice" for m in messages)
    assert [m["changed"][annotation_id]["end"] for m in messages] == [2, *range(3, 13)]


def test_a_non_member_cannot_watch_a_file(channel_layer, other_user, uploaded_file):
    async def scenario():
        view = _view_of(uploaded_file["id"], other_user)
        connected, code = await view.connect()
        await view.disconnect()
        return connected, code

    connected, code = async_to_sync(scenario)()
    assert not connected
    assert code == 4403
