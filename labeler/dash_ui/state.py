"""Pure state transitions of the labeling screen: no Django, no Dash, tested directly.

Time values: numbers for numeric and index files; ISO 8601 text for date-time files (the
API's own units). Plotly hands date-time axes back as "YYYY-MM-DD HH:MM:SS.ffffff" text,
which ``time_value`` turns into the API's form.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pandas as pd

from labeler.working_state.base import WorkingAnnotation

_X_AXIS = re.compile(r"^xaxis\d*$")


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


def time_ns(value) -> int:
    """A date-time value (ISO text, with or without offset) -> int64 ns (offsets dropped
    after conversion to UTC, as the file's axis stores them)."""
    stamp = pd.Timestamp(str(value).strip())
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return int(stamp.as_unit("ns").value)


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


def time_value(value, file_meta: dict):
    """A Plotly axis value (click, drag, relayout) -> the API's value for this file."""
    if file_meta["time_kind"] == "datetime":
        text = pd.Timestamp(time_ns(value)).isoformat()
        return text + "Z" if str(file_meta.get("time_end") or "").endswith("Z") else text
    return float(value)


# ---- the plotted window


def full_range(file_meta: dict) -> list:
    return [file_meta["time_start"], file_meta["time_end"]]


def view_from_relayout(relayout: dict | None, file_meta: dict) -> list | None:
    """Plotly's relayoutData after a zoom, pan, range-slider move or reset -> the new visible
    [start, end] in API values, or None when the x range did not change. The stacked rows have
    one x axis each ("xaxis", "xaxis2", ...), all matching: any of them counts."""
    if not relayout:
        return None
    for key, value in relayout.items():
        if _X_AXIS.match(key.split(".")[0]) and key.endswith(".autorange") and value:
            return full_range(file_meta)
    for key, value in relayout.items():
        axis, _, attribute = key.partition(".")
        if not _X_AXIS.match(axis):
            continue
        x_range = None
        if attribute == "range" and isinstance(value, list | tuple) and len(value) == 2:
            x_range = value
        elif attribute == "range[0]" and f"{axis}.range[1]" in relayout:
            x_range = [value, relayout[f"{axis}.range[1]"]]
        if x_range is not None:
            start, end = (time_value(v, file_meta) for v in x_range)
            return clamp_view([start, end], file_meta)
    return None


def clamp_view(view: list, file_meta: dict) -> list:
    """A visible range kept inside the file (a pan past its end shows the end)."""
    key = file_meta["time_kind"]
    first, last = full_range(file_meta)
    start, end = view
    if time_order_key(start, key) > time_order_key(end, key):
        start, end = end, start
    if time_order_key(start, key) < time_order_key(first, key):
        start = first
    if time_order_key(end, key) > time_order_key(last, key):
        end = last
    if time_order_key(start, key) > time_order_key(end, key):
        return full_range(file_meta)
    return [start, end]


def fetch_range(view: list, file_meta: dict, margin: float = 0.1) -> list:
    """The window to load for a visible range: a little wider, so short pans show data at
    once; never past the file's ends."""
    key = file_meta["time_kind"]
    start, end = (time_order_key(v, key) for v in view)
    pad = (end - start) * margin
    lo, hi = start - pad, end + pad
    if key == "datetime":
        lo_value = time_value(pd.Timestamp(int(lo)), file_meta)
        hi_value = time_value(pd.Timestamp(int(hi)), file_meta)
        return clamp_view([lo_value, hi_value], file_meta)
    return clamp_view([lo, hi], file_meta)


# ---- annotations in the client store and the table


def annotation_overlaps(annotation: dict, view: list | None, time_kind: str) -> bool:
    if not view:
        return True
    lo, hi = (time_order_key(v, time_kind) for v in view)
    start = time_order_key(annotation["start"], time_kind)
    end = time_order_key(annotation["end"], time_kind)
    return end >= lo and start <= hi


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
