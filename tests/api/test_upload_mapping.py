"""Upload fields that replace detection: time_column, time_format, timezone, channels."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.api.conftest import storage_snapshot

ZEIT_CSV = (
    "Zeit;Strom;Spannung;Notiz\n"
    + "".join(f"{n // 2},{5 * (n % 2)};{n % 7},5;{230 + n % 3};ok\n" for n in range(40))
).encode()
ZONED_CSV = (
    "stamp,value\n" + "".join(f"2024-03-01T10:00:{n:02d}+02:00,{n}\n" for n in range(30))
).encode()
NAIVE_CSV = (
    "when,value\n" + "".join(f"2024-07-01 10:00:{n:02d},{n}\n" for n in range(30))
).encode()


def upload_with(client, project_id, name, content, **fields):
    payload = {"files": [SimpleUploadedFile(name, content, "text/csv")], **fields}
    return client.post(f"/api/projects/{project_id}/files/", payload, format="multipart")


@pytest.fixture
def fixed_project(client):
    """A project fixed to a 'time' column and two channels, like the demo."""
    body = {"name": "Fixed", "labels": ["Walk"], "time_column": "time", "channels": ["a", "b"]}
    response = client.post("/api/projects/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_zeit_column_is_detected_as_time_at_its_rate(client, project):
    response = upload_with(client, project["id"], "strom.csv", ZEIT_CSV)
    assert response.status_code == 201, response.content
    file = response.json()["results"][0]["file"]
    assert file["time_column"] == "Zeit" and file["time_kind"] == "numeric"
    assert file["sampling_rate"] == 2.0
    assert file["channels"] == ["Strom", "Spannung"]


def test_a_file_that_does_not_match_the_project_is_refused_with_its_columns(client, fixed_project):
    before = storage_snapshot()
    response = upload_with(client, fixed_project["id"], "strom.csv", ZEIT_CSV)
    assert response.status_code == 400
    result = response.json()["results"][0]
    assert result["code"] == "missing_time_column"
    preview = result["detail"]["preview"]
    assert [c["name"] for c in preview["columns"]] == ["Zeit", "Strom", "Spannung", "Notiz"]
    assert [c["kind"] for c in preview["columns"]] == ["numeric", "numeric", "numeric", "text"]
    assert preview["columns"][0]["examples"] == ["0,0", "0,5", "1,0"]
    assert preview["delimiter"] == ";" and preview["time_column"] == "Zeit"
    formats = {f["key"]: f["label"] for f in preview["time_formats"]}
    assert (
        formats["epoch_ms"] == "Unix epoch milliseconds"
        and "day/month/year" in formats["dmy_slash"]
    )
    assert storage_snapshot() == before


def test_the_fields_override_the_project_for_that_request(client, fixed_project):
    response = upload_with(
        client, fixed_project["id"], "strom.csv", ZEIT_CSV, time_column="Zeit", channels="Strom"
    )
    assert response.status_code == 201, response.content
    file = response.json()["results"][0]["file"]
    assert file["time_column"] == "Zeit" and file["channels"] == ["Strom"]
    assert file["sampling_rate"] == 2.0


def test_time_column_none_uses_the_row_number(client, project):
    response = upload_with(client, project["id"], "strom.csv", ZEIT_CSV, time_column="none")
    assert response.status_code == 201, response.content
    file = response.json()["results"][0]["file"]
    assert file["time_kind"] == "index" and file["time_column"] is None
    assert file["channels"] == ["Zeit", "Strom", "Spannung"]


def test_a_channel_subset_is_kept_in_the_order_given(client, project):
    response = upload_with(client, project["id"], "s.csv", ZEIT_CSV, channels="Spannung, Strom")
    assert response.status_code == 201, response.content
    assert response.json()["results"][0]["file"]["channels"] == ["Spannung", "Strom"]


def test_an_unknown_time_column_is_refused_naming_the_columns(client, project):
    response = upload_with(client, project["id"], "strom.csv", ZEIT_CSV, time_column="Uhrzeit")
    assert response.status_code == 400
    result = response.json()["results"][0]
    assert "'Uhrzeit' is not in the file" in result["error"]
    assert result["detail"]["columns"] == ["Zeit", "Strom", "Spannung", "Notiz"]


def test_an_unknown_channel_is_refused_naming_the_columns(client, project):
    response = upload_with(client, project["id"], "strom.csv", ZEIT_CSV, channels="Strom,Leistung")
    assert response.status_code == 400
    result = response.json()["results"][0]
    assert result["code"] == "missing_channels" and result["detail"]["missing"] == ["Leistung"]
    assert [c["name"] for c in result["detail"]["preview"]["columns"]][:2] == ["Zeit", "Strom"]


def test_time_format_reads_epoch_numbers_as_date_times(client, project):
    content = ("t_ms,v\n" + "".join(f"{1700000000000 + n * 500},{n}\n" for n in range(20))).encode()
    plain = upload_with(client, project["id"], "a.csv", content, time_column="t_ms").json()
    assert plain["results"][0]["file"]["time_kind"] == "numeric"
    response = upload_with(
        client, project["id"], "b.csv", content, time_column="t_ms", time_format="epoch_ms"
    )
    file = response.json()["results"][0]["file"]
    assert file["time_kind"] == "datetime" and file["time_start"] == "2023-11-14T22:13:20.000Z"
    assert file["sampling_rate"] == 2.0


def test_time_format_settles_day_and_month(client, project):
    content = ("date,v\n" + "".join(f"0{d}/03/2024 10:00,{d}\n" for d in range(1, 9))).encode()
    refused = upload_with(client, project["id"], "a.csv", content)
    assert refused.json()["results"][0]["code"] == "ambiguous_dates"
    response = upload_with(client, project["id"], "b.csv", content, time_format="dmy_slash")
    assert response.status_code == 201, response.content
    assert response.json()["results"][0]["file"]["time_start"] == "2024-03-01T10:00:00"


def test_a_file_with_offsets_shows_its_own_offset(client, project):
    response = upload_with(client, project["id"], "zoned.csv", ZONED_CSV)
    file = response.json()["results"][0]["file"]
    assert file["time_start"] == "2024-03-01T08:00:00Z"
    assert file["display_timezone"] == "+02:00"


def test_a_time_zone_makes_clock_times_absolute(client, project):
    response = upload_with(client, project["id"], "n.csv", NAIVE_CSV, timezone="Europe/Berlin")
    assert response.status_code == 201, response.content
    file = response.json()["results"][0]["file"]
    assert file["time_start"] == "2024-07-01T08:00:00Z"
    assert file["display_timezone"] == "Europe/Berlin"


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"time_format": "yyyy"}, "time_format"),
        ({"timezone": "Mars/Olympus"}, "not a time zone"),
        ({"channels": " , "}, "at least one channel"),
    ],
)
def test_bad_fields_are_refused_before_any_file_is_read(client, project, fields, problem):
    before = storage_snapshot()
    response = upload_with(client, project["id"], "strom.csv", ZEIT_CSV, **fields)
    assert response.status_code == 400
    assert problem in response.json()["error"]
    assert storage_snapshot() == before


def test_a_guessed_time_column_comes_with_the_files_columns(client, project):
    no_time = ("a,b\n" + "".join(f"{n % 4},{n % 3}\n" for n in range(10))).encode()
    rising = ("sample,x\n" + "".join(f"{n},{n % 3}\n" for n in range(10))).encode()
    for name, content in (("no_time.csv", no_time), ("rising.csv", rising)):
        result = upload_with(client, project["id"], name, content).json()["results"][0]
        assert result["status"] == "created"
        assert [c["name"] for c in result["detail"]["preview"]["columns"]] == list(
            content.decode().split("\n")[0].split(",")
        )
    named = upload_with(client, project["id"], "strom.csv", ZEIT_CSV).json()["results"][0]
    assert "detail" not in named  # a time column found by its name is no guess
    chosen = upload_with(client, project["id"], "c.csv", no_time, time_column="none").json()
    assert "detail" not in chosen["results"][0]  # nor is the uploader's choice
