"""Label edits of the screen, applied through the working-state services.

ui.js sends one command at a time (the next only after this one's answer), so an answer is
never dropped by Dash and the undo history always matches the store. Every command carries the
versions the browser saw; a stale one is refused by the store (409 in the API) and answered
with the current labels and a message. Nothing here trusts the file id from the browser: the
file is looked up through the user's projects.
"""

from __future__ import annotations

import logging

from labeler import selectors
from labeler.dash_ui import state
from labeler.errors import UserError
from labeler.serializers import annotation_data
from labeler.services import annotations as annotation_services
from labeler.working_state import (
    AnnotationNotFound,
    Change,
    VersionConflict,
    WorkingStateUnavailable,
)

logger = logging.getLogger(__name__)

CONFLICT_MESSAGE = (
    "Someone else changed this label meanwhile: your change was not applied. "
    "The current labels are shown; make the change again if it still applies."
)
UNAVAILABLE_MESSAGE = (
    "The label store is unreachable: this change was NOT saved. Try again in a moment."
)


def file_snapshot(series_file) -> dict:
    """The client store's form of a file's working state."""
    file_state = annotation_services.working_state_get(series_file=series_file)
    return snapshot_from_state(series_file, file_state)


def snapshot_from_state(series_file, file_state) -> dict:
    return state.store_snapshot(
        file_id=series_file.id,
        version=file_state.version,
        saved_version=series_file.saved_version,
        annotations=[annotation_data(a) for a in file_state.annotations.values()],
    )


def edit_apply(*, user, command: dict, history: dict | None) -> tuple[dict, dict | None]:
    """One command from the browser -> (result for the browser, new undo history)."""
    result = {
        "nonce": command.get("nonce"),
        "file": command.get("file"),
        "op": command.get("op"),
        "ok": False,
        "snapshot": None,
        "message": "",
        "level": "info",
    }
    try:
        series_file = selectors.file_get_for_user(file_id=command.get("file"), user=user)
    except UserError as error:
        return {**result, "message": error.message, "level": "error"}, history
    handler = HANDLERS.get(command.get("op"))
    if handler is None:
        return {**result, "message": "Unknown edit.", "level": "error"}, history
    try:
        outcome, history = handler(
            series_file=series_file,
            user=user,
            command=command,
            history=state.history_for_file(history, series_file.id),
        )
        result.update(outcome)
        result["ok"] = result.get("level") != "error"
        result["snapshot"] = file_snapshot(series_file)
    except VersionConflict as conflict:
        result.update(
            message=CONFLICT_MESSAGE,
            level="error",
            conflict=True,
            snapshot=snapshot_from_state(series_file, conflict.state),
        )
    except AnnotationNotFound:
        result.update(
            message="That label was deleted meanwhile (by you in another tab, or someone else).",
            level="error",
            snapshot=_snapshot_or_none(series_file),
        )
    except WorkingStateUnavailable:
        logger.error("working state unavailable during a %s edit", command.get("op"))
        result.update(message=UNAVAILABLE_MESSAGE, level="error", unavailable=True)
    except UserError as error:
        result.update(message=error.message, level="error", snapshot=_snapshot_or_none(series_file))
    return result, history


def _snapshot_or_none(series_file):
    try:
        return file_snapshot(series_file)
    except WorkingStateUnavailable:
        return None


def _create(*, series_file, user, command, history):
    file_meta = {
        "time_kind": series_file.time_kind,
        "time_start": series_file.time_start,
        "time_end": series_file.time_end,
        "sampling_rate": series_file.sampling_rate,
    }
    start, end = state.bounds_from_gesture(command["x0"], command["x1"], file_meta)
    annotation_id = command.get("cid") or None
    try:
        annotation, _ = annotation_services.annotation_create(
            series_file=series_file,
            user=user,
            label=command.get("label") or "",
            start=start,
            end=end,
            description=(command.get("description") or "").strip(),
            annotation_id=annotation_id,
        )
    except VersionConflict as conflict:
        existing = conflict.state.annotations.get(annotation_id or "")
        if existing is None:
            raise
        annotation = existing  # the same create, sent again: it is already there
        return {"selected": annotation_id, "clear_description": True}, history
    entry = [{"id": annotation["id"], "before": None, "after": annotation}]
    outcome = {"selected": annotation["id"], "clear_description": True}
    return outcome, state.history_record(history, series_file.id, entry)


def _update(*, series_file, user, command, history):
    """Table edits: [{"id", "version", "row": {label, start, end, description}}]."""
    entry = []
    for item in command.get("items") or []:
        current = _current(series_file, item["id"])
        fields = state.table_edit_fields(item.get("row") or {}, current, series_file.time_kind)
        if not fields:
            continue
        annotation, _ = annotation_services.annotation_update(
            series_file=series_file,
            user=user,
            annotation_id=item["id"],
            fields=fields,
            expected_version=item.get("version"),
        )
        entry.append({"id": item["id"], "before": current, "after": annotation})
    return {}, state.history_record(history, series_file.id, entry)


def _describe(*, series_file, user, command, history):
    current = _current(series_file, command["id"])
    annotation, _ = annotation_services.annotation_update(
        series_file=series_file,
        user=user,
        annotation_id=command["id"],
        fields={"description": (command.get("description") or "").strip()},
        expected_version=command.get("version"),
    )
    entry = [{"id": command["id"], "before": current, "after": annotation}]
    outcome = {
        "selected": command["id"],
        "clear_description": True,
        "message": "Description saved.",
    }
    return outcome, state.history_record(history, series_file.id, entry)


def _keep(*, series_file, user, command, history):
    """A person accepts model labels as they are: they become manual labels."""
    entry = []
    for item in command.get("items") or []:
        current = _current(series_file, item["id"])
        if current.get("source", "manual") == "manual":
            continue
        annotation, _ = annotation_services.annotation_update(
            series_file=series_file,
            user=user,
            annotation_id=item["id"],
            fields={},
            expected_version=item.get("version"),
        )
        entry.append({"id": item["id"], "before": current, "after": annotation})
    history = state.history_record(history, series_file.id, entry)
    kept = len(entry)
    message = f"Kept {kept} model label{'s' if kept != 1 else ''}." if kept else ""
    return {"message": message}, history


def _delete(*, series_file, user, command, history):
    items = command.get("items") or []
    if not items:
        return {"message": "Select labels in the table first.", "level": "warning"}, history
    before = {item["id"]: _current(series_file, item["id"]) for item in items}
    changes = [Change("delete", item["id"], expected_version=item.get("version")) for item in items]
    result = annotation_services.annotations_apply(
        series_file=series_file, user=user, changes=changes
    )
    entry = state.entry_from_changes(before, result.changed)
    count = len(items)
    outcome = {
        "message": f"Deleted {count} label{'s' if count != 1 else ''} (Ctrl+Z brings back).",
        "selected": None,
    }
    return outcome, state.history_record(history, series_file.id, entry)


def _undo(*, series_file, user, command, history):
    return _step(series_file, user, history, take="undo", put="redo")


def _redo(*, series_file, user, command, history):
    return _step(series_file, user, history, take="redo", put="undo")


def _step(series_file, user, history, *, take, put):
    entry, history = state.history_take(history, series_file.id, take)
    if entry is None:
        return {"message": f"Nothing to {take}.", "level": "warning"}, history
    try:
        result = annotation_services.annotations_apply(
            series_file=series_file, user=user, changes=state.revert_changes(entry)
        )
    except VersionConflict as conflict:
        # The entry is dropped: the labels it touched changed since.
        return {
            "message": f"Cannot {take}: those labels were changed since (by another tab or "
            "person). Nothing was changed.",
            "level": "error",
            "conflict": True,
            "conflict_version": conflict.state.version,
        }, history
    flipped = state.entry_flipped(entry, result.changed)
    word = "Undone" if take == "undo" else "Redone"
    return {"message": f"{word}.", "selected": None}, state.history_put(history, put, flipped)


def _current(series_file, annotation_id) -> dict:
    current = annotation_services.working_state_get(series_file=series_file).annotations.get(
        annotation_id
    )
    if current is None:
        raise AnnotationNotFound(annotation_id)
    return current


HANDLERS = {
    "create": _create,
    "update": _update,
    "describe": _describe,
    "keep": _keep,
    "delete": _delete,
    "undo": _undo,
    "redo": _redo,
}
