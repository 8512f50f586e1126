import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from labeler import storage
from labeler.apis import MAX_PX_POINTS
from labeler.ingest import series_cache_write, window_binary_read
from labeler.models import SeriesFile
from tests.api.conftest import upload


def spike_csv(rows=100_000) -> bytes:
    lines = ["time,a,b"]
    lines += [f"{i},{100.0 if i == 61_234 else (i % 10) / 10},{-(i % 4)}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_full_view_is_downsampled_and_keeps_spikes(client, project):
    answer = upload(client, project["id"], ("spiky.csv", spike_csv()), expect=201).json()
    file_id = answer["results"][0]["file"]["id"]
    body = client.get(f"/api/files/{file_id}/data/?max_points=1000").json()
    assert body["downsampled"] is True
    assert set(body["channels"]) == {"a", "b"}
    for values in body["channels"].values():
        assert len(values) <= 1000
    assert len(body["time"]) <= 1000
    assert max(body["channels"]["a"]) == 100.0  # MinMaxLTTB keeps the spike


def test_zoom_window_returns_rows_in_range_only(client, project):
    answer = upload(client, project["id"], ("spiky.csv", spike_csv()), expect=201).json()
    file_id = answer["results"][0]["file"]["id"]
    body = client.get(f"/api/files/{file_id}/data/?start=1000&end=1500&max_points=4000").json()
    assert body["downsampled"] is False
    assert body["time"][0] == 1000 and body["time"][-1] == 1500
    assert len(body["channels"]["a"]) == 501


def test_default_is_at_most_4000_points_per_channel(client, project):
    answer = upload(client, project["id"], ("spiky.csv", spike_csv()), expect=201).json()
    file_id = answer["results"][0]["file"]["id"]
    body = client.get(f"/api/files/{file_id}/data/").json()
    assert all(len(v) <= 4000 for v in body["channels"].values())


def test_channel_choice_and_bad_parameters(client, uploaded_file):
    file_id = uploaded_file["id"]
    body = client.get(f"/api/files/{file_id}/data/?channels=acc_x").json()
    assert list(body["channels"]) == ["acc_x"]
    response = client.get(f"/api/files/{file_id}/data/?channels=nope")
    assert response.status_code == 400 and "nope" in response.json()["error"]
    response = client.get(f"/api/files/{file_id}/data/?max_points=abc")
    assert response.status_code == 400
    response = client.get(f"/api/files/{file_id}/data/?start=later")
    assert response.status_code == 400


def test_binary_window_holds_what_the_json_window_holds(client, project):
    answer = upload(client, project["id"], ("spiky.csv", spike_csv()), expect=201).json()
    file_id = answer["results"][0]["file"]["id"]
    query = f"/api/files/{file_id}/data/?start=61000&end=62000&max_points=300"
    as_json = client.get(query).json()
    for response in (
        client.get(query + "&format=binary"),
        client.get(query, HTTP_ACCEPT="application/octet-stream"),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        header, arrays = window_binary_read(response.content)
        assert header["channels"] == ["a", "b"] and header["points"] == as_json["points"]
        assert header["aggregated"] is False and header["downsampled"] is True
        assert arrays["x"].tolist() == as_json["time"]
        assert arrays["a"].tolist() == np.float32(as_json["channels"]["a"]).tolist()
        assert max(arrays["a"]) == 100.0
    assert "Server-Timing" in response


def test_px_asks_for_two_points_per_pixel(client, project):
    answer = upload(client, project["id"], ("spiky.csv", spike_csv()), expect=201).json()
    file_id = answer["results"][0]["file"]["id"]
    body = client.get(f"/api/files/{file_id}/data/?px=120&max_points=4000").json()
    assert body["max_points"] == 240 and body["points"] <= 240
    assert max(body["channels"]["a"]) == 100.0
    huge = client.get(f"/api/files/{file_id}/data/?px=50000&format=binary")
    header, _ = window_binary_read(huge.content)
    assert header["max_points"] == MAX_PX_POINTS
    assert client.get(f"/api/files/{file_id}/data/?px=0").status_code == 400


def test_unknown_format_and_errors_of_binary_requests_are_json(client, uploaded_file):
    file_id = uploaded_file["id"]
    response = client.get(f"/api/files/{file_id}/data/?format=xml")
    assert response.status_code == 400 and "binary" in response.json()["error"]
    response = client.get(f"/api/files/{file_id}/data/?start=later&format=binary")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "later" in response.json()["error"]


def test_a_view_brings_the_axis_ticks_for_it(client, uploaded_file):
    url = f"/api/files/{uploaded_file['id']}/data/?start=0&end=19.9&view_start=2&view_end=12"
    header, _ = window_binary_read(client.get(url + "&format=binary").content)
    ticks = dict(zip(header["axis"]["tickvals"], header["axis"]["ticktext"], strict=True))
    assert ticks[10] == "10 s" and ticks[4] == "4 s"  # durations, round steps for a 10 s view
    assert client.get(url).json()["axis"] == header["axis"]
    assert "axis" not in client.get(f"/api/files/{uploaded_file['id']}/data/").json()


@pytest.mark.parametrize(
    "query",
    ["view_start=2", "view_end=2", "view_start=soon&view_end=12", "view_start=1&view_end=inf"],
)
def test_a_view_that_is_not_of_the_file_is_refused(client, uploaded_file, query):
    response = client.get(f"/api/files/{uploaded_file['id']}/data/?{query}&format=binary")
    assert response.status_code == 400 and response["Content-Type"] == "application/json"


def test_a_view_too_long_for_round_steps_leaves_the_ticks_to_plotly(client, uploaded_file):
    url = f"/api/files/{uploaded_file['id']}/data/?view_start=0&view_end=1e300"
    assert client.get(url).json()["axis"] == {}


SPIKE_ROW = 2_345_678


@pytest.fixture
def long_file(project, user):
    """A 3M-row file whose cache predates pyramids (none written), one row of 'a' at 100."""
    rows = 3_000_000
    values = np.sin(np.arange(rows) / 1000).astype(np.float32)
    values[SPIKE_ROW] = 100.0
    series_file = SeriesFile(project_id=project["id"], name="long.csv", uploaded_by=user)
    storage.file_dir(series_file.storage_key).mkdir(parents=True)
    result = series_cache_write(
        storage.cache_dir(series_file.storage_key),
        time=np.arange(rows) / 100.0,
        channels={"a": values, "b": -values},
    )
    series_file.rows, series_file.channels = result.rows, result.channels
    series_file.time_kind, series_file.time_column = result.time_kind, "time"
    series_file.time_start, series_file.time_end = result.time_start, result.time_end
    series_file.save()
    return series_file


def test_long_file_windows_come_from_the_pyramid_built_on_first_request(client, long_file):
    pyramid = storage.cache_dir(long_file.storage_key) / "pyramid"
    assert not pyramid.exists()
    base = f"/api/files/{long_file.id}/data/?format=binary&px=800"
    header, arrays = window_binary_read(client.get(base).content)
    assert pyramid.is_dir()
    assert header["aggregated"] is True and header["rows"] == 3_000_000
    assert header["points"] <= 1600 and arrays["a"].max() == 100.0
    spike_time = SPIKE_ROW / 100
    for span in (20_000.0, 5_000.0, 500.0, 5.0):
        start, end = spike_time - span * 0.3, spike_time + span * 0.7
        query = f"{base}&start={start}&end={end}"
        header, arrays = window_binary_read(client.get(query).content)
        assert arrays["a"].max() == 100.0 and arrays["b"].min() == -100.0, span
        assert arrays["x"][0] >= start and arrays["x"][-1] <= end
        body = client.get(query.replace("format=binary", "format=json")).json()
        assert max(body["channels"]["a"]) == 100.0 and body["aggregated"] == header["aggregated"]


def test_build_pyramids_command_writes_missing_pyramids(long_file, uploaded_file):
    out = StringIO()
    call_command("build_pyramids", stdout=out)
    assert "built: 1, already there: 1, failed: 0" in out.getvalue()
    assert (storage.cache_dir(long_file.storage_key) / "pyramid" / "meta.json").is_file()


def test_build_pyramids_command_adds_bucket_times_to_older_pyramids(long_file, uploaded_file):
    """A pyramid from before bucket times works (the slower cold path); the command rewrites
    it, and leaves complete ones alone."""
    call_command("build_pyramids", stdout=StringIO())
    meta_path = storage.cache_dir(long_file.storage_key) / "pyramid" / "meta.json"
    meta = json.loads(meta_path.read_text())
    for level in meta["levels"]:
        (meta_path.parent / level.pop("times")).unlink()
    del meta["bucket_times"]
    meta_path.write_text(json.dumps(meta))
    out = StringIO()
    call_command("build_pyramids", stdout=out)
    assert "built: 1, already there: 1, failed: 0" in out.getvalue()
    rebuilt = json.loads(meta_path.read_text())
    assert rebuilt["bucket_times"] and all(level["times"] for level in rebuilt["levels"])
