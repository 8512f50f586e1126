import csv
import io
import json
import zipfile

from labeler.models import Annotation
from tests.api.conftest import upload
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
    assert sorted(saved["outputs"]) == ["walk_labeled.csv", "walk_labels.csv", "walk_labels.json"]
    assert Annotation.objects.filter(file_id=file_id).count() == 2

    outputs = client.get(f"/api/projects/{project['id']}/outputs/").json()["outputs"]
    assert [o["file"] for o in outputs] == [file_id]
    assert {o["name"] for o in outputs[0]["outputs"]} == set(saved["outputs"])

    archive = _download(client, project["id"], [file_id])
    labels_csv = list(csv.DictReader(io.StringIO(archive.read("walk_labels.csv").decode())))
    assert [row["label"] for row in labels_csv] == ["Walk", "Fall"]
    assert labels_csv[0]["description"].startswith("'=")  # neutralised formula
    assert labels_csv[1]["instant"] == "true"

    labeled = list(csv.DictReader(io.StringIO(archive.read("walk_labeled.csv").decode())))
    assert len(labeled) == 200  # every original row
    by_time = {row["time"]: row["label"] for row in labeled}
    assert by_time["1.0"] == by_time["1.5"] == by_time["2.0"] == "Walk"
    assert by_time["0.9"] == by_time["2.1"] == ""
    assert by_time["5.0"] == "Fall"

    task = json.loads(archive.read("walk_labels.json"))[0]
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
