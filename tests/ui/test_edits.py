"""Label edits of the screen (labeler/dash_ui/edits.py) through the real working-state services:
versions checked, conflicts answered with the current labels, undo/redo exact."""

import pytest

from labeler.dash_ui import edits
from labeler.services import annotations as annotation_services
from labeler.working_state import WorkingStateUnavailable, working_state_store


def run(user, series_file, history=None, **command):
    return edits.edit_apply(
        user=user, command={"file": series_file.id, "nonce": "n1", **command}, history=history
    )


def labels_of(series_file):
    state = annotation_services.working_state_get(series_file=series_file)
    return sorted(
        (a["label"], a["start"], a["end"], a.get("description", ""))
        for a in state.annotations.values()
    )


def create(user, series_file, history=None, x0=1.0, x1=3.0, label="Walk", **extra):
    return run(user, series_file, history, op="create", label=label, x0=x0, x1=x1, **extra)


def test_create_answers_the_snapshot_selects_and_records_history(user, series_file):
    result, history = create(user, series_file, x0=3.04, x1=1.0, cid="abcdef123456")
    assert result["ok"] and result["nonce"] == "n1"
    assert result["selected"] == "abcdef123456"
    assert labels_of(series_file) == [("Walk", 1.0, 3.04, "")]
    snapshot = result["snapshot"]
    assert snapshot["file"] == series_file.id and snapshot["version"] == 1
    assert snapshot["annotations"]["abcdef123456"]["end"] == 3.04
    assert len(history["undo"]) == 1 and history["redo"] == []


def test_create_sent_twice_makes_one_label(user, series_file):
    create(user, series_file, cid="same-id-1234")
    result, _ = create(user, series_file, cid="same-id-1234")
    assert result["ok"]
    assert len(labels_of(series_file)) == 1


def test_double_click_gives_an_instant_and_range_labels_refuse_it(user, series_file):
    result, _ = create(user, series_file, x0=5.0, x1=5.0, label="Fall")
    assert result["ok"] and result["snapshot"]["annotations"][result["selected"]]["instant"]
    result, _ = create(user, series_file, x0=5.0, x1=5.0, label="Walk")
    assert result["level"] == "error" and "range label" in result["message"]
    assert result["snapshot"] is not None  # the browser shows the current labels


def test_describe_with_a_stale_version_is_a_conflict_with_the_current_labels(user, series_file):
    result, _ = create(user, series_file)
    annotation_id = result["selected"]
    annotation_services.annotation_update(
        series_file=series_file,
        user=user,
        annotation_id=annotation_id,
        fields={"description": "from another tab"},
    )
    stale, _ = run(
        user, series_file, op="describe", id=annotation_id, version=1, description="mine"
    )
    assert stale["level"] == "error" and stale.get("conflict")
    assert "changed this label" in stale["message"]
    current = stale["snapshot"]["annotations"][annotation_id]
    assert current["description"] == "from another tab" and current["version"] == 2
    assert labels_of(series_file) == [("Walk", 1.0, 3.0, "from another tab")]


def test_delete_undo_redo_round_trip(user, series_file):
    first, history = create(user, series_file, x0=1.0, x1=2.0, description="keep me")
    second, history = create(user, series_file, history, x0=4.0, x1=6.0)
    before = labels_of(series_file)
    items = [
        {"id": first["selected"], "version": 1},
        {"id": second["selected"], "version": 1},
    ]
    deleted, history = run(user, series_file, history, op="delete", items=items)
    assert deleted["ok"] and labels_of(series_file) == []
    undone, history = run(user, series_file, history, op="undo")
    assert undone["ok"] and labels_of(series_file) == before
    redone, history = run(user, series_file, history, op="redo")
    assert redone["ok"] and labels_of(series_file) == []
    undone, history = run(user, series_file, history, op="undo")
    assert labels_of(series_file) == before
    # the two creates are still undoable, one by one
    _, history = run(user, series_file, history, op="undo")
    _, history = run(user, series_file, history, op="undo")
    assert labels_of(series_file) == []
    nothing, _ = run(user, series_file, history, op="undo")
    assert nothing["level"] == "warning" and "Nothing to undo" in nothing["message"]


def test_undo_never_overwrites_a_later_edit_of_someone_else(user, other_user, series_file):
    created, history = create(user, series_file)
    annotation_services.annotation_update(
        series_file=series_file,
        user=user,
        annotation_id=created["selected"],
        fields={"label": "Run"},
    )
    result, history = run(user, series_file, history, op="undo")
    assert result["level"] == "error" and "Cannot undo" in result["message"]
    assert labels_of(series_file) == [("Run", 1.0, 3.0, "")]
    assert history["undo"] == []  # that entry cannot apply any more


def test_table_edit_changes_bounds_and_label_with_versions(user, series_file):
    created, history = create(user, series_file)
    annotation_id = created["selected"]
    row = {"label": "Run", "start": "1.5", "end": 3.0, "description": "d"}
    result, history = run(
        user,
        series_file,
        history,
        op="update",
        items=[{"id": annotation_id, "version": 1, "row": row}],
    )
    assert result["ok"]
    assert labels_of(series_file) == [("Run", 1.5, 3.0, "d")]
    undone, _ = run(user, series_file, history, op="undo")
    assert undone["ok"] and labels_of(series_file) == [("Walk", 1.0, 3.0, "")]


def test_table_edit_out_of_the_file_is_refused_with_a_reason(user, series_file):
    created, _ = create(user, series_file)
    row = {"label": "Walk", "start": 1.0, "end": 99.0, "description": ""}
    result, _ = run(
        user,
        series_file,
        op="update",
        items=[{"id": created["selected"], "version": 1, "row": row}],
    )
    assert result["level"] == "error" and "outside the file's time range" in result["message"]
    assert labels_of(series_file) == [("Walk", 1.0, 3.0, "")]


def test_keep_makes_model_labels_manual(user, series_file):
    from labeler.working_state import Change

    store = working_state_store()
    store.apply(
        series_file.id,
        [
            Change(
                "create",
                "model-label-1",
                {
                    "label": "Walk",
                    "start": 2.0,
                    "end": 4.0,
                    "instant": False,
                    "description": "",
                    "source": "walk-net",
                    "score": 0.9,
                },
            )
        ],
    )
    result, history = run(
        user, series_file, op="keep", items=[{"id": "model-label-1", "version": 1}]
    )
    assert result["ok"] and "Kept 1 model label" in result["message"]
    kept = store.get(series_file.id).annotations["model-label-1"]
    assert kept["source"] == "manual" and kept["author"] == "alice"
    run(user, series_file, history, op="undo")
    assert store.get(series_file.id).annotations["model-label-1"]["source"] == "walk-net"


def test_a_file_of_another_project_is_not_found(user, other_file):
    result, history = edits.edit_apply(
        user=user,
        command={"file": other_file.id, "op": "create", "label": "Walk", "x0": 1, "x1": 2},
        history=None,
    )
    assert result["level"] == "error" and "does not exist" in result["message"]
    assert result["snapshot"] is None and history is None
    assert working_state_store().version(other_file.id) == 0


def test_unreachable_store_says_nothing_was_saved(user, series_file, monkeypatch):
    def down(*args, **kwargs):
        raise WorkingStateUnavailable("connection refused")

    monkeypatch.setattr(type(working_state_store()), "apply", down)  # either backend
    result, _ = create(user, series_file)
    assert result["level"] == "error" and result.get("unavailable")
    assert "NOT saved" in result["message"]


@pytest.mark.parametrize("op", ["nonsense", None])
def test_unknown_command(user, series_file, op):
    result, _ = run(user, series_file, op=op)
    assert result["level"] == "error"
