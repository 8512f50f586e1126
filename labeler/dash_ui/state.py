"""Pure state transitions of the labeling screen: no Django, no Dash, tested directly.

Time values: numbers for numeric and index files; ISO 8601 text for date-time files (the
API's own units).
"""

from __future__ import annotations

from urllib.parse import parse_qs

from labeler.time_axis import time_ns
from labeler.working_state.base import WorkingAnnotation

# ---- selection from the address bar


def selection_from_query(search: str | None) -> tuple[int | None, int | None]:
    """ "?project=3&file=12" -> (3, 12); anything unreadable is None."""
    query = parse_qs((search or "").lstrip("?"))

    def number(key):
        try:
            value = int(query.get(key, [""])[0])
        except ValueError:
            return None
        return value if value > 0 else None

    return number("project"), number("file")


# ---- time values


def time_order_key(value, time_kind: str) -> float:
    """A sortable number for a time value of the file's kind."""
    if time_kind == "datetime":
        return float(time_ns(value))
    return float(value)


def plot_time(value, time_kind: str):
    """An API time value as Plotly draws it: date-times without their "Z" (Plotly has no time
    zones; the axis shows the file's own clock, UTC for files with offsets)."""
    if time_kind == "datetime" and isinstance(value, str):
        text = value.strip()
        if text.endswith("Z"):
            text = text[:-1]
        return text
    return value


def full_range(file_meta: dict) -> list:
    return [file_meta["time_start"], file_meta["time_end"]]


# ---- annotations in the client store and the table


def sorted_annotations(store: dict | None, time_kind: str) -> list[dict]:
    annotations = list(((store or {}).get("annotations") or {}).values())
    return sorted(
        annotations, key=lambda a: (time_order_key(a["start"], time_kind), a.get("id", ""))
    )


def table_rows(store: dict | None, time_kind: str) -> list[dict]:
    rows = []
    for stored in sorted_annotations(store, time_kind):
        annotation = WorkingAnnotation.from_stored(stored)
        model_made, score = annotation.model_made, annotation.score
        rows.append(
            {
                "id": annotation.id,
                "label": annotation.label,
                "start": annotation.start,
                "end": annotation.end,
                "kind": "instant" if annotation.instant else "range",
                "description": annotation.description,
                "source": annotation.source,
                "score": round(score, 3) if model_made and score is not None else None,
                "version": annotation.version,
            }
        )
    return rows


def store_snapshot(*, file_id: int, version: int, saved_version, annotations: list[dict]) -> dict:
    return {
        "file": file_id,
        "version": version,
        "saved_version": saved_version,
        "annotations": {a["id"]: a for a in annotations},
    }


# ---- small formatting helpers shared by figures and the table


def format_time(value, time_kind: str) -> str:
    if value is None:
        return ""
    if time_kind == "datetime":
        return str(value).replace("T", " ").rstrip("Z")
    number = float(value)
    if time_kind == "index" or number.is_integer():
        return str(int(number))
    return f"{number:.6g}"


def label_next_score(uncertain_share: float | None, uncertainty: float | None) -> str:
    """The Label next badge: the share of uncertain rows as a percentage (one decimal below
    10 %, so files of a few percent still separate); the mean entropy for files auto-labeled
    before the share was kept; a dash before any auto-label."""
    if uncertain_share is not None:
        percent = 100 * uncertain_share
        return f"{percent:.1f} %" if percent < 10 else f"{percent:.0f} %"
    return f"{uncertainty:.2f}" if uncertainty is not None else "–"
