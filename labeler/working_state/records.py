"""Checks of stored working-state records before they are shown or saved.

A record written by an older release, a bug or a hand edit of the store can lack fields or hold
values the API would refuse today. Reads and Save skip such a record and report it (id and
reason) instead of failing for the whole file.
"""

import math

from labeler.working_state.base import FileState

REQUIRED_FIELDS = ("id", "label", "start", "end", "instant", "version")
TEXT_FIELDS = ("description", "source", "author", "created_at", "updated_at")
SOURCE_MAX_LENGTH = 200


def record_problem(annotation, *, label_names=None, series=None) -> str | None:
    """Why this record cannot be used, or None. Without label_names and series only its shape
    (fields and their types) is checked."""
    problem = _shape_problem(annotation)
    if problem or label_names is None or series is None:
        return problem
    if annotation["label"] not in label_names:
        return f"its label {annotation['label'][:200]!r} is not one of the project's labels"
    try:
        start = series.time_value_to_axis(annotation["start"])
        end = series.time_value_to_axis(annotation["end"])
    except (TypeError, ValueError, OverflowError) as error:
        return f"its time is not valid for this file: {str(error)[:200]}"
    if start > end:
        return "its start is after its end"
    if start < series.time[0] or end > series.time[-1]:
        return "it lies outside the file's time range"
    return None


def _shape_problem(annotation) -> str | None:
    if not isinstance(annotation, dict):
        return "the record is not an object"
    missing = [name for name in REQUIRED_FIELDS if name not in annotation]
    if missing:
        return "it lacks " + ", ".join(missing)
    if not isinstance(annotation["label"], str):
        return "its label is not text"
    for name in ("start", "end"):
        value = annotation[name]
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            return f"its {name} is neither a number nor a date-time text"
        if isinstance(value, float) and not math.isfinite(value):
            return f"its {name} is not a finite number"
    if not isinstance(annotation["instant"], bool):
        return "its instant flag is not true or false"
    if isinstance(annotation["version"], bool) or not isinstance(annotation["version"], int):
        return "its version is not an integer"
    for name in TEXT_FIELDS:
        if annotation.get(name) is not None and not isinstance(annotation[name], str):
            return f"its {name} is not text"
    if len(annotation.get("source") or "") > SOURCE_MAX_LENGTH:
        return "its source is too long"
    score = annotation.get("score")
    if score is not None and (
        isinstance(score, bool) or not isinstance(score, int | float) or not math.isfinite(score)
    ):
        return "its score is not a finite number"
    return None


def state_usable(state: FileState, *, label_names=None, series=None):
    """-> (the state with usable records only, [{"id", "reason"}] of the skipped ones)."""
    usable, skipped = {}, []
    for key, annotation in state.annotations.items():
        problem = record_problem(annotation, label_names=label_names, series=series)
        if problem is None:
            usable[key] = annotation
        else:
            skipped.append({"id": key, "reason": problem})
    return FileState(version=state.version, annotations=usable), skipped
