"""The model's per-row confidence after an auto-label run: kept beside the cache (minimum per
64 rows), answered by GET /api/files/{id}/confidence/ (JSON or the binary window form), removed
with the file, and ranking "Label next" by the share of uncertain rows."""

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from autolabel.jobs import job_execute
from labeler import storage
from labeler.ingest import window_binary_read
from labeler.models import SeriesFile
from tests.api.conftest import upload_one
from tests.api.test_no_server_errors_endpoints import query_values
from tests.api.test_no_server_errors_properties import EXAMPLES
from tests.api.test_schema_shapes import response_fields
from tests.factories import unsure_near_one_checkpoint

ROWS = 2000
UNSURE_ROWS = (640, 768)  # buckets 10 and 11 of 64 rows


def recording_csv(unsure_rows=UNSURE_ROWS, unsure_value=1.0) -> bytes:
    """10 Hz; acc_x is ``unsure_value`` on ``unsure_rows`` (1: the model is unsure, confidence
    0.5; 1.1: fairly sure, 0.95), 3 (sure: Walk) on the last quarter, 0 (sure: background)
    elsewhere."""
    lines = ["time,acc_x,acc_y"]
    for i in range(ROWS):
        unsure = unsure_rows[0] <= i < unsure_rows[1]
        value = unsure_value if unsure else 3 if i >= ROWS * 3 // 4 else 0
        lines.append(f"{i / 10:.1f},{value},0")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def model(client, project):
    checkpoint = unsure_near_one_checkpoint(label="Walk", channel="acc_x")
    response = client.post(
        "/api/models/",
        {
            "file": SimpleUploadedFile("unsure.pt", checkpoint),
            "name": "unsure-near-one",
            "project": project["id"],
        },
        format="multipart",
    )
    assert response.status_code == 201, response.content
    return response.json()


def autolabel(client, file_id, model, capture) -> dict:
    with capture(execute=True):
        response = client.post(f"/api/files/{file_id}/autolabel/", {"model": model["id"]})
    assert response.status_code == 202, response.content
    job_execute(job_id=response.json()["id"])
    finished = client.get(f"/api/jobs/{response.json()['id']}/").json()
    assert finished["status"] == "succeeded", finished
    return finished


@pytest.fixture
def recording(client, project):
    return upload_one(client, project["id"], "unsure.csv", recording_csv())


@pytest.fixture
def autolabeled(client, recording, model, django_capture_on_commit_callbacks):
    autolabel(client, recording["id"], model, django_capture_on_commit_callbacks)
    return recording


def confidence_file(file_id):
    series_file = SeriesFile.objects.get(pk=file_id)
    return storage.cache_dir(series_file.storage_key) / "confidence.npy"


def test_no_confidence_before_an_auto_label_run(client, recording):
    response = client.get(f"/api/files/{recording['id']}/confidence/")
    assert response.status_code == 404
    assert "auto-label" in response.json()["error"]
    assert not confidence_file(recording["id"]).exists()


def test_auto_label_keeps_the_minimum_confidence_of_every_64_rows(client, autolabeled):
    stored = np.load(confidence_file(autolabeled["id"]))
    assert stored.dtype == np.float32 and stored.shape == (32,)  # ceil(2000 / 64)
    assert stored[10] == pytest.approx(0.5, abs=0.01) and stored[11] == pytest.approx(0.5, abs=0.01)
    others = np.delete(stored, [10, 11])
    assert others.min() > 0.95
    detail = client.get(f"/api/files/{autolabeled['id']}/").json()
    assert detail["uncertain_share"] == pytest.approx(128 / ROWS)


def test_the_whole_file_at_every_bucket(client, autolabeled):
    answer = client.get(f"/api/files/{autolabeled['id']}/confidence/").json()
    assert answer["points"] == 32 and answer["rows"] == ROWS
    assert answer["bucket_rows"] == 64 and answer["threshold"] == 0.8
    assert answer["time"] == pytest.approx([i * 6.4 for i in range(32)])
    values = answer["channels"]["confidence"]
    low = [i for i, value in enumerate(values) if value < answer["threshold"]]
    assert low == [10, 11]
    assert answer["start"] == 0.0 and answer["aggregated"] is False


def test_fewer_bins_keep_each_bins_minimum(client, autolabeled):
    answer = client.get(f"/api/files/{autolabeled['id']}/confidence/", {"bins": 4}).json()
    assert answer["points"] == 4 and answer["max_points"] == 4
    assert answer["time"] == pytest.approx([0.0, 51.2, 102.4, 153.6])  # 8 buckets per bin
    values = answer["channels"]["confidence"]
    assert values[1] == pytest.approx(0.5, abs=0.01)
    assert min(values[0], values[2], values[3]) > 0.95


def test_binary_form_is_the_data_endpoints(client, autolabeled):
    path = f"/api/files/{autolabeled['id']}/confidence/"
    as_json = client.get(path, {"bins": 16}).json()
    response = client.get(path, {"bins": 16, "format": "binary"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    header, arrays = window_binary_read(response.content)
    assert header["format"] == "tsl-window" and header["channels"] == ["confidence"]
    assert header["points"] == 16 and header["bucket_rows"] == 64 and header["threshold"] == 0.8
    assert arrays["x"].tolist() == pytest.approx(as_json["time"])
    assert arrays["confidence"].tolist() == pytest.approx(as_json["channels"]["confidence"])


@pytest.mark.parametrize(
    "query", [{"bins": 0}, {"bins": 65_537}, {"bins": "many"}, {"bins": 1.5}, {"format": "xml"}]
)
def test_bad_parameters_are_400(client, autolabeled, query):
    response = client.get(f"/api/files/{autolabeled['id']}/confidence/", query)
    assert response.status_code == 400, response.content
    assert response.json()["error"]


@pytest.mark.answers_server_errors
@EXAMPLES
@given(
    query=st.dictionaries(
        st.sampled_from(["bins", "format", "start"]),
        query_values | st.sampled_from(["json", "binary", "65536", "1"]),
        max_size=3,
    )
)
def test_generated_queries_never_5xx(client, autolabeled, query):
    response = client.get(f"/api/files/{autolabeled['id']}/confidence/", query)
    assert response.status_code in (200, 400), (query, response.content[:300])


def test_others_see_nothing(other_client, autolabeled):
    response = other_client.get(f"/api/files/{autolabeled['id']}/confidence/")
    assert response.status_code == 404
    assert other_client.get("/api/files/999999/confidence/").status_code == 404


def test_schema_documents_the_json_answer(client, autolabeled):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    answer = client.get(f"/api/files/{autolabeled['id']}/confidence/").json()
    template = "/api/files/{file_id}/confidence/"
    assert response_fields(schema, template, "get", 200) == set(answer)
    content = schema["paths"][template]["get"]["responses"]["200"]["content"]
    assert "application/octet-stream" in content
    names = {p["name"] for p in schema["paths"][template]["get"]["parameters"]}
    assert "bins" in names


@pytest.mark.parametrize("deleted", ["file", "project"])
def test_deleting_the_file_or_its_project_removes_its_confidence(
    client, project, autolabeled, django_capture_on_commit_callbacks, deleted
):
    path = confidence_file(autolabeled["id"])
    assert path.exists()
    url = (
        f"/api/files/{autolabeled['id']}/"
        if deleted == "file"
        else f"/api/projects/{project['id']}/"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.delete(url).status_code == 204
    assert not path.exists()


def test_label_next_ranks_by_the_share_of_uncertain_rows(
    client, project, model, django_capture_on_commit_callbacks
):
    # "fairly" has the higher mean entropy (a thousand rows the model is 95 % sure of), but no
    # row under the threshold; "few" has 64 rows the model cannot decide.
    few = upload_one(client, project["id"], "few.csv", recording_csv((640, 704)))
    fairly = upload_one(client, project["id"], "fairly.csv", recording_csv((0, 1000), 1.1))
    many = upload_one(client, project["id"], "many.csv", recording_csv((64, 1024)))
    upload_one(client, project["id"], "untouched.csv", recording_csv())
    for series_file in (few, fairly, many):
        autolabel(client, series_file["id"], model, django_capture_on_commit_callbacks)
    listed = client.get(f"/api/projects/{project['id']}/label-next/").json()["files"]
    assert [f["name"] for f in listed] == ["many.csv", "few.csv", "fairly.csv", "untouched.csv"]
    shares = [f["uncertain_share"] for f in listed]
    assert shares[:3] == pytest.approx([960 / ROWS, 64 / ROWS, 0.0])
    assert shares[3] is None
    entropy = {f["name"]: f["uncertainty"] for f in listed}
    assert entropy["fairly.csv"] > entropy["few.csv"]  # the mean entropy ranked them the other way
