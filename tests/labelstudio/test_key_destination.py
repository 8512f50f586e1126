"""The Label Studio API key goes only to the configured Label Studio: /setup (no login) cannot
point the backend, and the key, at another server."""

import pytest
from django.test import Client

from autolabel.jobs import job_execute
from autolabel.models import Job
from tests.labelstudio.conftest import PROJECT, TOKEN
from tests.labelstudio.test_protocol import _register_untrained_model, post


@pytest.fixture
def backend(db):
    return Client()


def setup_from(backend, label_config, hostname):
    body = {
        "project": f"{PROJECT}.1700000000",
        "schema": label_config,
        "hostname": hostname,
        "access_token": "token-from-setup",
    }
    assert post(backend, "/setup", body).status_code == 200


def training_run(backend, label_config) -> Job:
    started = post(
        backend,
        "/webhook",
        {"action": "START_TRAINING", "project": {"id": PROJECT, "label_config": label_config}},
    )
    assert started.status_code == 201
    job_execute(job_id=started.json()["job"])
    return Job.objects.get(pk=started.json()["job"])


def test_setup_cannot_send_the_configured_key_elsewhere(
    backend, label_config, foreign_server, settings
):
    settings.LABEL_STUDIO_URL = ""
    settings.LABEL_STUDIO_API_KEY = TOKEN
    setup_from(backend, label_config, f"http://127.0.0.1:{foreign_server.port}")
    job = training_run(backend, label_config)
    assert job.status == "failed" and "LABEL_STUDIO_URL" in job.error
    assert foreign_server.requests == []


def test_configured_label_studio_wins_over_the_setup_hostname(
    backend, label_studio, label_config, foreign_server, settings
):
    settings.LABEL_STUDIO_ALLOWED_HOSTS = ["localhost"]  # allowed for files, still not Label Studio
    for task in label_studio.tasks:
        task["annotations"] = []
    setup_from(backend, label_config, f"http://localhost:{foreign_server.port}")
    job = training_run(backend, label_config)
    assert job.status == "failed" and "no usable annotated task" in job.error
    assert any(path.startswith(f"/api/projects/{PROJECT}/export") for path in label_studio.requests)
    assert foreign_server.requests == []


def test_setup_hostname_is_used_when_allowed_and_no_url_is_set(
    backend, label_studio, label_config, settings
):
    settings.LABEL_STUDIO_URL = ""
    settings.LABEL_STUDIO_ALLOWED_HOSTS = ["localhost"]
    for task in label_studio.tasks:
        task["annotations"] = []
    port = label_studio.url.rsplit(":", 1)[1]
    setup_from(backend, label_config, f"http://localhost:{port}")
    job = training_run(backend, label_config)
    assert job.status == "failed" and "no usable annotated task" in job.error
    assert any(path.startswith(f"/api/projects/{PROJECT}/export") for path in label_studio.requests)


def test_files_on_other_allowed_hosts_are_read_without_the_key(
    backend, label_studio, label_config, foreign_server, settings
):
    settings.LABEL_STUDIO_ALLOWED_HOSTS = ["localhost"]
    _register_untrained_model(label_config)
    url = f"http://localhost:{foreign_server.port}/files/walk.csv"
    answer = post(
        backend,
        "/predict",
        {
            "tasks": [{"id": 1, "data": {"csv_url": url}}],
            "project": f"{PROJECT}.1",
            "label_config": label_config,
        },
    )
    assert answer.status_code == 400  # the stand-in serves no CSV
    assert foreign_server.requests == [("/files/walk.csv", None)]
