"""Schemathesis over the published OpenAPI schema (drf-spectacular, as /api/schema/ serves it):
for every operation, requests generated from the schema and beyond it never answer 5xx. Path
ids point at a real project, file and annotation so bodies reach the services; the requests go
through Django's test client (in process, inside the test's transaction)."""

import json
from urllib.parse import urlencode

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings

from tests.api.conftest import api_client_for, upload
from tests.factories import numeric_csv


def _operations():
    from drf_spectacular.generators import SchemaGenerator

    raw = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(json.loads(json.dumps(raw, default=str)))
    return {result.ok().label: result.ok() for result in schema.get_all_operations()}


OPERATIONS = _operations()


@pytest.fixture
def real_ids(user, project):
    client = api_client_for(user)
    file = upload(client, project["id"], ("walk.csv", numeric_csv()), expect=201).json()
    file_id = file["results"][0]["file"]["id"]
    body = {"label": "Walk", "start": 1, "end": 2}
    annotation = client.post(f"/api/files/{file_id}/annotations/", body, format="json").json()
    return {"project_id": project["id"], "file_id": file_id, "annotation_id": annotation["id"]}


def _multipart_value(value):
    if isinstance(value, bytes):
        return SimpleUploadedFile("upload.csv", value)
    if isinstance(value, list):
        return [_multipart_value(item) for item in value]
    return value if isinstance(value, str) else json.dumps(value)


def send(client, case):
    path = case.formatted_path
    if case.query:
        path += "?" + urlencode(case.query, doseq=True)
    method = getattr(client, case.method.lower())
    if case.body is None or case.method == "GET":
        return method(path)
    media = case.media_type or "application/json"
    if media.startswith("multipart/") and isinstance(case.body, dict):
        data = {k: _multipart_value(v) for k, v in case.body.items()}
        return method(path, data, format="multipart")
    if media == "application/x-www-form-urlencoded" and isinstance(case.body, dict):
        return method(path, urlencode(case.body, doseq=True), content_type=media)
    return method(path, json.dumps(case.body, default=str), content_type="application/json")


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_no_operation_answers_5xx(user, real_ids, label):
    client = api_client_for(user)
    client.raise_request_exception = False

    @given(case=OPERATIONS[label].as_strategy())
    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        for name in ("project_id", "file_id", "annotation_id"):
            if name in (case.path_parameters or {}):
                case.path_parameters[name] = real_ids[name]
        response = send(client, case)
        assert response.status_code < 500, (label, case.body, case.query, response.content[:300])

    check()
