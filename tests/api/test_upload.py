"""Upload: one answer per file; one bad file never stops the others (SPEC §4, §8)."""

from labeler.models import SeriesFile
from tests.api.conftest import DEMO_DIR, storage_snapshot, upload
from tests.factories import numeric_csv


def test_many_files_answer_one_entry_each(client, project):
    files = [(f"bm_dev_0{n}.csv", (DEMO_DIR / f"bm_dev_0{n}.csv").read_bytes()) for n in (1, 2)]
    files.insert(1, ("broken.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00"))
    response = upload(client, project["id"], *files, expect=201)
    results = response.json()["results"]
    assert [r["name"] for r in results] == ["bm_dev_01.csv", "broken.csv", "bm_dev_02.csv"]
    assert [r["status"] for r in results] == ["created", "rejected", "created"]
    assert results[1]["error"]
    first = results[0]["file"]
    assert first["rows"] == 2000
    assert first["channels"] == ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
    assert first["time_kind"] == "numeric"
    assert first["time_start"] == 0.0 and abs(first["time_end"] - 199.9) < 1e-9
    assert abs(first["sampling_rate"] - 10.0) < 1e-6
    assert SeriesFile.objects.count() == 2


def test_file_metadata_shape(client, uploaded_file):
    body = client.get(f"/api/files/{uploaded_file['id']}/").json()
    for key in (
        "id",
        "name",
        "rows",
        "channels",
        "time_kind",
        "time_start",
        "time_end",
        "sampling_rate",
        "warnings",
    ):
        assert key in body
    assert body["rows"] == 200 and body["channels"] == ["acc_x", "acc_y"]


def test_same_name_twice_gets_a_new_name_and_a_warning(client, project, uploaded_file):
    again = upload(client, project["id"], ("walk.csv", numeric_csv()), expect=201).json()
    result = again["results"][0]
    assert result["file"]["name"] == "walk (2).csv"
    assert any("already in the project" in w for w in result["warnings"])


def test_file_over_the_size_limit_is_refused_while_streaming(client, project, settings):
    settings.MAX_UPLOAD_MB = 1
    big = numeric_csv(rows=80_000)
    assert len(big) > 1024 * 1024
    before = storage_snapshot()
    response = upload(client, project["id"], ("big.csv", big), ("small.csv", numeric_csv()))
    assert response.status_code == 201
    results = response.json()["results"]
    assert results[0] == {
        "name": "big.csv",
        "status": "rejected",
        "error": "The file is larger than the upload limit of 1 MB.",
    }
    assert results[1]["status"] == "created"
    after = storage_snapshot()
    assert len(after["files"]) == len(before["files"]) + 1
    assert not any(name.startswith("big") for _, name, _, _ in after["files"])


def test_only_rejections_answer_400_with_results(client, project):
    before = storage_snapshot()
    response = upload(client, project["id"], ("empty.csv", b""))
    assert response.status_code == 400
    body = response.json()
    assert body["error"] and body["results"][0]["status"] == "rejected"
    assert storage_snapshot() == before


def test_other_extensions_are_refused(client, project):
    response = upload(client, project["id"], ("table.xlsx", b"PK\x03\x04"))
    assert response.status_code == 400
    assert "Only CSV files" in response.json()["results"][0]["error"]


def test_no_files_field_is_400(client, project):
    response = client.post(f"/api/projects/{project['id']}/files/", {}, format="multipart")
    assert response.status_code == 400
    assert "files" in response.json()["error"]


def test_delete_removes_the_file_and_its_storage(
    client, project, uploaded_file, django_capture_on_commit_callbacks
):
    from labeler import storage

    series_file = SeriesFile.objects.get(pk=uploaded_file["id"])
    folder = storage.file_dir(series_file.storage_key)
    assert folder.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(f"/api/files/{uploaded_file['id']}/").status_code == 204
    assert not folder.exists()
    assert client.get(f"/api/files/{uploaded_file['id']}/").status_code == 404
