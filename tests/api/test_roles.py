"""Every write endpoint run as the project's owner, an annotator, a reviewer and a non-member.

RIGHTS mirrors the table in docs/decisions.md ("Roles"): an allowed role gets anything but 403
(a 4xx for another reason is fine: the request reached past the permission check); a refused
role gets 403 with a reason; a non-member gets 404, as if the project did not exist."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from autolabel.models import Job, TrainedModel
from labeler.dash_ui import ids
from labeler.models import Project, ProjectMembership
from tests.api.conftest import api_client_for, dash_call, upload
from tests.factories import UserFactory, numeric_csv

OWNER, ANNOTATOR, REVIEWER = "owner", "annotator", "reviewer"
EVERY_ROLE = {OWNER, ANNOTATOR, REVIEWER}

# endpoint: (method, path, body maker, roles allowed)
RIGHTS = {
    "rename project": ("patch", "/api/projects/{project}/", lambda c: {"name": "New"}, {OWNER}),
    "delete project": ("delete", "/api/projects/{project}/", None, {OWNER}),
    "add member": (
        "post",
        "/api/projects/{project}/members/",
        lambda c: {"username": "erin", "role": "reviewer"},
        {OWNER},
    ),
    "upload files": (
        "post",
        "/api/projects/{project}/files/",
        lambda c: {"files": [SimpleUploadedFile("new.csv", numeric_csv(), "text/csv")]},
        {OWNER, ANNOTATOR},
    ),
    "import files": (
        "post",
        "/api/projects/{project}/imports/",
        lambda c: {"paths": ["missing.csv"]},
        {OWNER, ANNOTATOR},
    ),
    "delete file": ("delete", "/api/files/{file}/", None, {OWNER}),
    "create label": (
        "post",
        "/api/files/{file}/annotations/",
        lambda c: {"label": "Walk", "start": 3, "end": 4},
        EVERY_ROLE,
    ),
    "edit label": (
        "patch",
        "/api/files/{file}/annotations/{annotation}/",
        lambda c: {"end": 5},
        EVERY_ROLE,
    ),
    "delete label": ("delete", "/api/files/{file}/annotations/{annotation}/", None, EVERY_ROLE),
    "label changes": (
        "post",
        "/api/files/{file}/changes/",
        lambda c: {"changes": [{"op": "update", "id": c["annotation"], "annotation": {"end": 6}}]},
        EVERY_ROLE,
    ),
    "save file": ("post", "/api/files/{file}/save/", None, EVERY_ROLE),
    "save all": ("post", "/api/projects/{project}/save-all/", None, EVERY_ROLE),
    "download outputs": (
        "post",
        "/api/projects/{project}/outputs/download/",
        lambda c: {"files": [c["file"]]},
        EVERY_ROLE,
    ),
    "train": (
        "post",
        "/api/projects/{project}/train/",
        lambda c: {"name": "m"},
        {OWNER, ANNOTATOR},
    ),
    "auto-label": (
        "post",
        "/api/files/{file}/autolabel/",
        lambda c: {"model": c["model"]},
        {OWNER, ANNOTATOR},
    ),
    "cancel job": ("post", "/api/jobs/{job}/cancel/", None, {OWNER, ANNOTATOR}),
    "upload model": (
        "post",
        "/api/models/",
        lambda c: {
            "name": "m",
            "project": c["project"],
            "file": SimpleUploadedFile("m.pt", b"not a checkpoint"),
        },
        {OWNER, ANNOTATOR},
    ),
    "delete model": ("delete", "/api/models/{model}/", None, {OWNER}),
}
MULTIPART = {"upload files", "upload model"}


@pytest.fixture
def setting(client, user, project, settings, tmp_path):
    """A project of alice's with bob (annotator), carol (reviewer), dave (not a member), a file
    with one label, a model and a queued training job."""
    settings.IMPORT_ROOT = str(tmp_path)
    project_row = Project.objects.get(pk=project["id"])
    people = {OWNER: user}
    for name, role in (("bob", ANNOTATOR), ("carol", REVIEWER)):
        people[role] = UserFactory(username=name)
        ProjectMembership.objects.create(project=project_row, user=people[role], role=role)
    people[None] = UserFactory(username="dave")
    UserFactory(username="erin")
    answer = upload(client, project["id"], ("walk.csv", numeric_csv()), expect=201).json()
    file_id = answer["results"][0]["file"]["id"]
    label = client.post(
        f"/api/files/{file_id}/annotations/", {"label": "Walk", "start": 1, "end": 2}, format="json"
    ).json()
    model = TrainedModel.objects.create(
        name="old", project=project_row, source=TrainedModel.Source.UPLOADED, created_by=user
    )
    job = Job.objects.create(kind=Job.Kind.TRAIN, created_by=user, project=project_row)
    keys = {
        "project": project["id"],
        "file": file_id,
        "annotation": label["id"],
        "model": model.id,
        "job": job.id,
    }
    return people, keys


@pytest.mark.parametrize("role", [OWNER, ANNOTATOR, REVIEWER, None])
@pytest.mark.parametrize("endpoint", list(RIGHTS))
def test_every_write_endpoint_follows_the_roles_table(setting, endpoint, role):
    people, keys = setting
    method, path, body, allowed = RIGHTS[endpoint]
    request = getattr(api_client_for(people[role]), method)
    kwargs = {"format": "multipart" if endpoint in MULTIPART else "json"}
    if body is not None:
        kwargs["data"] = body(keys)
    answer = request(path.format(**keys), **kwargs)

    if role is None:
        assert answer.status_code == 404, answer.content
    elif role in allowed:
        assert answer.status_code != 403 and answer.status_code < 500, answer.content
    else:
        assert answer.status_code == 403, answer.content
        assert role in answer.json()["error"]


def test_the_last_owner_cannot_step_down(client, user, project):
    answer = client.post(
        f"/api/projects/{project['id']}/members/",
        {"username": user.username, "role": "annotator"},
        format="json",
    )
    assert answer.status_code == 409
    assert "no owner" in answer.json()["error"]


def test_an_owner_can_make_a_reviewer(client, other_client, project):
    answer = client.post(
        f"/api/projects/{project['id']}/members/",
        {"username": "bob", "role": "reviewer"},
        format="json",
    )
    assert answer.status_code == 201
    assert answer.json()["role"] == "reviewer"
    assert other_client.get(f"/api/projects/{project['id']}/").json()["role"] == "reviewer"


def test_the_screen_refuses_a_reviewers_training_and_cancel(setting):
    people, keys = setting
    project = {"id": keys["project"], "name": "Gait"}
    train = dash_call(
        people[REVIEWER],
        (ids.TRAIN_JOB, "data"),
        [(ids.TRAIN_BUTTON, "n_clicks", 1)],
        [
            (ids.TRAIN_NAME, "value", "m"),
            (ids.TRAIN_EPOCHS, "value", 2),
            (ids.PROJECT_STORE, "data", project),
        ],
    )
    assert train["level"] == "error" and "reviewer may not train" in train["message"]
    assert not Job.objects.exclude(pk=keys["job"]).exists()

    cancel = dash_call(
        people[REVIEWER],
        (ids.JOB_CANCEL_RESULT, "data"),
        [(ids.JOB_CANCEL, "n_clicks", 1)],
        [(ids.AUTOLABEL_JOB, "data", None), (ids.TRAIN_JOB, "data", {"id": keys["job"]})],
    )
    assert cancel["level"] == "error" and "reviewer may not" in cancel["message"]
    assert not Job.objects.get(pk=keys["job"]).cancel_requested
