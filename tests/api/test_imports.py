"""Importing CSV files from the server's folder IMPORT_ROOT as a background ingest job."""

import os

import pytest

from autolabel.jobs import job_execute
from autolabel.models import Job
from labeler import storage
from labeler.models import SeriesFile
from tests.factories import numeric_csv


@pytest.fixture
def import_root(settings, tmp_path):
    root = tmp_path / "imports"
    (root / "site a").mkdir(parents=True)
    settings.IMPORT_ROOT = str(root)
    return root


def start_import(client, project_id, paths, expect):
    response = client.post(f"/api/projects/{project_id}/imports/", {"paths": paths}, format="json")
    assert response.status_code == expect, response.content
    return response.json()


def test_import_is_off_unless_import_root_is_set(client, project, settings):
    assert settings.IMPORT_ROOT == ""
    body = start_import(client, project["id"], ["walk.csv"], expect=403)
    assert "IMPORT_ROOT" in body["error"]
    assert not Job.objects.exists()


def test_import_runs_as_an_ingest_job_with_per_file_results(
    client, project, import_root, django_capture_on_commit_callbacks
):
    (import_root / "site a" / "walk.csv").write_bytes(numeric_csv())
    (import_root / "empty.csv").write_bytes(b"time,a\n")
    with django_capture_on_commit_callbacks(execute=True):
        job = start_import(client, project["id"], ["site a/walk.csv", "empty.csv"], expect=202)
    assert job["kind"] == "ingest" and job["status"] == "queued"
    assert Job.objects.get(pk=job["id"]).task_result_id  # queued for the worker
    job_execute(job_id=job["id"])
    done = client.get(f"/api/jobs/{job['id']}/").json()
    assert done["status"] == "succeeded" and done["progress"] == 100, done
    assert done["result"]["created"] == 1 and done["result"]["rejected"] == 1
    walk, empty = done["result"]["results"]
    assert walk["path"] == "site a/walk.csv" and walk["status"] == "created"
    assert walk["file"]["name"] == "walk.csv" and walk["file"]["rows"] == 200
    assert empty["status"] == "rejected" and "no data rows" in empty["error"]
    files = client.get(f"/api/projects/{project['id']}/files/").json()
    assert [f["name"] for f in files] == ["walk.csv"]
    data = client.get(f"/api/files/{walk['file']['id']}/data/").json()
    assert data["rows"] == 200
    assert (import_root / "site a" / "walk.csv").read_bytes() == numeric_csv()  # copied, kept
    stored = SeriesFile.objects.get(pk=walk["file"]["id"])
    assert storage.source_path(stored.storage_key).read_bytes() == numeric_csv()
    assert stored.size_bytes == len(numeric_csv())


def test_paths_outside_the_import_folder_are_refused(client, project, import_root, tmp_path):
    secret = tmp_path / "secret.csv"
    secret.write_bytes(numeric_csv())
    os.symlink(secret, import_root / "link.csv")
    (import_root / "notes.md").write_text("hello")
    refused = [
        "../secret.csv",
        "site a/../../secret.csv",
        str(secret),
        "C:\\data\\secret.csv",
        "link.csv",
        "missing.csv",
        "site a",
        "notes.md",
    ]
    body = start_import(client, project["id"], refused, expect=400)
    problems = {item["path"]: item["error"] for item in body["detail"]["paths"]}
    assert set(problems) == set(refused)
    assert problems["../secret.csv"] == "holds '..'"
    assert problems["link.csv"] == "leads outside the import folder"
    assert problems[str(secret)].startswith("is absolute")
    assert problems["C:\\data\\secret.csv"].startswith("is absolute")
    assert problems["site a"] == "is not a file"
    assert not Job.objects.exists() and not SeriesFile.objects.exists()


def test_a_path_turned_into_a_link_before_the_job_runs_is_refused(
    client, project, import_root, tmp_path
):
    (import_root / "walk.csv").write_bytes(numeric_csv())
    job = start_import(client, project["id"], ["walk.csv"], expect=202)
    (import_root / "walk.csv").unlink()
    secret = tmp_path / "secret.csv"
    secret.write_bytes(numeric_csv())
    os.symlink(secret, import_root / "walk.csv")
    job_execute(job_id=job["id"])
    done = client.get(f"/api/jobs/{job['id']}/").json()
    assert done["status"] == "succeeded"
    (result,) = done["result"]["results"]
    assert result["status"] == "rejected" and "outside the import folder" in result["error"]
    assert not SeriesFile.objects.exists()


def test_import_needs_a_list_of_paths(client, project, import_root):
    assert start_import(client, project["id"], [], expect=400)["error"]
    for bad in ("walk\0.csv", ""):
        body = start_import(client, project["id"], ["fine.csv", bad], expect=400)
        assert body["error"].startswith("Invalid input: paths.1")
    response = client.post(
        f"/api/projects/{project['id']}/imports/", {"paths": "walk.csv"}, format="json"
    )
    assert response.status_code == 400
