"""Redis down: a clear 503, and nothing that was acknowledged is lost."""

import pytest

pytestmark = pytest.mark.redis


@pytest.fixture
def app_on_own_redis(settings, own_redis):
    settings.WORKING_STATE_BACKEND = "redis"
    settings.REDIS_URL = own_redis.url
    return own_redis


def test_outage_answers_503_and_keeps_acknowledged_edits(client, uploaded_file, app_on_own_redis):
    own_redis = app_on_own_redis
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

    own_redis.restart()
    listed = client.get(path).json()["annotations"]
    assert [a["id"] for a in listed] == [acknowledged.json()["id"]]
