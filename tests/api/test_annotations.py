"""Working-state annotations over the API, on whichever storage setup the run uses."""

import pytest

from tests.api.conftest import api_client_for, storage_snapshot, upload


def create(client, file_id, **body):
    return client.post(f"/api/files/{file_id}/annotations/", body, format="json")


def test_create_answers_the_documented_shape(client, uploaded_file):
    response = create(
        client, uploaded_file["id"], label="Walk", start=1.0, end=2.5, description="first steps"
    )
    assert response.status_code == 201
    body = response.json()
    for key in (
        "id",
        "label",
        "start",
        "end",
        "instant",
        "description",
        "source",
        "score",
        "version",
    ):
        assert key in body
    assert body["instant"] is False and body["source"] == "manual" and body["version"] == 1
    listed = client.get(f"/api/files/{uploaded_file['id']}/annotations/").json()
    assert [a["id"] for a in listed["annotations"]] == [body["id"]]
    assert listed["version"] == body["file_version"]


def test_equal_start_and_end_is_an_instant(client, uploaded_file):
    body = create(client, uploaded_file["id"], label="Fall", start=3.0, end=3.0).json()
    assert body["instant"] is True


def test_edit_and_delete_with_versions(client, uploaded_file):
    file_id = uploaded_file["id"]
    created = create(client, file_id, label="Walk", start=1, end=2).json()
    path = f"/api/files/{file_id}/annotations/{created['id']}/"
    edited = client.patch(path, {"end": 4, "label": "Run", "version": 1}, format="json")
    assert edited.status_code == 200
    assert edited.json()["end"] == 4 and edited.json()["label"] == "Run"
    assert edited.json()["version"] == 2
    assert client.delete(f"{path}?version=2").status_code == 200
    assert client.get(f"/api/files/{file_id}/annotations/").json()["annotations"] == []


def test_stale_edit_gets_409_with_the_current_state(client, other_user, project, uploaded_file):
    file_id = uploaded_file["id"]
    client.post(f"/api/projects/{project['id']}/members/", {"username": "bob"}, format="json")
    created = create(client, file_id, label="Walk", start=1, end=2).json()
    path = f"/api/files/{file_id}/annotations/{created['id']}/"
    # Bob edits first...
    bob = api_client_for(other_user)
    assert bob.patch(path, {"description": "bob", "version": 1}, format="json").status_code == 200
    # ...Alice's edit was made against version 1: refused, Bob's edit kept.
    response = client.patch(path, {"description": "alice", "version": 1}, format="json")
    assert response.status_code == 409
    current = response.json()["detail"]["current"]["annotations"]
    assert current[0]["description"] == "bob" and current[0]["version"] == 2
    stale_delete = client.delete(f"{path}?version=1")
    assert stale_delete.status_code == 409
    assert len(client.get(f"/api/files/{file_id}/annotations/").json()["annotations"]) == 1


def test_if_match_header_carries_the_version(client, uploaded_file):
    file_id = uploaded_file["id"]
    created = create(client, file_id, label="Walk", start=1, end=2).json()
    path = f"/api/files/{file_id}/annotations/{created['id']}/"
    assert client.patch(path, {"end": 3}, format="json", HTTP_IF_MATCH='"1"').status_code == 200
    assert client.patch(path, {"end": 5}, format="json", HTTP_IF_MATCH='"1"').status_code == 409


def test_client_chosen_id_makes_a_retried_create_safe(client, uploaded_file):
    file_id = uploaded_file["id"]
    first = create(client, file_id, id="client-id-0001", label="Walk", start=1, end=2)
    assert first.status_code == 201 and first.json()["id"] == "client-id-0001"
    retry = create(client, file_id, id="client-id-0001", label="Walk", start=1, end=2)
    assert retry.status_code == 409
    assert len(client.get(f"/api/files/{file_id}/annotations/").json()["annotations"]) == 1


@pytest.mark.parametrize(
    "body, status, message",
    [
        ({"label": "Swim", "start": 1, "end": 2}, 400, "Unknown label"),
        ({"label": "Walk", "start": 3, "end": 2}, 400, "start is after end"),
        ({"label": "Walk", "start": -5, "end": 2}, 400, "outside the file's time range"),
        ({"label": "Walk", "start": 1, "end": 999}, 400, "outside the file's time range"),
        ({"label": "Walk", "start": 2, "end": 2}, 400, "range label"),
        ({"label": "Fall", "start": 1, "end": 2}, 400, "instant label"),
        ({"label": "Walk", "start": "soon", "end": 2}, 400, "start"),
        ({"label": "Walk", "end": 2}, 400, "start"),
        ({"start": 1, "end": 2}, 400, "label"),
    ],
)
def test_bad_annotations_are_refused_and_change_nothing(
    client, uploaded_file, body, status, message
):
    file_id = uploaded_file["id"]
    kept = create(client, file_id, label="Walk", start=1, end=2).json()
    before = client.get(f"/api/files/{file_id}/annotations/").json()
    snapshot = storage_snapshot()
    response = create(client, file_id, **body)
    assert response.status_code == status
    assert message in response.json()["error"]
    assert client.get(f"/api/files/{file_id}/annotations/").json() == before
    assert storage_snapshot() == snapshot
    assert before["annotations"][0]["id"] == kept["id"]


def test_unknown_annotation_is_404(client, uploaded_file):
    path = f"/api/files/{uploaded_file['id']}/annotations/does-not-exist/"
    assert client.patch(path, {"end": 3}, format="json").status_code == 404
    assert client.delete(path).status_code == 404


def test_a_second_session_sees_every_edit_at_once(client, user, uploaded_file):
    file_id = uploaded_file["id"]
    create(client, file_id, label="Walk", start=1, end=2)
    other_tab = api_client_for(user)
    listed = other_tab.get(f"/api/files/{file_id}/annotations/").json()
    assert len(listed["annotations"]) == 1


def test_datetime_files_take_and_give_iso_times(client, project):
    rows = ["timestamp,value"] + [
        f"2024-03-01T10:00:{second:02d}Z,{second % 5}" for second in range(60)
    ]
    answer = upload(
        client, project["id"], ("clock.csv", ("\n".join(rows) + "\n").encode()), expect=201
    ).json()
    series_file = answer["results"][0]["file"]
    assert series_file["time_kind"] == "datetime"
    response = create(
        client,
        series_file["id"],
        label="Walk",
        start="2024-03-01T10:00:05Z",
        end="2024-03-01T10:00:20+00:00",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert isinstance(body["start"], str) and body["start"].startswith("2024-03-01T10:00:05")
    outside = create(
        client,
        series_file["id"],
        label="Walk",
        start="2024-03-02T00:00:00Z",
        end="2024-03-02T00:00:10Z",
    )
    assert outside.status_code == 400
