"""Edits of the working state: validated here, applied atomically by the store, broadcast."""

import math
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import numpy as np

from labeler import storage
from labeler.errors import InvalidInput
from labeler.realtime import file_changed_broadcast
from labeler.services.access import Action, project_permission_check
from labeler.services.overlap import overlap_trims
from labeler.working_state import (
    MANUAL_SOURCE,
    AnnotationNotFound,
    Change,
    ChangeResult,
    FileState,
    VersionConflict,
    WorkingAnnotation,
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
    return WorkingAnnotation(
        id=saved.key,
        label=saved.label,
        start=saved.start,
        end=saved.end,
        instant=saved.instant,
        description=saved.description,
        source=saved.source,
        score=saved.score,
        author=saved.author.get_username() if saved.author else "",
        created_at=saved.created_at.isoformat(),
        updated_at=saved.updated_at.isoformat(),
    ).stored()


@dataclass(frozen=True)
class AnnotationChange:
    """One requested change of a batch, before it is checked.

    ``fields``: label / start / end / description (for an update only those that change).
    ``snap``: move the bounds to the nearest rows of the recording (gestures on the plot).
    ``source`` and ``score`` are set by the server's own jobs only, never from a request.
    """

    op: str
    annotation_id: str | None = None
    fields: dict = field(default_factory=dict)
    expected_version: int | None = None
    snap: bool = False
    source: str = MANUAL_SOURCE
    score: float | None = None


def annotation_changes_apply(
    *, series_file, user, changes: list[AnnotationChange], expected_file_version=None
) -> ChangeResult:
    """Check every change as a single-label edit is checked, then apply them all as one store
    operation (or none: VersionConflict, AnnotationNotFound, InvalidInput naming the change),
    and broadcast the batch once. user None: the server's own write (model labels)."""
    if user is not None:
        project_permission_check(project=series_file.project, user=user, action=Action.LABELS_EDIT)
    checker = _BoundsChecker(series_file)
    current = _annotations_for(series_file, changes)
    checked = []
    for position, change in enumerate(changes):
        try:
            store_change = _checked_change(change, current, checker, user)
        except InvalidInput as error:
            raise InvalidInput(
                f"Change {position + 1} ({change.op} {change.annotation_id or 'new'}): "
                + error.message,
                {"change": position, "id": change.annotation_id, "problem": error.detail},
            ) from error
        checked.append(store_change)
        if store_change.op == "delete":
            current.pop(store_change.annotation_id, None)
        else:
            current[store_change.annotation_id] = store_change.annotation
    if series_file.project.no_overlap:
        touched = {change.annotation_id for change in checked if change.op != "delete"}
        checked += overlap_trims(series=checker.series, state=current, touched=touched, now=_now())
    result = working_state_store().apply(
        series_file.id, checked, expected_file_version=expected_file_version
    )
    _broadcast(series_file, result, user)
    return result


def working_state_rewrite(*, series_file, user, changes: list[Change]) -> ChangeResult:
    """The server's own rewrite of stored records (a project's dropped label relabelled or
    deleted everywhere): one store operation with version checks and one broadcast. Never for
    a client's changes, which go through ``annotation_changes_apply``."""
    working_state_ensure(series_file=series_file)
    result = working_state_store().apply(series_file.id, changes)
    _broadcast(series_file, result, user)
    return result


# Above this many labels to look at, one read of the whole file is cheaper than one per label.
FEW_LABELS = 20


def _annotations_for(series_file, changes) -> dict:
    """The stored labels a batch needs: the ones it updates or deletes (an edit of one label of
    a long file reads one record), or the whole file when the no-overlap rule must see every
    range, when it is seeded from saved labels first, or when the batch touches many labels."""
    store = working_state_store()
    touched = {c.annotation_id for c in changes if c.op != "create" and c.annotation_id}
    if (
        series_file.project.no_overlap
        or len(touched) > FEW_LABELS
        or store.version(series_file.id) == 0
    ):
        return dict(working_state_get(series_file=series_file).annotations)
    found = {key: store.get_annotation(series_file.id, key) for key in touched}
    return {key: annotation for key, annotation in found.items() if annotation is not None}


def _checked_change(change: AnnotationChange, current: dict, checker, user) -> Change:
    if change.op == "delete":
        if change.annotation_id not in current:
            raise AnnotationNotFound(change.annotation_id or "")
        return Change("delete", change.annotation_id, expected_version=change.expected_version)
    if change.op == "create":
        annotation_id = change.annotation_id or uuid.uuid4().hex
        return Change("create", annotation_id, _created(annotation_id, change, checker, user))
    if change.op == "update":
        before = current.get(change.annotation_id)
        if before is None:
            raise AnnotationNotFound(change.annotation_id or "")
        expected = change.expected_version
        if expected is None:
            # Without a version from the client, check against the version just read: an
            # edit in between still conflicts instead of being overwritten.
            expected = before.get("version")
        updated = _updated(WorkingAnnotation.from_stored(before), change, checker, user)
        return Change("update", change.annotation_id, updated, expected)
    raise InvalidInput(f"Unknown change {change.op!r}: use create, update or delete.")


def _created(annotation_id: str, change: AnnotationChange, checker, user) -> dict:
    fields = change.fields
    label, start, end = fields.get("label"), fields.get("start"), fields.get("end")
    bounds = checker.check(label=label, start=start, end=end, snap=change.snap)
    now = _now()
    return WorkingAnnotation(
        id=annotation_id,
        label=fields.get("label"),
        **bounds,
        description=fields.get("description") or "",
        source=change.source,
        score=change.score,
        author=user.get_username() if user else "",
        created_at=now,
        updated_at=now,
    ).stored()


def _updated(before: WorkingAnnotation, change: AnnotationChange, checker, user) -> dict:
    edited = {k: v for k, v in change.fields.items() if k in EDITABLE_FIELDS}
    merged = replace(before, **edited)
    bounds = checker.check(label=merged.label, start=merged.start, end=merged.end, snap=change.snap)
    updated = replace(merged, **bounds, updated_at=_now())
    if user is not None and before.model_made:
        # A person who keeps or edits a model label makes it theirs.
        updated = replace(updated, source=MANUAL_SOURCE, author=user.get_username())
    return updated.stored()


def annotation_create(
    *,
    series_file,
    user,
    label,
    start,
    end,
    description="",
    annotation_id=None,
) -> tuple[dict, int]:
    fields = {"label": label, "start": start, "end": end, "description": description}
    change = AnnotationChange("create", annotation_id or uuid.uuid4().hex, fields)
    return _apply_one(series_file, change, user)


def annotation_update(*, series_file, user, annotation_id, fields, expected_version=None):
    change = AnnotationChange("update", annotation_id, dict(fields), expected_version)
    return _apply_one(series_file, change, user)


def annotation_delete(*, series_file, user, annotation_id, expected_version=None) -> int:
    change = AnnotationChange("delete", annotation_id, expected_version=expected_version)
    _, version = _apply_one(series_file, change, user)
    return version


def _apply_one(series_file, change: AnnotationChange, user):
    try:
        result = annotation_changes_apply(series_file=series_file, user=user, changes=[change])
    except InvalidInput as error:
        raise (error.__cause__ or error) from None  # a single change keeps its own message
    return result.changed[change.annotation_id], result.version


def _broadcast(series_file, result, user):
    file_changed_broadcast(
        file_id=series_file.id,
        version=result.version,
        changed=result.changed,
        author=user.get_username() if user else "",
    )


class _BoundsChecker:
    """Label and bounds checks of one file, with its project and recording opened once."""

    def __init__(self, series_file):
        self.series_file = series_file
        self.labels = {entry["name"]: entry for entry in series_file.project.labels}
        self._series = None

    @property
    def series(self):
        if self._series is None:
            self._series = storage.series_of(self.series_file)
        return self._series

    def check(self, *, label, start, end, snap=False) -> dict:
        """-> {"start", "end", "instant"} in the file's own units, or InvalidInput."""
        label_entry = self.labels.get(label)
        if label_entry is None:
            names = list(self.labels)
            raise InvalidInput(
                f"Unknown label {label!r}; this project's labels are: " + ", ".join(names),
                {"labels": names},
            )
        series = self.series
        start_axis = _axis_value(series, start, "start")
        end_axis = _axis_value(series, end, "end")
        if start_axis > end_axis:
            raise InvalidInput("start is after end.", {"start": start, "end": end})
        first, last = series.time[0], series.time[-1]
        if start_axis < first or end_axis > last:
            raise InvalidInput(
                f"The label lies outside the file's time range "
                f"[{self.series_file.time_start}, {self.series_file.time_end}].",
                {"time_start": self.series_file.time_start, "time_end": self.series_file.time_end},
            )
        if snap:
            start_axis, end_axis = (
                _nearest_row_time(series, start_axis),
                _nearest_row_time(series, end_axis),
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


def _nearest_row_time(series, axis):
    """The time of the recording's row nearest to an axis value (ties go to the earlier row)."""
    time = series.time
    after = int(np.searchsorted(time, axis, side="left"))
    if after >= len(time):
        return time[-1].item()
    if after == 0:
        return time[0].item()
    before_value, after_value = time[after - 1].item(), time[after].item()
    return after_value if after_value - axis < axis - before_value else before_value


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
