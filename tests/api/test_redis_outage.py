"""Redis down: a clear 503, and nothing that was acknowledged is lost."""

import json

import pytest
from rest_framework.test import APIClient

from labeler.dash_ui import ids
from tests.api.conftest import dash_call

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


def test_health_names_the_unreachable_working_state(db, app_on_own_redis):
    anonymous = APIClient()
    up = anonymous.get("/health")
    assert up.status_code == 200
    assert up.json() == {
        "status": "UP",
        "model_class": "TimeSeriesSegmenter",
        "database": "ok",
        "working_state": "ok",
    }

    app_on_own_redis.process.terminate()
    app_on_own_redis.process.wait()
    down = anonymous.get("/health")
    assert down.status_code == 503
    assert down.json()["status"] == "DOWN"
    assert down.json()["database"] == "ok"
    assert down.json()["working_state"] == "unreachable"

    app_on_own_redis.restart()
    assert anonymous.get("/health").status_code == 200


def test_file_list_shows_unknown_unsaved_state_during_an_outage(
    user, uploaded_file, app_on_own_redis
):
    app_on_own_redis.process.terminate()
    app_on_own_redis.process.wait()
    inputs = [
        (ids.PROJECT_STORE, "data", {"id": uploaded_file["project"]}),
        (ids.FILE_SEARCH, "value", ""),
        (ids.FILES_REFRESH, "data", None),
        (ids.SAVE_RESULT, "data", None),
        (ids.SAVE_ALL_RESULT, "data", None),
        (ids.FILE_STORE, "data", None),
    ]
    shown = json.dumps(dash_call(user, (ids.FILE_LIST, "children"), inputs, []))
    assert uploaded_file["name"] in shown
    assert "unsaved changes unknown" in shown
