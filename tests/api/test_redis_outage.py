"""Redis down: a clear 503, and nothing that was acknowledged is lost."""

import pytest

from tests.servers import RedisServer, ServerUnavailable
from tests.working_state.test_redis_durability import _restart

pytestmark = pytest.mark.redis


@pytest.fixture
def own_redis(settings):
    from tests.conftest import unavailable

    try:
        server = RedisServer.start()
    except ServerUnavailable as error:
        unavailable(str(error))
    settings.WORKING_STATE_BACKEND = "redis"
    settings.REDIS_URL = server.url
    yield server
    server.stop()


def test_outage_answers_503_and_keeps_acknowledged_edits(client, uploaded_file, own_redis):
    file_id = uploaded_file["id"]
    path = f"/api/files/{file_id}/annotations/"
    acknowledged = client.post(path, {"label": "Walk", "start": 1, "end": 2}, format="json")
    assert acknowledged.status_code == 201

    own_redis.process.terminate()
    own_redis.process.wait()
    refused = client.post(path, {"label": "Walk", "start": 3, "end": 4}, format="json")
    assert refused.status_code == 503
    assert "unreachable" in refused.json()["error"]
    assert client.get(path).status_code == 503
    assert client.post(f"/api/files/{file_id}/save/").status_code == 503

    _restart(own_redis)
    listed = client.get(path).json()["annotations"]
    assert [a["id"] for a in listed] == [acknowledged.json()["id"]]
