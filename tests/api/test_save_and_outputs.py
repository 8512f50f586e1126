import csv
import io
import json
import resource
import signal
import zipfile
from pathlib import Path

import pytest

from labeler.models import Annotation
from tests.api.conftest import media_listing, upload, upload_one
from tests.factories import numeric_csv


def label(client, file_id, **body):
    response = client.post(f"/api/files/{file_id}/annotations/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_save_copies_the_working_state_and_writes_three_outputs(client, project, uploaded_file):
    file_id = uploaded_file["id"]
    label(client, file_id, label="Walk", start=1.0, end=2.0, description='=HYPERLINK("x")')
    label(client, file_id, label="Fall", start=5.0, end=5.0)
    response = client.post(f"/api/files/{file_id}/save/")
    assert response.status_code == 200
    saved = response.json()
    assert saved["annotations"] == 2
    stem = f"{file_id}~walk"
    assert sorted(saved["outputs"]) == [
        f"{stem}_labeled.csv",
        f"{stem}_labels.csv",
        f"{stem}_labels.json",
    ]
    assert Annotation.objects.filter(file_id=file_id).count() == 2

    outputs = client.get(f"/api/projects/{project['id']}/outputs/").json()["outputs"]
    assert [o["file"] for o in outputs] == [file_id]
    assert {o["name"] for o in outputs[0]["outputs"]} == set(saved["outputs"])

    archive = _download(client, project["id"], [file_id])
    labels_csv = list(csv.DictReader(io.StringIO(archive.read(f"{stem}_labels.csv").decode())))
    assert [row["label"] for row in labels_csv] == ["Walk", "Fall"]
    assert labels_csv[0]["description"].startswith("'=")  # neutralised formula
    assert labels_csv[1]["instant"] == "true"

    labeled = list(csv.DictReader(io.StringIO(archive.read(f"{stem}_labeled.csv").decode())))
    assert len(labeled) == 200  # every original row
    by_time = {row["time"]: row["label"] for row in labeled}
    assert by_time["1.0"] == by_time["1.5"] == by_time["2.0"] == "Walk"
    assert by_time["0.9"] == by_time["2.1"] == ""
    assert by_time["5.0"] == "Fall"

    task = json.loads(archive.read(f"{stem}_labels.json"))[0]
    results = task["annotations"][0]["result"]
    assert {r["value"]["timeserieslabels"][0] for r in results} == {"Walk", "Fall"}
    assert all(r["type"] == "timeserieslabels" for r in results)
    assert task["data"]["csv_url"] == "walk.csv"


def _download(client, project_id, file_ids):
    response = client.post(
        f"/api/projects/{project_id}/outputs/download/", {"files": file_ids}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_file_list_marks_unsaved_changes(client, project, uploaded_file):
    file_id = uploaded_file["id"]
    label(client, file_id, label="Walk", start=1, end=2)
    listed = client.get(f"/api/projects/{project['id']}/files/").json()
    assert listed[0]["unsaved_changes"] is True
    client.post(f"/api/files/{file_id}/save/")
    listed = client.get(f"/api/projects/{project['id']}/files/").json()
    assert listed[0]["unsaved_changes"] is False and listed[0]["saved_label_count"] == 1


def test_save_all_saves_only_changed_files(client, project, uploaded_file):
    second = upload(client, project["id"], ("run.csv", numeric_csv()), expect=201).json()
    second_id = second["results"][0]["file"]["id"]
    untouched = upload(client, project["id"], ("idle.csv", numeric_csv()), expect=201).json()
    label(client, uploaded_file["id"], label="Walk", start=1, end=2)
    label(client, second_id, label="Run", start=3, end=4)
    response = client.post(f"/api/projects/{project['id']}/save-all/")
    assert response.status_code == 200
    assert sorted(s["name"] for s in response.json()["saved"]) == ["run.csv", "walk.csv"]
    assert client.post(f"/api/projects/{project['id']}/save-all/").json()["count"] == 0
    idle_id = untouched["results"][0]["file"]["id"]
    assert client.get(f"/api/files/{idle_id}/").json()["saved_at"] is None


def test_saved_labels_reload_into_a_fresh_working_state(client, uploaded_file, settings):
    from labeler.working_state import working_state_store

    file_id = uploaded_file["id"]
    label(client, file_id, label="Walk", start=1, end=2)
    client.post(f"/api/files/{file_id}/save/")
    working_state_store().delete_file(file_id)  # e.g. a new, empty Redis
    listed = client.get(f"/api/files/{file_id}/annotations/").json()
    assert [a["label"] for a in listed["annotations"]] == ["Walk"]


def test_zip_of_another_projects_file_is_refused(client, other_client, project, uploaded_file):
    client.post(f"/api/files/{uploaded_file['id']}/save/")
    theirs = other_client.post("/api/projects/", {"name": "B", "labels": ["X"]}, format="json")
    their_file = upload(other_client, theirs.json()["id"], ("b.csv", numeric_csv()), expect=201)
    their_id = their_file.json()["results"][0]["file"]["id"]
    response = client.post(
        f"/api/projects/{project['id']}/outputs/download/",
        {"files": [uploaded_file["id"], their_id]},
        format="json",
    )
    assert response.status_code == 400
    assert str(their_id) in response.json()["error"]


def test_zip_of_unsaved_files_is_refused(client, project, uploaded_file):
    response = client.post(
        f"/api/projects/{project['id']}/outputs/download/",
        {"files": [uploaded_file["id"]]},
        format="json",
    )
    assert response.status_code == 400
    assert "no saved outputs" in response.json()["error"]


def test_zip_entry_names_are_safe(client, project):
    nasty = "..%2F..%2Fevil name;rm -rf.csv"
    answer = upload(client, project["id"], (nasty, numeric_csv()), expect=201).json()
    file_id = answer["results"][0]["file"]["id"]
    label(client, file_id, label="Walk", start=1, end=2)
    client.post(f"/api/files/{file_id}/save/")
    archive = _download(client, project["id"], [file_id])
    for name in archive.namelist():
        assert "/" not in name and "\\" not in name and not name.startswith(".")
        assert ";" not in name


def test_label_next_orders_unlabeled_files_by_uncertainty(client, project, uploaded_file):
    from labeler.models import SeriesFile

    other = upload(client, project["id"], ("b.csv", numeric_csv()), expect=201).json()
    other_id = other["results"][0]["file"]["id"]
    SeriesFile.objects.filter(pk=uploaded_file["id"]).update(uncertainty=0.2)
    SeriesFile.objects.filter(pk=other_id).update(uncertainty=0.9)
    listed = client.get(f"/api/projects/{project['id']}/label-next/").json()["files"]
    assert [f["id"] for f in listed] == [other_id, uploaded_file["id"]]
    label(client, other_id, label="Walk", start=1, end=2)
    client.post(f"/api/files/{other_id}/save/")
    listed = client.get(f"/api/projects/{project['id']}/label-next/").json()["files"]
    assert [f["id"] for f in listed] == [uploaded_file["id"]]


def _outputs_on_disk(project_id) -> list[str]:
    from labeler import storage

    folder = storage.outputs_dir(project_id)
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize(
    "names",
    [("données_α.csv", "données_β.csv"), ("run?1.csv", "run*1.csv")],
    ids=["accents", "wildcards"],
)
def test_files_whose_names_reduce_alike_keep_their_own_outputs(
    client, project, names, django_capture_on_commit_callbacks
):
    first, second = (upload_one(client, project["id"], name) for name in names)
    label(client, first["id"], label="Walk", start=1, end=2)
    label(client, second["id"], label="Run", start=3, end=4)
    saved = [client.post(f"/api/files/{f['id']}/save/").json() for f in (first, second)]
    assert set(saved[0]["outputs"]).isdisjoint(saved[1]["outputs"])
    assert _outputs_on_disk(project["id"]) == sorted(saved[0]["outputs"] + saved[1]["outputs"])

    archive = _download(client, project["id"], [first["id"], second["id"]])
    entries = archive.namelist()
    assert len(entries) == len(set(entries)) == 6
    for answer, expected in zip(saved, ("Walk", "Run"), strict=True):
        name = next(n for n in answer["outputs"] if n.endswith("_labels.csv"))
        rows = list(csv.DictReader(io.StringIO(archive.read(name).decode())))
        assert [row["label"] for row in rows] == [expected]

    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/files/{first['id']}/").status_code == 204
    assert _outputs_on_disk(project["id"]) == sorted(saved[1]["outputs"])
    kept = client.get(f"/api/projects/{project['id']}/outputs/").json()["outputs"]
    assert [len(o["outputs"]) for o in kept] == [3]


def test_full_width_formula_starts_are_neutralised(client, project, uploaded_file):
    file_id = uploaded_file["id"]
    for start, text in enumerate(["＝HYPERLINK(1)", "＋1", "－cmd", "＠SUM(A1)"]):
        label(client, file_id, label="Walk", start=start, end=start + 0.5, description=text)
    client.post(f"/api/files/{file_id}/save/")
    archive = _download(client, project["id"], [file_id])
    rows = csv.DictReader(io.StringIO(archive.read(f"{file_id}~walk_labels.csv").decode()))
    assert [row["description"] for row in rows] == [
        "'＝HYPERLINK(1)",
        "'＋1",
        "'－cmd",
        "'＠SUM(A1)",
    ]


def test_deleting_a_file_leaves_nothing_of_it_on_disk(
    client, project, uploaded_file, django_capture_on_commit_callbacks
):
    from labeler.working_state import working_state_store

    before = media_listing()
    other = upload_one(client, project["id"], "other.csv")
    label(client, other["id"], label="Walk", start=1, end=2)
    client.post(f"/api/files/{other['id']}/save/")
    assert len(media_listing()) > len(before)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/files/{other['id']}/").status_code == 204
    assert media_listing() == before
    assert working_state_store().version(other["id"]) == 0


def _save_refused(client, file_id) -> dict:
    response = client.post(f"/api/files/{file_id}/save/")
    assert response.status_code == 503, response.content
    body = response.json()
    assert "could not be written" in body["error"] and "nothing was saved" in body["error"]
    assert body["detail"]["file"] == file_id and body["detail"]["reason"]
    return body


def test_save_into_an_outputs_folder_that_cannot_be_made_changes_nothing(
    client, project, uploaded_file
):
    from labeler import storage

    file_id = uploaded_file["id"]
    label(client, file_id, label="Walk", start=1, end=2)
    storage.outputs_root().parent.mkdir(parents=True, exist_ok=True)
    storage.outputs_root().write_text("a regular file where the outputs folder should be")
    _save_refused(client, file_id)
    assert not Annotation.objects.filter(file_id=file_id).exists()
    assert client.get(f"/api/files/{file_id}/").json()["saved_at"] is None
    assert client.get(f"/api/files/{file_id}/annotations/").json()["annotations"]  # kept

    storage.outputs_root().unlink()
    assert client.post(f"/api/files/{file_id}/save/").status_code == 200


def _saved_outputs(client, project_id, file_id) -> dict:
    from labeler import storage

    label(client, file_id, label="Walk", start=1, end=2)
    assert client.post(f"/api/files/{file_id}/save/").status_code == 200
    folder = storage.outputs_dir(project_id)
    label(client, file_id, label="Run", start=3, end=4)
    return {path.name: path.read_bytes() for path in folder.iterdir()}


def _chmod_stops_writes(folder: Path) -> bool:
    """False where this process writes into read-only folders anyway (root)."""
    folder.mkdir()
    folder.chmod(0o555)
    try:
        (folder / "probe").touch()
    except PermissionError:
        return True
    finally:
        folder.chmod(0o755)
    return False


def test_save_into_a_read_only_outputs_folder_keeps_the_saved_outputs(
    client, project, uploaded_file, tmp_path
):
    from labeler import storage

    if not _chmod_stops_writes(tmp_path / "probe"):
        pytest.skip("this process writes into read-only folders (root)")
    file_id = uploaded_file["id"]
    before = _saved_outputs(client, project["id"], file_id)
    folder = storage.outputs_dir(project["id"])
    folder.chmod(0o555)
    try:
        _save_refused(client, file_id)
    finally:
        folder.chmod(0o755)
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    assert Annotation.objects.filter(file_id=file_id).count() == 1


def test_a_save_failing_midway_replaces_none_of_the_outputs(client, project):
    """The disk fills while the large _labeled.csv is written (a file size limit stands in for
    a full disk): the small _labels.csv written before it must not replace the saved one."""
    from django.db import connection

    from labeler import storage

    series_file = upload_one(client, project["id"], "big.csv", numeric_csv(rows=100_000))
    before = _saved_outputs(client, project["id"], series_file["id"])
    database = Path(connection.settings_dict["NAME"])
    database_bytes = database.stat().st_size if database.is_file() else 0
    limit = max(database_bytes * 2, 64 * 1024)
    labeled = next(
        size for name, size in ((n, len(b)) for n, b in before.items()) if "_labeled" in name
    )
    assert labeled > limit * 2, "the labeled output must outgrow the size limit"

    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        response = client.post(f"/api/files/{series_file['id']}/save/")
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, previous_handler)
    assert response.status_code == 503, response.content
    folder = storage.outputs_dir(project["id"])
    assert {path.name: path.read_bytes() for path in folder.iterdir()} == before
    assert Annotation.objects.filter(file_id=series_file["id"]).count() == 1
