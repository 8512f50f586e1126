"""POST /api/files/{id}/changes/: the one write path of the labeling screen. Every change is
checked like a single-label edit; a batch is applied as one store operation or not at all."""

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.testing import WebsocketCommunicator

from labeler.consumers import FileChangesConsumer
from labeler.realtime import broadcasts_flush
from tests.api.conftest import api_client_for


def changes_url(file_id):
    return f"/api/files/{file_id}/changes/"


def send(client, file_id, changes, **extra):
    return client.post(changes_url(file_id), {"changes": changes, **extra}, format="json")


def listed(client, file_id):
    return client.get(f"/api/files/{file_id}/annotations/").json()


def create(label, start, end, **extra):
    return {"op": "create", "annotation": {"label": label, "start": start, "end": end}, **extra}


def test_a_batch_creates_updates_and_deletes_in_one_file_version(client, uploaded_file):
    file_id = uploaded_file["id"]
    first = send(client, file_id, [create("Walk", 1, 2, id="walk0001"), create("Fall", 3, 3)])
    assert first.status_code == 200, first.content
    body = first.json()
    assert body["file"] == file_id and body["file_version"] == 1
    fall_id = next(key for key in body["changed"] if key != "walk0001")
    assert body["changed"]["walk0001"]["version"] == 1
    assert body["changed"][fall_id]["instant"] is True

    second = send(
        client,
        file_id,
        [
            {"op": "update", "id": "walk0001", "version": 1, "annotation": {"end": 4}},
            {"op": "delete", "id": fall_id, "version": 1},
        ],
        file_version=1,
    )
    assert second.status_code == 200, second.content
    assert second.json()["file_version"] == 2
    assert second.json()["changed"] == {
        "walk0001": second.json()["changed"]["walk0001"],
        fall_id: None,
    }
    state = listed(client, file_id)
    assert state["version"] == 2
    assert [(a["id"], a["end"], a["version"]) for a in state["annotations"]] == [
        ("walk0001", 4.0, 2)
    ]


@pytest.mark.parametrize(
    "bad_change, reason",
    [
        (create("Jump", 1, 2), "Unknown label"),
        (create("Walk", 5, 2), "start is after end"),
        (create("Walk", 1, 999), "outside the file's time range"),
        (create("Walk", 3, 3), "range label"),
        (create("Walk", "soon", 2), "start"),
        ({"op": "update", "id": "walk0001", "annotation": {"start": 9, "end": 1}}, "after end"),
        ({"op": "update", "id": "walk0001", "annotation": {"label": "Nope"}}, "Unknown label"),
        (
            {"op": "create", "annotation": {"label": "Walk", "start": 1, "end": 2, "x": 1}},
            None,
        ),
        (
            {"op": "create", "annotation": {"label": "W" * 201, "start": 1, "end": 2}},
            "label",
        ),
        (
            {
                "op": "create",
                "annotation": {"label": "Walk", "start": 1, "end": 2, "description": "d" * 2001},
            },
            "description",
        ),
    ],
)
def test_one_bad_change_applies_nothing_and_is_named(client, uploaded_file, bad_change, reason):
    file_id = uploaded_file["id"]
    assert send(client, file_id, [create("Walk", 1, 2, id="walk0001")]).status_code == 200
    before = listed(client, file_id)
    answer = send(client, file_id, [create("Run", 6, 7), bad_change])
    assert answer.status_code == 400, answer.content
    error = answer.json()["error"]
    if reason is not None:
        assert reason in error, error
    assert "2" in error  # the second change is named
    assert listed(client, file_id) == before


def test_a_forged_undo_is_refused_like_any_other_change(client, uploaded_file):
    """Undo and redo are ordinary batches: a label outside the project or start > end, or a
    spoofed source, score or author, never reaches the store."""
    file_id = uploaded_file["id"]
    forged = [
        {"op": "create", "id": "forged001", "annotation": {"label": "Ghost", "start": 1, "end": 2}},
    ]
    assert send(client, file_id, forged).status_code == 400
    backwards = [{"op": "create", "annotation": {"label": "Walk", "start": 2, "end": 1}}]
    assert send(client, file_id, backwards).status_code == 400
    spoofed = {
        "op": "create",
        "id": "spoof0001",
        "annotation": {"label": "Walk", "start": 1, "end": 2},
        "source": "great-model",
        "score": 0.99,
        "author": "mallory",
    }
    answer = send(client, file_id, [spoofed])
    assert answer.status_code == 400
    assert "source" in answer.json()["error"]
    in_the_annotation = {**spoofed["annotation"], "source": "great-model", "version": 7}
    answer = send(client, file_id, [{"op": "create", "annotation": in_the_annotation}])
    assert answer.status_code == 400
    assert listed(client, file_id)["annotations"] == []


def test_a_stale_version_answers_409_with_the_current_state_and_applies_nothing(
    client, other_user, project, uploaded_file
):
    file_id = uploaded_file["id"]
    client.post(f"/api/projects/{project['id']}/members/", {"username": "bob"}, format="json")
    send(client, file_id, [create("Walk", 1, 2, id="walk0001"), create("Run", 5, 6, id="run00001")])
    bob = api_client_for(other_user)
    bobs = [{"op": "update", "id": "run00001", "version": 1, "annotation": {"end": 7}}]
    assert send(bob, file_id, bobs).status_code == 200
    # Keep of one current and one stale label: all or nothing.
    mine = [
        {"op": "update", "id": "walk0001", "version": 1, "annotation": {"description": "ok"}},
        {"op": "update", "id": "run00001", "version": 1, "annotation": {"description": "old"}},
    ]
    answer = send(client, file_id, mine)
    assert answer.status_code == 409
    current = answer.json()["detail"]["current"]
    assert current["version"] == 2
    assert {a["id"]: a["description"] for a in current["annotations"]} == {
        "walk0001": "",
        "run00001": "",
    }
    stale_file = send(client, file_id, [create("Walk", 8, 9)], file_version=1)
    assert stale_file.status_code == 409
    assert listed(client, file_id)["version"] == 2


def test_malformed_batches_are_refused_with_a_reason(client, uploaded_file):
    file_id = uploaded_file["id"]
    for body in (
        {},
        {"changes": []},
        {"changes": "create"},
        {"changes": [{"op": "rename", "id": "abcdefgh"}]},
        {"changes": [{"op": "update", "annotation": {"end": 2}}]},
        {"changes": [{"op": "create", "annotation": {"label": "Walk"}}]},
        {"changes": [{"op": "delete", "id": "../../etc"}]},
        {"changes": [create("Walk", 1, 2, version="abc")]},
        {"changes": [create("Walk", 1, 2)], "file_version": "x"},
        {"changes": [create("Walk", 1, 2)] * 1001},
    ):
        answer = client.post(changes_url(file_id), body, format="json")
        assert answer.status_code == 400, (body, answer.content)
        assert answer.json()["error"]
    missing = send(client, file_id, [{"op": "delete", "id": "nothere1"}])
    assert missing.status_code == 404
    assert listed(client, file_id)["version"] == 0


def test_another_projects_file_is_not_found(other_client, uploaded_file):
    assert send(other_client, uploaded_file["id"], [create("Walk", 1, 2)]).status_code == 404


def test_snap_moves_bounds_to_the_recordings_own_rows(client, uploaded_file):
    """The plot shows downsampled points; a gesture's bounds land on real rows (10 Hz here)."""
    file_id = uploaded_file["id"]
    answer = send(client, file_id, [create("Walk", 1.2345, 2.96, snap=True, id="snapped1")])
    assert answer.status_code == 200, answer.content
    walk = answer.json()["changed"]["snapped1"]
    assert (walk["start"], walk["end"]) == (1.2, 3.0)
    unsnapped = send(client, file_id, [create("Run", 1.2345, 2.96, id="exact001")])
    assert unsnapped.json()["changed"]["exact001"]["start"] == 1.2345


def test_model_labels_kept_by_an_update_become_the_persons(client, user, uploaded_file):
    from labeler import selectors
    from labeler.services.annotations import AnnotationChange, annotation_changes_apply

    series_file = selectors.file_get_for_user(file_id=uploaded_file["id"], user=user)
    model_change = AnnotationChange(
        "create", "model001", {"label": "Walk", "start": 1, "end": 2}, source="m1", score=0.4
    )
    annotation_changes_apply(series_file=series_file, user=None, changes=[model_change])
    kept = send(client, uploaded_file["id"], [{"op": "update", "id": "model001", "version": 1}])
    assert kept.status_code == 200, kept.content
    annotation = kept.json()["changed"]["model001"]
    assert (annotation["source"], annotation["author"]) == ("manual", "alice")


@pytest.mark.django_db(transaction=True)
def test_a_batch_of_200_is_one_store_operation_and_one_broadcast(client, user, uploaded_file):
    file_id = uploaded_file["id"]
    batch = [create("Run", i * 0.05, i * 0.05 + 0.05) for i in range(200)]

    async def scenario():
        view = WebsocketCommunicator(FileChangesConsumer.as_asgi(), f"/ws/files/{file_id}/")
        view.scope["user"] = user
        view.scope["url_route"] = {"kwargs": {"file_id": file_id}}
        connected, _ = await view.connect()
        assert connected
        answer = await sync_to_async(send)(client, file_id, batch)
        await sync_to_async(broadcasts_flush)()
        message = await view.receive_json_from(timeout=5)
        nothing_more = await view.receive_nothing(timeout=0.3)
        await view.disconnect()
        return answer, message, nothing_more

    answer, message, nothing_more = async_to_sync(scenario)()
    assert answer.status_code == 200, answer.content
    assert answer.json()["file_version"] == 1  # one store operation: one new file version
    assert message["version"] == 1 and len(message["changed"]) == 200
    assert nothing_more
    assert len(listed(client, file_id)["annotations"]) == 200


@pytest.fixture
def no_overlap_file(client, project, uploaded_file):
    answer = client.patch(f"/api/projects/{project['id']}/", {"no_overlap": True}, format="json")
    assert answer.status_code == 200 and answer.json()["no_overlap"] is True
    return uploaded_file


def spans(client, file_id):
    return sorted(
        (a["label"], a["start"], a["end"]) for a in listed(client, file_id)["annotations"]
    )


def test_no_overlap_a_new_range_trims_deletes_and_splits_what_it_covers(client, no_overlap_file):
    file_id = no_overlap_file["id"]  # 10 Hz, 0.0 .. 19.9
    setup = [
        create("Walk", 1, 4, id="left0001"),
        create("Walk", 5, 6, id="inside01"),
        create("Walk", 8, 12, id="right001"),
        create("Run", 14, 19, id="around01"),
        create("Fall", 5.5, 5.5, id="instant1"),
    ]
    assert send(client, file_id, setup).status_code == 200
    # the setup's own ranges did not overlap: nothing was trimmed
    assert len(listed(client, file_id)["annotations"]) == 5
    answer = send(client, file_id, [create("Run", 3, 9, id="newrun01")])
    assert answer.status_code == 200, answer.content
    assert answer.json()["changed"]["inside01"] is None
    assert spans(client, file_id) == [
        ("Fall", 5.5, 5.5),  # instants are never trimmed
        ("Run", 3.0, 9.0),
        ("Run", 14.0, 19.0),
        ("Walk", 1.0, 2.9),  # cut back to the row before the new range
        ("Walk", 9.1, 12.0),  # and to the row after it
    ]
    split = send(client, file_id, [create("Walk", 16, 17, id="middle01")])
    assert split.status_code == 200, split.content
    assert [s for s in spans(client, file_id) if s[0] == "Run" and s[1] >= 14] == [
        ("Run", 14.0, 15.9),
        ("Run", 17.1, 19.0),
    ]
    assert listed(client, file_id)["version"] == 3  # each batch with its trims: one operation


def test_no_overlap_moving_a_range_trims_and_is_off_by_default(client, project, uploaded_file):
    file_id = uploaded_file["id"]
    send(client, file_id, [create("Walk", 1, 4, id="walk0001"), create("Run", 6, 9, id="run00001")])
    move = [{"op": "update", "id": "run00001", "version": 1, "annotation": {"start": 3}}]
    assert send(client, file_id, move).status_code == 200
    assert spans(client, file_id) == [("Run", 3.0, 9.0), ("Walk", 1.0, 4.0)]  # overlap allowed
    client.patch(f"/api/projects/{project['id']}/", {"no_overlap": True}, format="json")
    move = [{"op": "update", "id": "run00001", "version": 2, "annotation": {"start": 2}}]
    assert send(client, file_id, move).status_code == 200
    assert spans(client, file_id) == [("Run", 2.0, 9.0), ("Walk", 1.0, 1.9)]
