import json
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from labeler import storage
from labeler.models import Annotation, SeriesFile
from tests.factories import numeric_csv

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo" / "basicmotions"
LABELS = [
    {"name": "Walk", "kind": "range"},
    {"name": "Run", "kind": "both"},
    {"name": "Fall", "kind": "instant"},
]


def api_client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def client(request, user):
    """The user's API client; in tests marked answers_server_errors a server error comes back as
    its 500 (for asserting that none happens) instead of being raised in the test."""
    client = api_client_for(user)
    client.raise_request_exception = not request.node.get_closest_marker("answers_server_errors")
    return client


@pytest.fixture
def other_client(other_user):
    return api_client_for(other_user)


@pytest.fixture
def project(client):
    response = client.post("/api/projects/", {"name": "Gait", "labels": LABELS}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def upload(client, project_id, *files, expect=None):
    """files: (name, bytes) pairs -> the JSON answer."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    payload = {"files": [SimpleUploadedFile(name, content, "text/csv") for name, content in files]}
    response = client.post(f"/api/projects/{project_id}/files/", payload, format="multipart")
    if expect is not None:
        assert response.status_code == expect, response.content
    return response


@pytest.fixture
def uploaded_file(client, project):
    """A 200-row numeric file (time 0.0 .. 19.9 s)."""
    answer = upload(client, project["id"], ("walk.csv", numeric_csv()), expect=201).json()
    return answer["results"][0]["file"]


def storage_snapshot() -> dict:
    """What must not change when a request is refused."""
    files_root = storage.media_root() / "files"
    return {
        "files": sorted(SeriesFile.objects.values_list("id", "name", "checksum", "rows")),
        "annotations": sorted(Annotation.objects.values_list("id", "label", "start", "end")),
        "stored": sorted(str(p.relative_to(files_root)) for p in files_root.rglob("*"))
        if files_root.exists()
        else [],
    }


def media_listing() -> list[str]:
    """Every file kept under MEDIA_ROOT (upload temporary files aside), relative."""
    root = storage.media_root()
    return sorted(
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and path.relative_to(root).parts[0] != "tmp"
    )


def upload_one(client, project_id, name, content=None) -> dict:
    answer = upload(client, project_id, (name, content or numeric_csv()), expect=201).json()
    return answer["results"][0]["file"]


def dash_call(person, output: tuple, inputs: list, state: list) -> dict:
    """One Dash callback request from the screen of a logged-in person -> its response."""
    screen = Client(enforce_csrf_checks=True)
    screen.force_login(person)
    assert screen.get("/").status_code == 200

    def props(items):
        return [{"id": i, "property": p, "value": v} for i, p, v in items]

    body = {
        "output": f"{output[0]}.{output[1]}",
        "outputs": {"id": output[0], "property": output[1]},
        "inputs": props(inputs),
        "changedPropIds": [f"{inputs[0][0]}.{inputs[0][1]}"],
        "state": props(state),
    }
    answer = screen.post(
        "/django_plotly_dash/app/labeler/_dash-update-component",
        json.dumps(body),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=screen.cookies["_csrf_token"].value,
    )
    assert answer.status_code == 200, answer.content[:300]
    return answer.json()["response"][output[0]][output[1]]
