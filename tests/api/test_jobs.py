"""Training and auto-labeling as background jobs: real training on small data, progress,
cancel, results in the working state, and a worker killed with SIGKILL."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from django.db import connection, connections

from autolabel.jobs import JobReporter, job_execute
from autolabel.models import Job, TrainedModel
from labeler import storage
from labeler.models import SeriesFile
from tests.api.conftest import upload

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def activity_csv(seed: int, rows: int = 400) -> tuple[bytes, list[tuple[float, float]]]:
    """Two channels; 'Walk' rows oscillate strongly, the rest is quiet noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(rows) / 10
    walk = [(5.0 + seed, 12.0 + seed), (25.0, 31.0)]
    active = np.zeros(rows, dtype=bool)
    for start, end in walk:
        active |= (t >= start) & (t <= end)
    a = rng.normal(0, 0.1, rows) + active * 2.0 * np.sin(2 * np.pi * 1.5 * t)
    b = rng.normal(0, 0.1, rows) + active * 1.5
    lines = ["time,a,b"] + [f"{x:.1f},{p:.4f},{q:.4f}" for x, p, q in zip(t, a, b, strict=True)]
    return ("\n".join(lines) + "\n").encode(), walk


@pytest.fixture
def labeled_project(client):
    project = client.post(
        "/api/projects/",
        {"name": "Gait", "labels": [{"name": "Walk", "kind": "range"}]},
        format="json",
    ).json()
    file_ids = []
    for seed in range(4):
        content, walks = activity_csv(seed)
        answer = upload(client, project["id"], (f"rec{seed}.csv", content), expect=201).json()
        file_id = answer["results"][0]["file"]["id"]
        file_ids.append(file_id)
        if seed == 3:
            continue  # left unlabeled
        for start, end in walks:
            client.post(
                f"/api/files/{file_id}/annotations/",
                {"label": "Walk", "start": start, "end": end},
                format="json",
            )
        client.post(f"/api/files/{file_id}/save/")
    return project, file_ids


def start_training(client, project_id, **params):
    body = {"name": "walk-model", "epochs": 4, "hidden_size": 8, "seed": 1, **params}
    response = client.post(f"/api/projects/{project_id}/train/", body, format="json")
    assert response.status_code == 202, response.json()
    job = response.json()
    assert job["status"] == "queued" and job["kind"] == "train"
    return job


def test_training_job_names_its_phases_and_its_progress_never_goes_back(
    client, labeled_project, django_capture_on_commit_callbacks, monkeypatch
):
    reports = []
    report = JobReporter.progress

    def recorded(self, percent, metrics=None):  # the real reporter, its calls kept
        reports.append((percent, dict(metrics or {})))
        report(self, percent, metrics)

    monkeypatch.setattr(JobReporter, "progress", recorded)
    project, _ = labeled_project
    with django_capture_on_commit_callbacks(execute=True):
        job = start_training(client, project["id"], epochs=30)
    job_execute(job_id=job["id"])
    done = client.get(f"/api/jobs/{job['id']}/").json()
    assert done["status"] == "succeeded", done
    percents = [percent for percent, _ in reports]
    assert percents == sorted(percents) and percents[-1] <= 98
    assert reports[0][1] == {"phase": "preparing", "message": "reading 3 labeled file(s)"}
    phases = [metrics["phase"] for _, metrics in reports]
    order = [p for i, p in enumerate(phases) if i == 0 or phases[i - 1] != p]
    assert order == ["preparing", "validating", "final_fit"]
    messages = [metrics["message"] for _, metrics in reports]
    assert any(m.startswith("validating 1/30") for m in messages)
    assert any(m.startswith("final fit 0/") and "best epoch" in m for m in messages)
    history = done["metrics"]["history"]
    assert [h["epoch"] for h in history] == list(range(1, len(history) + 1))
    assert {h["phase"] for h in history} == {"validating", "final_fit"}


def test_train_then_autolabel(client, labeled_project, django_capture_on_commit_callbacks):
    project, file_ids = labeled_project
    with django_capture_on_commit_callbacks(execute=True):
        job = start_training(client, project["id"])
    assert Job.objects.get(pk=job["id"]).task_result_id  # queued for the worker
    job_execute(job_id=job["id"])
    done = client.get(f"/api/jobs/{job['id']}/").json()
    assert done["status"] == "succeeded", done
    assert done["progress"] == 100
    assert len(done["metrics"]["history"]) >= 1
    assert done["metrics"]["history"][0]["epoch"] == 1
    model = TrainedModel.objects.get(pk=done["result"]["model"])
    assert model.source == "trained" and model.labels == ["Walk"]
    assert model.channels == ["a", "b"] and model.metrics["epochs_run"] >= 1

    unlabeled = file_ids[3]
    manual = client.post(
        f"/api/files/{unlabeled}/annotations/",
        {"label": "Walk", "start": 35, "end": 36},
        format="json",
    ).json()
    confidence = storage.cache_dir(SeriesFile.objects.get(pk=unlabeled).storage_key) / (
        "confidence.npy"
    )
    written = []
    for _ in range(2):  # a second run replaces the first run's labels and confidence
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                f"/api/files/{unlabeled}/autolabel/", {"model": model.id}, format="json"
            )
        assert response.status_code == 202
        job_execute(job_id=response.json()["id"])
        finished = client.get(f"/api/jobs/{response.json()['id']}/").json()
        assert finished["status"] == "succeeded", finished
        written.append(confidence.stat().st_ino)
    assert written[0] != written[1]  # a new file renamed over the last run's
    kept = np.load(confidence)  # the minimum of every 64 rows of the 400
    assert kept.dtype == np.float32 and kept.shape == (7,)
    assert ((kept >= 0.5 - 1e-6) & (kept <= 1 + 1e-6)).all()  # two classes: at least 0.5
    answer = client.get(f"/api/files/{unlabeled}/confidence/").json()
    assert answer["channels"]["confidence"] == pytest.approx(kept.tolist())
    share = client.get(f"/api/files/{unlabeled}/").json()["uncertain_share"]
    assert share == finished["result"]["uncertain_share"] and 0 <= share <= 1
    labels = client.get(f"/api/files/{unlabeled}/annotations/").json()["annotations"]
    predicted = [a for a in labels if a["source"] == "walk-model"]
    assert len(predicted) == finished["result"]["regions"]
    assert all(0 <= a["score"] <= 1 for a in predicted)
    assert manual["id"] in {a["id"] for a in labels}
    assert client.get(f"/api/files/{unlabeled}/").json()["uncertainty"] is not None


def test_training_needs_saved_labels(client):
    project = client.post(
        "/api/projects/", {"name": "Empty", "labels": ["Walk"]}, format="json"
    ).json()
    response = client.post(f"/api/projects/{project['id']}/train/", {"name": "m"}, format="json")
    assert response.status_code == 400
    assert "no saved labels" in response.json()["error"]


def test_autolabel_with_a_model_whose_channels_the_file_lacks(client, labeled_project):
    project, file_ids = labeled_project
    model = TrainedModel.objects.create(
        name="other",
        project_id=project["id"],
        source="uploaded",
        labels=["Walk"],
        channels=["x", "y"],
        hyperparameters={"input_size": 2},
    )
    response = client.post(
        f"/api/files/{file_ids[0]}/autolabel/", {"model": model.id}, format="json"
    )
    assert response.status_code == 400
    assert "lacks" in response.json()["error"]
    assert not Job.objects.exists()


def test_cancel_a_queued_job(client, labeled_project):
    project, _ = labeled_project
    job = start_training(client, project["id"])
    response = client.post(f"/api/jobs/{job['id']}/cancel/")
    assert response.json()["status"] == "cancelled"
    job_execute(job_id=job["id"])  # a worker that picks it up later does nothing
    assert Job.objects.get(pk=job["id"]).status == "cancelled"
    assert not TrainedModel.objects.exists()
    assert client.post(f"/api/jobs/{job['id']}/cancel/").status_code == 409


@pytest.mark.django_db(transaction=True)
def test_cancel_a_running_training(client, labeled_project):
    project, _ = labeled_project
    job = start_training(client, project["id"], epochs=400)
    runner = threading.Thread(target=_execute_and_close, args=(job["id"],))
    runner.start()
    _wait_for(lambda: Job.objects.get(pk=job["id"]).progress > 1)
    assert client.post(f"/api/jobs/{job['id']}/cancel/").json()["cancel_requested"] is True
    runner.join(timeout=60)
    assert not runner.is_alive()
    assert client.get(f"/api/jobs/{job['id']}/").json()["status"] == "cancelled"
    assert not TrainedModel.objects.exists()


def test_jobs_of_other_projects_are_invisible(client, other_client, labeled_project):
    project, _ = labeled_project
    job = start_training(client, project["id"])
    assert other_client.get(f"/api/jobs/{job['id']}/").status_code == 404
    assert other_client.post(f"/api/jobs/{job['id']}/cancel/").status_code == 404


def _execute_and_close(job_id: int) -> None:
    """job_execute in a thread of the test, which then closes that thread's connection (a
    session left open would stop the PostgreSQL test database from being dropped)."""
    try:
        job_execute(job_id=job_id)
    finally:
        connections.close_all()


def _wait_for(condition, timeout_s=120):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError("condition never became true")


def _worker(settings) -> subprocess.Popen:
    """A real `manage.py jobs_worker` on the test database and media folder."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.django.base",
        "DATABASE_URL": url,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "WORKING_STATE_BACKEND": settings.WORKING_STATE_BACKEND,
        "REDIS_URL": settings.REDIS_URL,
        "JOB_HEARTBEAT_S": "0.5",
        "SECRET_KEY": "worker-test",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "jobs_worker",
            "--no-reload",
            "--interval",
            "0.2",
            "--no-startup-delay",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_the_worker_imports_the_training_library_before_taking_jobs(settings):
    check = (
        "import sys, django; django.setup(); "
        "from autolabel.management.commands.jobs_worker import preload_training_library; "
        "assert 'torch' not in sys.modules; preload_training_library(); "
        "assert 'torch' in sys.modules and 'torch._dynamo' in sys.modules"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.django.base", "SECRET_KEY": "x"}
    done = subprocess.run([sys.executable, "-c", check], cwd=ROOT, env=env, capture_output=True)
    assert done.returncode == 0, done.stderr.decode()[-2000:]


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_queue(client, labeled_project, settings):
    project, _ = labeled_project
    job = start_training(client, project["id"], epochs=2)
    worker = _worker(settings)
    try:
        _wait_for(lambda: Job.objects.get(pk=job["id"]).is_finished)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    assert client.get(f"/api/jobs/{job['id']}/").json()["status"] == "succeeded"


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_leaves_a_failed_job_not_a_running_one(client, labeled_project, settings):
    from django_tasks_db.models import DBTaskResult

    project, _ = labeled_project
    settings.JOB_STALE_AFTER_S = 2
    job = start_training(client, project["id"], epochs=2000)
    worker = _worker(settings)
    try:
        _wait_for(lambda: Job.objects.get(pk=job["id"]).progress > 1)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
    assert Job.objects.get(pk=job["id"]).status == "running"
    time.sleep(2.5)
    reaped = client.get(f"/api/jobs/{job['id']}/").json()
    assert reaped["status"] == "failed"
    assert "stopped without finishing" in reaped["error"]
    task_result = DBTaskResult.objects.get(pk=Job.objects.get(pk=job["id"]).task_result_id)
    assert task_result.status == "FAILED"


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_thread_beats_and_closes_its_connection(
    settings, monkeypatch, labeled_project, client
):
    """Connections are kept between uses (CONN_MAX_AGE): a thread that ends must close its own,
    or every job would leave a database session behind."""
    from autolabel import jobs
    from autolabel.models import Job

    settings.JOB_HEARTBEAT_S = 0.02
    project, _ = labeled_project
    job = Job.objects.get(pk=start_training(client, project["id"])["id"])
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)
    used = []
    original = jobs.close_old_connections

    def record(*args, **kwargs):
        used.append(connections["default"])  # the heartbeat thread's own connection
        return original(*args, **kwargs)

    # the app's CONN_MAX_AGE (the test settings open a connection per use)
    monkeypatch.setitem(settings.DATABASES["default"], "CONN_MAX_AGE", 300)
    monkeypatch.setattr(jobs, "close_old_connections", record)
    with jobs.Heartbeat(job.pk) as heartbeat:
        _wait_for(lambda: len(used) >= 2, timeout_s=10)
    assert not heartbeat.thread.is_alive()
    job.refresh_from_db()
    assert job.heartbeat_at is not None
    assert used[-1] is not connections["default"]
    assert used[-1].connection is None
