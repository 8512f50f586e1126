"""Recognising and parsing the time column: numbers, epoch numbers and date-time text."""

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .numbers import NA_TOKENS

# Column names taken as the time column when no time column is given (case-insensitive).
TIME_COLUMN_NAMES = ("time", "timestamp", "date", "datetime", "ts", "t")
# More names (other languages, with a unit): matched through ``time_name_key``.
OTHER_TIME_NAMES = (
    "date_time",
    "time_stamp",
    "elapsed",
    "elapsed_time",
    "zeit",
    "uhrzeit",
    "zeitstempel",
    "datum",
    "temps",
    "tiempo",
    "tempo",
    "tijd",
    "tid",
    "czas",
)
# Names whose numbers may be Unix epoch seconds / milliseconds (read as UTC date-times when
# every value falls in the epoch range, see ``epoch_unit``).
EPOCH_COLUMN_NAMES = frozenset(
    {
        "timestamp",
        "ts",
        "datetime",
        "date",
        "epoch",
        "unix",
        "unixtime",
        "unix_time",
        "unix_timestamp",
        "epoch_time",
        "epoch_s",
        "epoch_ms",
        "timestamp_s",
        "timestamp_ms",
    }
)
AUTO_TIME_NAMES = frozenset(TIME_COLUMN_NAMES) | frozenset(OTHER_TIME_NAMES) | EPOCH_COLUMN_NAMES

# Epoch ranges: seconds in [1e9, 1e10) = 2001-09-09 .. 2286-11-20; milliseconds the same dates.
EPOCH_RANGES = {"s": (1e9, 1e10), "ms": (1e12, 1e13)}

# an offset counts only after a clock time, so the "-02" of "2024-01-02" is not one
_CLOCK = r"\d:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*"
_OFFSET = _CLOCK + r"(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_NONZERO_OFFSET = _CLOCK + r"(?:[+-](?:0[1-9]|[1-9]\d)(?::?\d{2})?|[+-]00:?(?:0[1-9]|[1-5]\d))$"
_ISO = (
    r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}(?::\d{2}(?::\d{2}(?:[.,]\d+)?)?)?)?\s*"
    r"(?:Z|[+-]\d{2}(?::?\d{2})?)?$"
)
ISO_PATTERN = _ISO
_ISO_RE = re.compile(_ISO)
_OFFSET_RE = re.compile(_OFFSET)
_NA_SET = frozenset(NA_TOKENS)


def normalize_name(name: str) -> str:
    return name.strip().lower()


_UNIT_SUFFIX = re.compile(r"\s*[\[(][^\])]*[\])]\s*$")


def time_name_key(name: str) -> str:
    """``"Zeit [s]"`` / ``"Date-Time"`` -> ``"zeit"`` / ``"date_time"``: how a column name is
    compared with the time names (a unit in brackets and the separators do not count)."""
    folded = _UNIT_SUFFIX.sub("", normalize_name(name))
    return re.sub(r"[\s\-.]+", "_", folded).strip("_")


@dataclass(frozen=True)
class DateFamily:
    """A group of strptime formats that read one way of writing dates (ISO when empty)."""

    key: str
    label: str
    example: str
    formats: tuple[str, ...] = ()


def _with_times(*date_formats: str, twelve_hour: bool = False) -> tuple[str, ...]:
    times = [" %H:%M:%S.%f", " %H:%M:%S", " %H:%M", "T%H:%M:%S.%f", "T%H:%M:%S", ""]
    if twelve_hour:
        times += [" %I:%M:%S %p", " %I:%M %p"]
    return tuple(d + t for d in date_formats for t in times)


ISO_FAMILY = DateFamily("iso", "ISO 8601", "2024-01-02 03:04:05")
DATE_FAMILIES = (
    ISO_FAMILY,
    DateFamily("ymd_slash", "year/month/day", "2024/01/02 03:04:05", _with_times("%Y/%m/%d")),
    DateFamily("ymd_dot", "year.month.day", "2024.01.02 03:04:05", _with_times("%Y.%m.%d")),
    DateFamily(
        "dmy_slash",
        "day/month/year",
        "02/01/2024 03:04",
        _with_times("%d/%m/%Y", "%d/%m/%y", twelve_hour=True),
    ),
    DateFamily(
        "mdy_slash",
        "month/day/year",
        "01/02/2024 03:04",
        _with_times("%m/%d/%Y", "%m/%d/%y", twelve_hour=True),
    ),
    DateFamily("dmy_dot", "day.month.year", "02.01.2024 03:04", _with_times("%d.%m.%Y")),
    DateFamily("dmy_dash", "day-month-year", "02-01-2024 03:04", _with_times("%d-%m-%Y")),
    DateFamily("mdy_dash", "month-day-year", "01-02-2024 03:04", _with_times("%m-%d-%Y")),
    DateFamily(
        "d_mon_y",
        "day month-name year",
        "02 Jan 2024 03:04:05",
        _with_times("%d %b %Y", "%d-%b-%Y", "%d %B %Y"),
    ),
)


# Forced readings of the time column (``time_format``): numbers, epoch numbers, or one family.
TIME_FORMATS = ("number", "epoch_s", "epoch_ms", *(family.key for family in DATE_FAMILIES))
TIME_FORMAT_LABELS = {
    "number": "numbers (seconds)",
    "epoch_s": "Unix epoch seconds",
    "epoch_ms": "Unix epoch milliseconds",
    **{family.key: f"{family.label} ({family.example})" for family in DATE_FAMILIES},
}


def time_zone_get(name: str) -> dt.tzinfo:
    """``"UTC"``, a fixed offset (``"+02:00"``, ``"-0530"``) or an IANA name
    (``"Europe/Berlin"``)."""
    text = name.strip()
    if text.upper() in ("UTC", "Z", "GMT"):
        return dt.UTC
    offset = re.fullmatch(r"(?:UTC)?([+-])(\d{2}):?(\d{2})?", text)
    if offset:
        sign = 1 if offset.group(1) == "+" else -1
        minutes = int(offset.group(2)) * 60 + int(offset.group(3) or 0)
        if minutes >= 24 * 60:
            raise ValueError(f"{name!r} is not a UTC offset.")
        return dt.timezone(sign * dt.timedelta(minutes=minutes))
    try:
        return zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as error:  # OSError: too long
        raise ValueError(
            f"{name!r} is not a time zone: use UTC, an offset such as +02:00, "
            "or a name such as Europe/Berlin."
        ) from error


def offset_text(value: str) -> str | None:
    """The UTC offset a date-time text ends with, as ``"+02:00"`` (``"UTC"`` for Z / +00:00)."""
    match = re.search(r"(Z|[+-]\d{2}(?::?\d{2})?)\s*$", value.strip())
    if not match or not _OFFSET_RE.search(value.strip()):
        return None
    text = match.group(1)
    if text == "Z":
        return "UTC"
    digits = text[1:].replace(":", "")
    hours, minutes = digits[:2], digits[2:4] or "00"
    if hours == "00" and minutes == "00":
        return "UTC"
    return f"{text[0]}{hours}:{minutes}"


def localize_wall_clock(ns: np.ndarray, zone: dt.tzinfo) -> np.ndarray:
    """Wall-clock int64 ns in ``zone`` -> UTC int64 ns; NaT (int64 min) where the clock time
    does not exist or happens twice in that zone (a daylight-saving change)."""
    index = pd.DatetimeIndex(np.asarray(ns, dtype=np.int64).view("datetime64[ns]"))
    local = index.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    return local.tz_convert("UTC").tz_localize(None).as_unit("ns").asi8.copy()


def epoch_unit(name: str, values: np.ndarray) -> str | None:
    """``"s"`` or ``"ms"`` when a column named like a timestamp holds epoch numbers."""
    if normalize_name(name) not in EPOCH_COLUMN_NAMES:
        return None
    return epoch_unit_of_values(values)


def epoch_unit_of_values(values: np.ndarray) -> str | None:
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return None
    low, high = float(finite.min()), float(finite.max())
    for unit, (unit_low, unit_high) in EPOCH_RANGES.items():
        if unit_low <= low and high < unit_high:
            return unit
    return None


def epoch_to_ns(values: np.ndarray, unit: str) -> np.ndarray:
    """Epoch seconds / milliseconds (float64) to int64 ns, rounded to the microsecond."""
    scale_us = 1_000_000 if unit == "s" else 1_000
    whole = np.floor(values)
    micro = np.round((values - whole) * scale_us).astype(np.int64)
    return whole.astype(np.int64) * (scale_us * 1000) + micro * 1000


def _as_string_array(values) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if isinstance(values, pa.Array):
        return values.cast(pa.string()) if values.type != pa.string() else values
    return pa.array(list(values), type=pa.string())


def _null_na_tokens(arr: pa.Array) -> pa.Array:
    trimmed = pc.utf8_trim_whitespace(arr)
    is_na = pc.is_in(trimmed, value_set=pa.array(sorted(_NA_SET), type=pa.string()))
    return pc.if_else(is_na, pa.scalar(None, pa.string()), trimmed)


def offsets_mask(values) -> np.ndarray:
    """True where a (non-missing) value ends in a UTC offset or ``Z``."""
    arr = _null_na_tokens(_as_string_array(values))
    return pc.fill_null(pc.match_substring_regex(arr, _OFFSET), False).to_numpy(
        zero_copy_only=False
    )


def count_nonzero_offsets(values) -> int:
    arr = _null_na_tokens(_as_string_array(values))
    hits = pc.fill_null(pc.match_substring_regex(arr, _NONZERO_OFFSET), False)
    return int(pc.sum(hits).as_py() or 0)


def _index_ns(parsed) -> np.ndarray:
    index = pd.DatetimeIndex(parsed)
    if index.tz is not None:
        index = index.tz_convert("UTC")
    return index.as_unit("ns").asi8.copy()


def parse_datetimes(values, family: DateFamily, *, aware: bool) -> tuple[np.ndarray, np.ndarray]:
    """Parse date-time text with one family of formats.

    Returns ``(ns, ok)``: int64 nanoseconds since the epoch (UTC for ``aware``) and where the
    value was read. With ``aware`` every value must carry an offset (converted to UTC); without,
    none may.
    """
    arr = _null_na_tokens(_as_string_array(values))
    n = len(arr)
    if family.key == "iso":
        try:
            stamps = pc.cast(arr, pa.timestamp("ns", "UTC" if aware else None))
            ok = stamps.is_valid().to_numpy(zero_copy_only=False)
            ns = pc.fill_null(stamps.cast(pa.int64()), 0).to_numpy(zero_copy_only=False)
            return ns.astype(np.int64, copy=True), ok
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass  # some value is not plain ISO for Arrow: read value by value below
    text = pd.Series(arr.to_numpy(zero_copy_only=False), dtype=object)
    present = text.notna().to_numpy()
    has_offset = np.zeros(n, dtype=bool)
    has_offset[present] = [bool(_OFFSET_RE.search(v)) for v in text[present]]
    usable = present & (has_offset == aware)
    ns = np.zeros(n, dtype=np.int64)
    ok = np.zeros(n, dtype=bool)
    if not usable.any():
        return ns, ok
    if family.key == "iso":
        iso_ok = np.zeros(n, dtype=bool)
        iso_ok[usable] = [bool(_ISO_RE.match(v)) for v in text[usable]]
        subset = np.flatnonzero(iso_ok)
        if subset.size:
            parsed = pd.to_datetime(
                text.iloc[subset].str.replace(",", ".", regex=False),
                format="ISO8601",
                errors="coerce",
                utc=aware,
            )
            _store(parsed, subset, ns, ok)
        return ns, ok
    if aware:
        return ns, ok  # offsets are read for ISO 8601 only
    remaining = np.flatnonzero(usable)
    for fmt in family.formats:
        if remaining.size == 0:
            break
        parsed = pd.to_datetime(text.iloc[remaining], format=fmt, errors="coerce")
        _store(parsed, remaining, ns, ok)
        remaining = remaining[~ok[remaining]]
    return ns, ok


def _store(parsed, positions: np.ndarray, ns: np.ndarray, ok: np.ndarray) -> None:
    good = pd.notna(parsed).to_numpy() if hasattr(parsed, "to_numpy") else pd.notna(parsed)
    if not good.any():
        return
    values = _index_ns(parsed)
    ns[positions[good]] = values[good]
    ok[positions[good]] = True


def reading_of(value: str) -> tuple[DateFamily, bool] | None:
    """The first family (and offset flag) that reads this one value, if any."""
    for aware in (False, True):
        for family in DATE_FAMILIES:
            _, ok = parse_datetimes([value], family, aware=aware)
            if ok.all():
                return family, aware
    return None


def finest_unit(ns: np.ndarray) -> str:
    """The coarsest of s / ms / us / ns that writes every value exactly."""
    if ns.size == 0:
        return "s"
    for unit, step in (("s", 10**9), ("ms", 10**6), ("us", 10**3)):
        if not np.any(ns % step):
            return unit
    return "ns"


UNIT_ORDER = ("s", "ms", "us", "ns")


def finer_unit(a: str, b: str) -> str:
    return a if UNIT_ORDER.index(a) >= UNIT_ORDER.index(b) else b


def format_datetimes(ns: np.ndarray, *, unit: str, utc: bool) -> list[str]:
    """ISO 8601 text for int64 ns values; ``Z`` suffix when the file had offsets."""
    stamps = np.asarray(ns, dtype=np.int64).view("datetime64[ns]")
    text = np.datetime_as_string(stamps, unit=unit, timezone="UTC" if utc else "naive")
    return text.tolist()


def parse_time_value(value, *, utc: bool) -> int:
    """An API date-time (ISO 8601 text, ``datetime`` or ``pandas.Timestamp``) to int64 ns.

    For a file whose times had offsets (stored in UTC) a value without offset is taken as UTC;
    for a file without offsets a value with an offset is refused, since its zone is unknown.
    """
    if isinstance(value, bool | int | float | np.integer | np.floating):
        raise ValueError(
            f"This file has date-time values; give times as ISO 8601 text such as "
            f"'2024-01-02T03:04:05', not the number {value!r}."
        )
    try:
        stamp = pd.Timestamp(value.strip() if isinstance(value, str) else value)
    except (ValueError, TypeError) as exc:
        raise ValueError(
            f"{value!r} is not a date-time; use ISO 8601 such as '2024-01-02T03:04:05'."
        ) from exc
    if stamp is pd.NaT or pd.isna(stamp):
        raise ValueError(f"{value!r} is not a date-time.")
    if stamp.tzinfo is not None:
        if not utc:
            raise ValueError(
                f"{value!r} has a UTC offset but this file's times have none; "
                "give the time without an offset, as it is written in the file."
            )
        stamp = stamp.tz_convert("UTC").tz_localize(None)
    return int(stamp.as_unit("ns").value)
