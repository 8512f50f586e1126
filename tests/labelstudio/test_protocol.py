"""The ML backend endpoints answer Label Studio's calls with its payloads and status codes."""

import base64

import pytest
from django.test import Client

from autolabel.jobs import job_execute
from autolabel.models import Job, TrainedModel
from tests.labelstudio.conftest import PROJECT


@pytest.fixture
def backend(db):
    return Client()


def post(backend, path, body, **headers):
    return backend.post(path, body, content_type="application/json", **headers)


def setup_body(label_config):
    return {
        "project": f"{PROJECT}.1700000000",
        "schema": label_config,
        "hostname": "http://localhost:8080",
        "access_token": "x",
        "extra_params": None,
    }


def test_health_and_root_need_no_login(backend):
    answer = backend.get("/health")
    assert answer.status_code == 200
    assert answer.json() == {
        "status": "UP",
        "model_class": "TimeSeriesSegmenter",
        "database": "ok",
        "working_state": "ok",
    }


def test_setup_reports_the_model_version(backend, label_config):
    answer = post(backend, "/setup", setup_body(label_config))
    assert answer.status_code == 200
    assert answer.json() == {"model_version": "TimeSeriesSegmenter-untrained"}


@pytest.mark.parametrize(
    "path, body, message",
    [
        ("/setup", {"project": "7.1"}, "schema"),
        ("/predict", {"label_config": "<View/>"}, "tasks"),
        ("/predict", {"tasks": [{"id": 1}], "label_config": "<View/>"}, "data"),
        ("/webhook", {"project": {"id": 7}}, "action"),
        ("/webhook", {"action": "START_TRAINING"}, "project"),
        ("/setup", {"project": "seven", "schema": "<View/>"}, "project"),
    ],
)
def test_payloads_with_missing_fields_are_400(backend, path, body, message):
    answer = post(backend, path, body)
    assert answer.status_code == 400
    assert message in answer.json()["error"]


def test_body_that_is_not_json_is_400(backend):
    answer = backend.post("/predict", b"{oops", content_type="application/json")
    assert answer.status_code == 400


def test_bad_label_config_is_400(backend):
    answer = post(backend, "/setup", {"project": "7.1", "schema": "<View><Text/></View>"})
    assert answer.status_code == 400
    assert "label config" in answer.json()["error"]


def test_predict_without_a_model_answers_one_empty_prediction_per_task(backend, label_config):
    tasks = [{"id": n, "data": {"csv_url": f"/data/upload/7/{n}.csv"}} for n in (3, 1, 2)]
    answer = post(
        backend, "/predict", {"tasks": tasks, "project": "7.1", "label_config": label_config}
    )
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert len(results) == 3
    assert all(
        r == {"result": [], "score": 0.0, "model_version": "TimeSeriesSegmenter-untrained"}
        for r in results
    )


def test_unknown_events_are_acknowledged(backend):
    answer = post(backend, "/webhook", {"action": "PROJECT_UPDATED", "project": {"id": 7}})
    assert answer.status_code == 200
    assert answer.json() == {"status": "Unknown event"}


def test_annotation_events_start_training_every_n_updates(backend, label_config, settings):
    settings.START_TRAINING_EACH_N_UPDATES = 2
    event = {
        "action": "ANNOTATION_CREATED",
        "project": {"id": PROJECT, "label_config": label_config},
        "annotation": {"project": PROJECT, "result": []},
        "task": {"id": 1},
    }
    first = post(backend, "/webhook", event)
    assert first.status_code == 201 and first.json()["job"] is None
    second = post(backend, "/webhook", event)
    assert second.status_code == 201 and second.json()["job"] is not None
    job = Job.objects.get(pk=second.json()["job"])
    assert job.kind == "label_studio_train" and job.params == {"ls_project": str(PROJECT)}
    # a training already waiting takes newer annotations too: no second job is queued
    start = post(
        backend,
        "/webhook",
        {"action": "START_TRAINING", "project": {"id": PROJECT, "label_config": label_config}},
    )
    assert start.json()["job"] == job.id
    assert Job.objects.count() == 1


def test_basic_auth_when_configured(backend, label_config, settings):
    settings.BASIC_AUTH_USER, settings.BASIC_AUTH_PASS = "ls", "secret-pass"
    assert backend.get("/health").status_code == 200
    assert post(backend, "/setup", setup_body(label_config)).status_code == 401
    wrong = base64.b64encode(b"ls:nope").decode()
    assert (
        post(
            backend, "/setup", setup_body(label_config), HTTP_AUTHORIZATION=f"Basic {wrong}"
        ).status_code
        == 401
    )
    right = base64.b64encode(b"ls:secret-pass").decode()
    answer = post(backend, "/setup", setup_body(label_config), HTTP_AUTHORIZATION=f"Basic {right}")
    assert answer.status_code == 200


@pytest.mark.slow
def test_train_from_label_studio_then_predict(
    backend, label_studio, label_config, django_capture_on_commit_callbacks
):
    assert post(backend, "/setup", setup_body(label_config)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        started = post(
            backend,
            "/webhook",
            {
                "action": "START_TRAINING",
                "project": {"id": PROJECT, "label_config": label_config},
                "params": {},
            },
        )
    assert started.status_code == 201
    job = Job.objects.get(pk=started.json()["job"])
    job.params = {**job.params, "train_epochs": 4, "hidden_size": 8}
    job.save()
    job_execute(job_id=job.id)
    job.refresh_from_db()
    assert job.status == "succeeded", job.error
    model = TrainedModel.objects.get(label_studio_project=str(PROJECT))
    assert job.result["recordings"] == 4

    version = post(backend, "/setup", setup_body(label_config)).json()["model_version"]
    assert version == f"TimeSeriesSegmenter-{model.version}"
    targets = [t for t in label_studio.tasks if not t["annotations"]]
    answer = post(
        backend,
        "/predict",
        {
            "tasks": targets,
            "project": f"{PROJECT}.1700000000",
            "label_config": label_config,
            "params": {"login": None, "password": None, "context": None},
        },
    )
    assert answer.status_code == 200
    results = answer.json()["results"]
    assert len(results) == len(targets)
    regions = [region for prediction in results for region in prediction["result"]]
    assert regions, "a trained model finds segments"
    for prediction in results:
        assert prediction["model_version"] == version and isinstance(prediction["score"], float)
        for region in prediction["result"]:
            value = region["value"]
            assert region["type"] == "timeserieslabels"
            assert (region["from_name"], region["to_name"]) == ("label", "ts")
            assert value["timeserieslabels"][0] in ("Walk", "Run", "Badminton")
            assert 0.0 <= value["start"] <= value["end"] <= 199.9
            assert value["instant"] == (value["start"] == value["end"])
            assert 0.0 <= region["score"] <= 1.0
    fetched = [p for p in label_studio.requests if p.startswith("/data/upload/")]
    answer_again = post(
        backend,
        "/predict",
        {"tasks": targets, "project": f"{PROJECT}.1", "label_config": label_config},
    )
    assert answer_again.json() == answer.json()
    assert [p for p in label_studio.requests if p.startswith("/data/upload/")] == fetched  # cached


def test_task_files_on_other_hosts_are_not_fetched(backend, label_studio, label_config):
    from autolabel.services import model_register_file  # noqa: F401 - the model must exist

    _register_untrained_model(label_config)
    tasks = [{"id": 1, "data": {"csv_url": "http://169.254.169.254/latest/meta-data"}}]
    answer = post(
        backend,
        "/predict",
        {"tasks": tasks, "project": f"{PROJECT}.1", "label_config": label_config},
    )
    assert answer.status_code == 400
    assert "not allowed" in answer.json()["error"]
    assert not any("meta-data" in p for p in label_studio.requests)


def _register_untrained_model(label_config):
    import torch

    from autolabel.models import TrainedModel
    from autolabel.segmenter import NetworkParams, TimeSeriesLSTM
    from autolabel.segmenter.checkpoint import CheckpointContents
    from autolabel.segmenter.infer import Segmenter
    from autolabel.services import model_register_file

    params = NetworkParams(input_size=6, output_size=4, hidden_size=8)
    torch.manual_seed(0)
    contents = CheckpointContents(
        params=params,
        state_dict=TimeSeriesLSTM(params).state_dict(),
        class_names=("__background__", "Walk", "Run", "Badminton"),
        channels=("acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"),
    )
    model_register_file(
        name="seed",
        project=None,
        user=None,
        segmenter=Segmenter(contents),
        source=TrainedModel.Source.LABEL_STUDIO,
        label_studio_project=str(PROJECT),
    )


def test_root_answers_label_studio_json_and_browsers_html(backend):
    answer = backend.get("/", HTTP_ACCEPT="application/json")
    assert answer.status_code == 200 and answer.json()["status"] == "UP"
    assert backend.get("/", HTTP_ACCEPT="text/html").status_code in (200, 302)
