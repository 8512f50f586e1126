"""Every awkward CSV of SPEC §8 through the upload API: the status, the message or warnings
a person sees, and nothing else changed (the same catalogue the ingest tests use)."""

import pytest

from labeler.services.files import ROW_INDEX
from tests.api.conftest import storage_snapshot, upload
from tests.csv_cases import CSV_CASES
from tests.factories import numeric_csv


@pytest.fixture
def project_with_other_file(client):
    """A project that already holds one file with a saved label."""

    def make(options):
        body = {"name": "P", "labels": ["Walk"]}
        project = client.post("/api/projects/", body, format="json").json()
        kept = upload(client, project["id"], ("kept.csv", numeric_csv()), expect=201).json()
        kept_id = kept["results"][0]["file"]["id"]
        client.post(
            f"/api/files/{kept_id}/annotations/",
            {"label": "Walk", "start": 1, "end": 2},
            format="json",
        )
        client.post(f"/api/files/{kept_id}/save/")
        if options:
            response = client.patch(f"/api/projects/{project['id']}/", options, format="json")
            assert response.status_code == 200
        return project, kept_id

    return make


@pytest.mark.parametrize("case", CSV_CASES, ids=[case.id for case in CSV_CASES])
def test_csv_case_through_the_api(client, project_with_other_file, case):
    options = {}
    if "time_column" in case.options:
        options["time_column"] = case.options["time_column"] or ROW_INDEX
    if case.options.get("channels"):
        options["channels"] = case.options["channels"]
    project, kept_id = project_with_other_file(options)
    kept_before = client.get(f"/api/files/{kept_id}/annotations/").json()
    before = storage_snapshot()

    response = upload(client, project["id"], (case.file_name, case.content))
    result = response.json()["results"][0]
    assert result["name"] == case.file_name

    if case.outcome == "rejected":
        assert response.status_code == 400
        assert result["status"] == "rejected"
        assert case.error in result["error"]
        assert storage_snapshot() == before
    else:
        assert response.status_code == 201, result
        assert result["status"] == "created"
        for expected in case.warnings:
            assert any(expected in warning for warning in result["warnings"]), result
        created = result["file"]
        for key in ("rows", "time_kind", "time_start", "time_end"):
            if getattr(case, key) is not None:
                assert created[key] == getattr(case, key), key
        if case.channels is not None:
            assert created["channels"] == list(case.channels)
        after = storage_snapshot()
        assert after["annotations"] == before["annotations"]
        assert [f for f in after["files"] if f[0] != created["id"]] == before["files"]
        data = client.get(f"/api/files/{created['id']}/data/")
        assert data.status_code == 200
    assert client.get(f"/api/files/{kept_id}/annotations/").json() == kept_before
