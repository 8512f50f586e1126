"""Model registry: upload a .pth (checked, never run), list models that fit a file, delete."""

import io
import os

import pytest
import torch
from django.core.files.uploadedfile import SimpleUploadedFile

from autolabel.models import TrainedModel
from autolabel.segmenter import NetworkParams, TimeSeriesLSTM
from autolabel.segmenter.checkpoint import CheckpointContents, checkpoint_dict
from labeler import storage
from tests.api.conftest import media_listing, storage_snapshot, upload_one

pytestmark = pytest.mark.slow


def checkpoint_blob(*, channels=("acc_x", "acc_y"), labels=("Walk", "Run"), example=False):
    params = NetworkParams(input_size=len(channels), output_size=len(labels) + 1, hidden_size=8)
    torch.manual_seed(0)
    state = TimeSeriesLSTM(params).state_dict()
    contents = CheckpointContents(
        params=params,
        state_dict=state,
        class_names=("__background__", *labels),
        channels=None if example else tuple(channels),
        label_kinds={label: "range" for label in labels},
    )
    blob = checkpoint_dict(contents)
    if example:  # what the Label Studio example writes: its four keys only
        blob = {
            k: blob[k] for k in ("model_state_dict", "model_params", "label_map", "model_class")
        }
    return blob


def as_bytes(blob) -> bytes:
    buffer = io.BytesIO()
    torch.save(blob, buffer)
    return buffer.getvalue()


def post_model(client, content: bytes, name="m", **fields):
    upload = SimpleUploadedFile("model.pth", content, "application/octet-stream")
    return client.post("/api/models/", {"file": upload, "name": name, **fields}, format="multipart")


def test_upload_list_get_delete(client, project, uploaded_file):
    response = post_model(client, as_bytes(checkpoint_blob()), name="walker", project=project["id"])
    assert response.status_code == 201, response.json()
    model = response.json()
    assert model["labels"] == ["Walk", "Run"] and model["channels"] == ["acc_x", "acc_y"]
    assert model["hyperparameters"]["hidden_size"] == 8 and len(model["checksum"]) == 64
    assert [m["id"] for m in client.get("/api/models/").json()] == [model["id"]]
    fitting = client.get(f"/api/models/?file={uploaded_file['id']}").json()
    assert [m["id"] for m in fitting] == [model["id"]]
    assert client.get(f"/api/models/{model['id']}/").json()["name"] == "walker"
    assert client.delete(f"/api/models/{model['id']}/").status_code == 204
    assert client.get("/api/models/").json() == []


def test_models_whose_channels_the_file_lacks_are_not_offered(client, project, uploaded_file):
    post_model(client, as_bytes(checkpoint_blob(channels=("acc_x", "gyr_z"))), name="other")
    assert client.get(f"/api/models/?file={uploaded_file['id']}").json() == []


def test_example_checkpoint_takes_channels_from_the_project(client):
    project = client.post(
        "/api/projects/",
        {"name": "BM", "labels": ["Walk", "Run"], "channels": ["acc_x", "acc_y"]},
        format="json",
    ).json()
    response = post_model(client, as_bytes(checkpoint_blob(example=True)), project=project["id"])
    assert response.status_code == 201, response.json()
    assert response.json()["channels"] == []


def test_models_of_other_people_are_invisible(client, other_client):
    model = post_model(client, as_bytes(checkpoint_blob())).json()
    assert other_client.get("/api/models/").json() == []
    assert other_client.get(f"/api/models/{model['id']}/").status_code == 404
    assert other_client.delete(f"/api/models/{model['id']}/").status_code == 404


class RunsCode:
    """Unpickling this would create a marker file."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _wrong_shapes():
    blob = checkpoint_blob()
    blob["model_state_dict"]["fc_output.weight"] = torch.zeros(5, 16)
    return as_bytes(blob)


def _missing_key():
    blob = checkpoint_blob()
    del blob["model_state_dict"]["fc_input.bias"]
    return as_bytes(blob)


def _unknown_class():
    blob = checkpoint_blob()
    blob["model_class"] = "Transformer"
    return as_bytes(blob)


@pytest.mark.parametrize(
    "make_content, message",
    [
        (lambda tmp: b"time,a\n0,1\n", "not a PyTorch checkpoint"),
        (lambda tmp: b"", "empty"),
        (lambda tmp: b"\x80\x02]q\x00(", "not a PyTorch checkpoint"),
        (lambda tmp: _wrong_shapes(), "shape"),
        (lambda tmp: _missing_key(), "fc_input.bias"),
        (lambda tmp: _unknown_class(), "Transformer"),
        (lambda tmp: as_bytes({"weights": [1, 2]}), "missing key"),
        (lambda tmp: as_bytes(RunsCode(tmp / "marker")), "could run code"),
    ],
    ids=[
        "csv",
        "empty",
        "truncated-pickle",
        "wrong-shapes",
        "missing-key",
        "unknown-class",
        "not-a-dict",
        "code",
    ],
)
def test_bad_checkpoints_are_refused_and_change_nothing(client, tmp_path, make_content, message):
    post_model(client, as_bytes(checkpoint_blob()), name="kept")
    before, models_before = storage_snapshot(), list(TrainedModel.objects.values_list("id"))
    stored_before = sorted(p.name for p in (tmp_path / "media" / "models").iterdir())
    response = post_model(client, make_content(tmp_path), name="bad")
    assert response.status_code == 400
    assert message in response.json()["error"], response.json()
    assert not (tmp_path / "marker").exists()  # the pickle's code never ran
    assert storage_snapshot() == before
    assert list(TrainedModel.objects.values_list("id")) == models_before
    assert sorted(p.name for p in (tmp_path / "media" / "models").iterdir()) == stored_before


def test_model_whose_labels_the_project_lacks_is_refused(client, project):
    content = as_bytes(checkpoint_blob(labels=("Swim",)))
    response = post_model(client, content, project=project["id"])
    assert response.status_code == 400
    assert "Swim" in response.json()["error"]


def test_deleting_a_project_leaves_nothing_of_it_on_disk(
    client, project, uploaded_file, django_capture_on_commit_callbacks
):
    from autolabel.services import model_path
    from labeler.models import SeriesFile

    def saved(project_id, name):
        series_file = upload_one(client, project_id, name)
        body = {"label": "Walk", "start": 1, "end": 2}
        client.post(f"/api/files/{series_file['id']}/annotations/", body, format="json")
        assert client.post(f"/api/files/{series_file['id']}/save/").status_code == 200
        return SeriesFile.objects.get(pk=series_file["id"])

    saved(project["id"], "other.csv")
    other_project = client.post("/api/projects/", {"name": "B", "labels": ["Walk"]}, format="json")
    elsewhere = saved(other_project.json()["id"], "elsewhere.csv")
    models = [
        post_model(client, as_bytes(checkpoint_blob()), name="walker", project=project["id"]),
        post_model(client, as_bytes(checkpoint_blob()), name="shared"),  # of no project
    ]
    assert [m.status_code for m in models] == [201, 201]
    walker, shared = (TrainedModel.objects.get(pk=m.json()["id"]) for m in models)
    assert model_path(walker).exists()
    kept = {
        path
        for path in media_listing()
        if path.startswith(
            (f"files/{elsewhere.storage_key}/", f"outputs/project_{elsewhere.project_id}/")
        )
        or path == f"models/{shared.storage_key}.pt"
    }
    assert len(kept) == 1 + 3 + len([p for p in media_listing() if elsewhere.storage_key in p])

    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/projects/{project['id']}/").status_code == 204
    assert set(media_listing()) == kept
    assert not (storage.outputs_dir(project["id"])).exists()
    assert list(TrainedModel.objects.all()) == [shared]
