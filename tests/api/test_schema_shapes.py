"""The API schema shows the output shapes of the main endpoints, and they are the shapes the
endpoints really answer with (same field names)."""

import pytest

from autolabel.jobs import job_create
from autolabel.models import Job
from labeler.models import Project


@pytest.fixture
def schema(client) -> dict:
    answer = client.get("/api/schema/", {"format": "json"})
    assert answer.status_code == 200
    return answer.json()


def response_fields(schema: dict, path: str, method: str, status: int) -> set[str]:
    content = schema["paths"][path][method]["responses"][str(status)]["content"]
    body = content["application/json"]["schema"]
    if body.get("type") == "array":
        body = body["items"]
    name = body["$ref"].rsplit("/", 1)[1]
    properties = schema["components"]["schemas"][name]["properties"]
    assert properties, name
    return set(properties)


def test_project_and_file_shapes(client, schema, project, uploaded_file):
    assert response_fields(schema, "/api/projects/", "get", 200) == set(
        client.get("/api/projects/").json()[0]
    )
    assert response_fields(schema, "/api/projects/", "post", 201) == set(project)
    detail = client.get(f"/api/projects/{project['id']}/").json()
    assert response_fields(schema, "/api/projects/{project_id}/", "get", 200) == set(detail)
    file_detail = client.get(f"/api/files/{uploaded_file['id']}/").json()
    assert response_fields(schema, "/api/files/{file_id}/", "get", 200) == set(file_detail)


def test_annotation_shapes(client, schema, uploaded_file):
    path = f"/api/files/{uploaded_file['id']}/annotations/"
    created = client.post(path, {"label": "Walk", "start": 1, "end": 2}, format="json").json()
    listed = client.get(path).json()
    template = "/api/files/{file_id}/annotations/"
    assert response_fields(schema, template, "post", 201) == set(created)
    assert response_fields(schema, template, "get", 200) == set(listed)
    annotation_schema = schema["components"]["schemas"]["FileStateShape"]["properties"]
    item = annotation_schema["annotations"]["items"]["$ref"].rsplit("/", 1)[1]
    assert set(schema["components"]["schemas"][item]["properties"]) == set(listed["annotations"][0])


def test_job_shape(client, schema, user, project):
    job = job_create(kind=Job.Kind.TRAIN, user=user, project=Project.objects.get(pk=project["id"]))
    answer = client.get(f"/api/jobs/{job.id}/").json()
    assert response_fields(schema, "/api/jobs/{job_id}/", "get", 200) == set(answer)
    assert response_fields(schema, "/api/projects/{project_id}/train/", "post", 202) == set(answer)
