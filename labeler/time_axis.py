"""Tick positions and texts of the x axis, computed for the view (plain functions): the
labeling screen's first figure and every plot window the screen asks for (`view_start`,
`view_end` of the data endpoint) carry them.

Plotly has no time zones and no duration format: date-time files whose times are stored in UTC
get ticks at round clock times of the zone they are shown in (the file's own offset or a chosen
zone) labelled with that clock, and numeric files (seconds) get ticks written as durations.
The traces keep their stored values, so gestures and labels need no conversion.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from labeler.ingest import time_zone_get

TARGET_TICKS = 7
SECOND_STEPS = [
    *(scale * base for scale in (1e-3, 1e-2, 1e-1) for base in (1, 2, 5)),
    *(1, 2, 5, 10, 15, 30),
    *(60 * m for m in (1, 2, 5, 10, 15, 30)),
    *(3600 * h for h in (1, 2, 3, 6, 12)),
    *(86400 * d for d in (1, 2, 7, 14, 30, 60, 90, 182, 365)),
]
DAY_S = 86400


def time_ns(value) -> int:
    """A date-time value (ISO text, with or without offset) -> int64 ns (offsets dropped
    after conversion to UTC, as the file's axis stores them)."""
    stamp = pd.Timestamp(str(value).strip())
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return int(stamp.as_unit("ns").value)


def tick_step_s(span_s: float) -> float:
    """The smallest round step that puts at most TARGET_TICKS ticks on the span."""
    return next((s for s in SECOND_STEPS if span_s / s <= TARGET_TICKS), SECOND_STEPS[-1])


def _decimals(step_s: float) -> int:
    return max(0, -math.floor(math.log10(step_s) + 1e-9)) if step_s < 1 else 0


def duration_text(seconds: float, *, step_s: float, longest_s: float) -> str:
    """``12.5 s`` while the view stays under a minute, else ``1:02:03`` / ``2 d 01:00``."""
    decimals = _decimals(step_s)
    if longest_s < 60:
        return f"{seconds:.{decimals}f} s"
    sign = "-" if seconds < 0 else ""
    rest = round(abs(seconds), decimals)
    days, rest = divmod(rest, DAY_S)
    hours, rest = divmod(rest, 3600)
    minutes, rest = divmod(rest, 60)
    width = 3 + decimals if decimals else 2
    secs = f"{rest:0{width}.{decimals}f}"
    if days:
        return f"{sign}{int(days)} d {int(hours):02d}:{int(minutes):02d}" + (
            f":{secs}" if step_s < 60 else ""
        )
    if hours or longest_s >= 3600:
        return f"{sign}{int(hours)}:{int(minutes):02d}:{secs}"
    return f"{sign}{int(minutes)}:{secs}"


def duration_ticks(view: list) -> dict:
    low, high = float(view[0]), float(view[1])
    span = high - low
    if not (span > 0 and math.isfinite(span)):
        return {}
    step = tick_step_s(span)
    if span / step > TARGET_TICKS:  # longer than the longest step covers: Plotly's own ticks
        return {}
    # a view wide on each side: the ticks still stand while Plotly pans before the redraw
    first = math.ceil((low - span) / step)
    values = [round(n * step, 9) for n in range(first, math.floor((high + span) / step) + 1)]
    longest = max(abs(low), abs(high))
    return {
        "tickmode": "array",
        "tickvals": values,
        "ticktext": [duration_text(v, step_s=step, longest_s=longest) for v in values],
    }


def clock_ticks(view: list, zone_name: str) -> dict:
    """Ticks at round clock times of ``zone_name`` for a view given in UTC."""
    zone = time_zone_get(zone_name)
    low, high = (time_ns(v) for v in view)
    span_ns = high - low
    if span_ns <= 0:
        return {}
    step = tick_step_s(span_ns / 1e9)
    local = [
        pd.Timestamp(ns, tz="UTC").tz_convert(zone).tz_localize(None)
        for ns in (low - span_ns, high + span_ns)
    ]
    if step >= DAY_S:
        start = local[0].normalize() + pd.Timedelta(days=1)
        freq = pd.Timedelta(seconds=step)
    else:
        freq = pd.Timedelta(seconds=step)
        start = local[0].ceil(freq)
    clock = pd.date_range(start, local[1], freq=freq)
    utc = clock.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    kept = ~utc.isna()
    clock, utc = clock[kept], utc[kept].tz_convert("UTC").tz_localize(None)
    return {
        "tickmode": "array",
        "tickvals": [stamp.isoformat() for stamp in utc],
        "ticktext": _clock_texts(clock, step, first_shown=int(np.searchsorted(utc.asi8, low))),
    }


def _clock_texts(clock: pd.DatetimeIndex, step_s: float, *, first_shown: int = 0) -> list[str]:
    """Clock times; the date under the first tick in view and wherever the day changes."""
    if step_s >= DAY_S:
        return [stamp.strftime("%Y-%m-%d") for stamp in clock]
    if step_s >= 60:
        times = clock.strftime("%H:%M")
    elif step_s >= 1:
        times = clock.strftime("%H:%M:%S")
    else:
        times = [stamp.strftime("%H:%M:%S.%f")[: 9 + _decimals(step_s)] for stamp in clock]
    dates = np.asarray(clock.strftime("%Y-%m-%d"))
    new_day = np.r_[True, dates[1:] != dates[:-1]] if len(dates) else np.array([], dtype=bool)
    if first_shown < len(dates):
        new_day[first_shown] = True
    return [
        f"{time}<br>{date}" if first else str(time)
        for time, date, first in zip(times, dates, new_day, strict=True)
    ]


def zone_title(zone_name: str) -> str:
    shown = f"UTC{zone_name}" if zone_name[:1] in "+-" else zone_name
    return f"time ({shown})"


def axis_ticks(view: list, file_meta: dict) -> dict:
    """The x axis' tick settings for the file: durations, clock times, or Plotly's own."""
    if file_meta["time_kind"] == "numeric":
        return duration_ticks(view)
    zone = file_meta.get("display_timezone")
    if file_meta["time_kind"] == "datetime" and zone and _stored_in_utc(file_meta):
        # Plotly's hover cannot change zones: it says which clock it shows
        hover = {"hoverformat": "%Y-%m-%d %H:%M:%S.%L UTC"}
        return {**clock_ticks(view, zone), **hover, "title": {"text": zone_title(zone)}}
    return {}


def _stored_in_utc(file_meta: dict) -> bool:
    return str(file_meta.get("time_end") or "").endswith("Z")
