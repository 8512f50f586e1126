"""Edits of the working state: validated here, applied atomically by the store, broadcast."""

import math
import uuid
from datetime import UTC, datetime

from labeler import storage
from labeler.errors import InvalidInput
from labeler.realtime import file_changed_broadcast
from labeler.working_state import (
    AnnotationNotFound,
    Change,
    FileState,
    VersionConflict,
    working_state_store,
)
from labeler.working_state.records import state_usable

EDITABLE_FIELDS = ("label", "start", "end", "description")


def working_state_get(*, series_file) -> FileState:
    """The file's live labels; a file never edited since its last Save starts from saved ones."""
    state = working_state_store().get(series_file.id)
    if state.version == 0:
        return _seeded(series_file) or state
    return state


def working_state_checked(*, series_file) -> tuple[FileState, list[dict]]:
    """The working state without records that cannot be shown or saved, and those skipped."""
    return state_usable(
        working_state_get(series_file=series_file),
        label_names=series_file.project.label_names,
        series=storage.series_of(series_file),
    )


def working_state_ensure(*, series_file) -> None:
    """Seed the working state from saved labels before its first change (cheap when done)."""
    never_saved = series_file.saved_version is None
    if not never_saved and working_state_store().version(series_file.id) == 0:
        _seeded(series_file)


def _seeded(series_file) -> FileState | None:
    if not series_file.annotations.exists():
        return None
    saved = [annotation_from_saved(a) for a in series_file.annotations.all()]
    try:
        return working_state_store().replace_all(series_file.id, saved, expected_file_version=0)
    except VersionConflict:
        return None  # someone else seeded or edited it first


def annotation_from_saved(saved) -> dict:
    return {
        "id": saved.key,
        "label": saved.label,
        "start": saved.start,
        "end": saved.end,
        "instant": saved.instant,
        "description": saved.description,
        "source": saved.source,
        "score": saved.score,
        "author": saved.author.get_username() if saved.author else "",
        "created_at": saved.created_at.isoformat(),
        "updated_at": saved.updated_at.isoformat(),
    }


def annotation_create(
    *,
    series_file,
    user,
    label,
    start,
    end,
    description="",
    source="manual",
    score=None,
    annotation_id=None,
) -> tuple[dict, int]:
    working_state_get(series_file=series_file)
    bounds = annotation_bounds_check(series_file=series_file, label=label, start=start, end=end)
    now = _now()
    annotation = {
        "label": label,
        **bounds,
        "description": description or "",
        "source": source or "manual",
        "score": score,
        "author": user.get_username() if user else "",
        "created_at": now,
        "updated_at": now,
    }
    annotation_id = annotation_id or uuid.uuid4().hex
    change = Change("create", annotation_id, annotation)
    return _apply_one(series_file, change, user)


def annotation_update(*, series_file, user, annotation_id, fields, expected_version=None):
    working_state_ensure(series_file=series_file)
    current = working_state_store().get_annotation(series_file.id, annotation_id)
    if current is None:
        raise AnnotationNotFound(annotation_id)
    merged = {**current, **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS}}
    bounds = annotation_bounds_check(
        series_file=series_file,
        label=merged.get("label"),
        start=merged.get("start"),
        end=merged.get("end"),
    )
    updated = {**merged, **bounds, "updated_at": _now()}
    if user is not None and current.get("source", "manual") != "manual":
        # A person who keeps or edits a model label makes it theirs.
        updated["source"] = "manual"
        updated["author"] = user.get_username()
    updated.pop("version", None)
    # Without a version from the client, check against the version just read: an edit
    # in between still conflicts instead of being overwritten.
    expected = current.get("version") if expected_version is None else expected_version
    return _apply_one(series_file, Change("update", annotation_id, updated, expected), user)


def annotation_delete(*, series_file, user, annotation_id, expected_version=None) -> int:
    working_state_ensure(series_file=series_file)
    change = Change("delete", annotation_id, expected_version=expected_version)
    _, version = _apply_one(series_file, change, user)
    return version


def annotations_apply(*, series_file, user, changes: list[Change], expected_file_version=None):
    """Several changes as one atomic step (auto-label results, undo/redo of a batch)."""
    working_state_ensure(series_file=series_file)
    result = working_state_store().apply(
        series_file.id, changes, expected_file_version=expected_file_version
    )
    _broadcast(series_file, result, user)
    return result


def _apply_one(series_file, change, user):
    result = working_state_store().apply(series_file.id, [change])
    _broadcast(series_file, result, user)
    return result.changed[change.annotation_id], result.version


def _broadcast(series_file, result, user):
    file_changed_broadcast(
        file_id=series_file.id,
        version=result.version,
        changed=result.changed,
        author=user.get_username() if user else "",
    )


def annotation_bounds_check(*, series_file, label, start, end) -> dict:
    """-> {"start", "end", "instant"} in the file's own units, or InvalidInput."""
    project = series_file.project
    label_entry = next((x for x in project.labels if x["name"] == label), None)
    if label_entry is None:
        raise InvalidInput(
            f"Unknown label {label!r}; this project's labels are: "
            + ", ".join(project.label_names),
            {"labels": project.label_names},
        )
    series = storage.series_of(series_file)
    start_axis = _axis_value(series, start, "start")
    end_axis = _axis_value(series, end, "end")
    if start_axis > end_axis:
        raise InvalidInput("start is after end.", {"start": start, "end": end})
    first, last = series.time[0], series.time[-1]
    if start_axis < first or end_axis > last:
        raise InvalidInput(
            f"The label lies outside the file's time range "
            f"[{series_file.time_start}, {series_file.time_end}].",
            {"time_start": series_file.time_start, "time_end": series_file.time_end},
        )
    instant = bool(start_axis == end_axis)
    if instant and label_entry["kind"] == "range":
        raise InvalidInput(f"{label} is a range label: give it an end after its start.")
    if not instant and label_entry["kind"] == "instant":
        raise InvalidInput(f"{label} is an instant label: its start and end must be equal.")
    return {
        "start": series.axis_to_time_value(start_axis),
        "end": series.axis_to_time_value(end_axis),
        "instant": instant,
    }


def _axis_value(series, value, field_name):
    if value is None or isinstance(value, bool):
        raise InvalidInput(f"{field_name} is required.")
    try:
        axis = series.time_value_to_axis(value)
    except (TypeError, ValueError) as error:
        raise InvalidInput(f"{field_name}: {error}") from error
    if isinstance(axis, float) and not math.isfinite(axis):
        raise InvalidInput(f"{field_name} must be a finite number.")
    return axis


def _now() -> str:
    return datetime.now(UTC).isoformat()
