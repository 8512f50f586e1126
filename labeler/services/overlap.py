"""The no-overlap rule of a project: ranges a batch creates or moves trim the ranges of the file
that the batch does not touch (as ephyviewer does), so every row has at most one range label.

A covered range is deleted, one that sticks out on one side is cut back to the row next to the
new range, and one that holds the new range inside is split in two. Instants never trim and are
never trimmed. The trims join the same batch, so they are stored, broadcast and undone with it.
"""

import uuid
from dataclasses import replace

import numpy as np

from labeler.working_state import Change, WorkingAnnotation


def overlap_trims(*, series, state: dict, touched: set, now: str) -> list[Change]:
    """-> the changes that trim the untouched ranges of ``state`` (the file after the batch)."""
    ranges = {key: WorkingAnnotation.from_stored(a) for key, a in state.items() if not a["instant"]}
    movers = sorted((ranges[key] for key in touched if key in ranges), key=lambda a: a.start)
    others = {key: a for key, a in ranges.items() if key not in touched}
    axis = _AxisRows(series)
    trims = _Trims()
    for mover in movers:
        low, high = axis.value(mover.start), axis.value(mover.end)
        for key, other in list(others.items()):
            start, end = axis.value(other.start), axis.value(other.end)
            if end < low or start > high:
                continue
            pieces = []
            if start < low:
                pieces.append((start, axis.before(low)))
            if end > high:
                pieces.append((axis.after(high), end))
            pieces = [piece for piece in pieces if piece[0] < piece[1]]  # one row is no range
            del others[key]
            if not pieces:
                trims.delete(other)
                continue
            others[key] = trims.update(other, _bounded(other, pieces[0], axis, now))
            for piece in pieces[1:]:
                split = replace(_bounded(other, piece, axis, now), id=uuid.uuid4().hex)
                others[split.id] = trims.create(replace(split, created_at=now))
    return trims.changes()


class _Trims:
    """One change per label, whatever number of ranges trimmed it."""

    def __init__(self):
        self._changes: dict[str, Change] = {}
        self._created: set[str] = set()

    def delete(self, annotation):
        if annotation.id in self._created:
            del self._changes[annotation.id]
        else:
            expected = annotation.version or None
            self._changes[annotation.id] = Change(
                "delete", annotation.id, expected_version=expected
            )

    def update(self, before, after):
        if before.id in self._created:
            self._changes[before.id] = Change("create", before.id, after.stored())
        else:
            expected = before.version or None
            self._changes[before.id] = Change("update", before.id, after.stored(), expected)
        return after

    def create(self, annotation):
        self._created.add(annotation.id)
        self._changes[annotation.id] = Change("create", annotation.id, annotation.stored())
        return annotation

    def changes(self) -> list[Change]:
        return list(self._changes.values())


def _bounded(annotation: WorkingAnnotation, piece, axis, now) -> WorkingAnnotation:
    start, end = axis.api(piece[0]), axis.api(piece[1])
    return replace(annotation, start=start, end=end, instant=start == end, updated_at=now)


class _AxisRows:
    """Stored time values <-> the recording's axis, and the rows next to a value."""

    def __init__(self, series):
        self.series = series
        self.time = series.time

    def value(self, time_value):
        return self.series.time_value_to_axis(time_value)

    def before(self, axis_value):
        row = max(int(np.searchsorted(self.time, axis_value, side="left")) - 1, 0)
        return self.time[row].item()

    def after(self, axis_value):
        row = min(int(np.searchsorted(self.time, axis_value, side="right")), len(self.time) - 1)
        return self.time[row].item()

    def api(self, axis_value):
        return self.series.axis_to_time_value(axis_value)
