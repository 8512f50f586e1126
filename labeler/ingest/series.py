"""Reading a columnar cache: memory-mapped, read-only, cheap to open."""

import json
from functools import cached_property
from pathlib import Path

import numpy as np

from .cache import CACHE_FORMAT, META_FILE
from .timeparse import finer_unit, finest_unit, format_datetimes, parse_time_value


class ColumnarSeries:
    """One ingested file, in time order.

    ``time`` is float64 for numeric and index files and int64 nanoseconds since the epoch
    (UTC when ``tz == "UTC"``, else the file's own wall-clock time) for date-time files.
    Channels are float32. Every array is a read-only memory map; nothing is loaded until used.
    """

    def __init__(self, cache_dir: Path, meta: dict):
        self.cache_dir = Path(cache_dir)
        self.meta = meta
        result = meta["result"]
        self.result = result
        self.rows: int = result["rows"]
        self.channels: list[str] = list(result["channels"])
        self.time_kind: str = result["time_kind"]
        self.time_column: str | None = result["time_column"]
        self.tz: str | None = result.get("tz")
        self.time_unit: str | None = result.get("time_unit")
        self.sampling_rate: float | None = result["sampling_rate"]
        self.nan_counts: dict[str, int] = dict(result["nan_counts"])
        self.checksum: str = result["checksum"]
        self.resorted: bool = result["resorted"]

    def __repr__(self) -> str:
        return (
            f"<ColumnarSeries {self.cache_dir.name}: {self.rows} rows, "
            f"{len(self.channels)} channels, time {self.time_kind}>"
        )

    @cached_property
    def time(self) -> np.ndarray:
        """The time axis (the row number 0..rows-1 for index files), a read-only memory map."""
        return np.load(self.cache_dir / self.meta["time_file"], mmap_mode="r")

    @cached_property
    def order(self) -> np.ndarray | None:
        """Source data row (0-based) of each cache row, when the file was sorted; else None."""
        if not self.meta.get("order_file"):
            return None
        return np.load(self.cache_dir / self.meta["order_file"], mmap_mode="r")

    def channel(self, name: str) -> np.ndarray:
        """A channel as a read-only float32 memory map (NaN where the file had no value)."""
        try:
            file_name = self.meta["channel_files"][name]
        except KeyError:
            raise ValueError(
                f"Unknown channel '{name}'; this file's channels are: "
                + ", ".join(f"'{c}'" for c in self.channels)
                + "."
            ) from None
        return np.load(self.cache_dir / file_name, mmap_mode="r")

    def values(self, channels: list[str] | None = None) -> np.ndarray:
        """``(rows, n)`` float32 array of the chosen channels (all by default); a copy."""
        names = self.channels if channels is None else list(channels)
        out = np.empty((self.rows, len(names)), dtype=np.float32)
        for position, name in enumerate(names):
            out[:, position] = self.channel(name)
        return out

    # ---- time values: the API's values (numbers or ISO text) <-> the internal axis

    def time_value_to_axis(self, value) -> float | int:
        """An API time (number, or ISO 8601 text for date-time files) to the axis value.

        Raises ValueError with a message for a person when the value does not fit the file.
        """
        if self.time_kind == "datetime":
            return parse_time_value(value, utc=self.tz == "UTC")
        if isinstance(value, bool):
            raise ValueError(f"{value!r} is not a time value.")
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            unit = "a row number" if self.time_kind == "index" else "a number"
            raise ValueError(f"{value!r} is not {unit}; this file's time is {unit}.") from None
        if not np.isfinite(number):
            raise ValueError(f"{value!r} is not a finite number.")
        return number

    def axis_to_time_value(self, axis) -> float | str:
        """An axis value to the API's time value (ISO 8601 text for date-time files)."""
        if self.time_kind == "datetime":
            return self.format_times(np.array([axis], dtype=np.int64))[0]
        return float(axis)

    def format_times(self, axis_values: np.ndarray) -> list:
        """Many axis values to API values, as a list (JSON-ready)."""
        if self.time_kind == "datetime":
            ns = np.asarray(axis_values, dtype=np.int64)
            unit = finer_unit(self.time_unit or "s", finest_unit(ns))
            return format_datetimes(ns, unit=unit, utc=self.tz == "UTC")
        return np.asarray(axis_values, dtype=np.float64).tolist()

    # ---- rows

    def axis_rows_between(self, start=None, end=None, search=None) -> tuple[int, int]:
        """Rows with ``start <= time <= end`` (axis values; None = open end), inclusive.

        An empty range comes back as ``(first, first - 1)``. ``search(value, side)``: a
        replacement for ``np.searchsorted`` on the time column (e.g. ``pyramid_search``).
        """
        if search is None:
            time = self.time

            def search(value, side):
                return int(np.searchsorted(time, value, side=side))

        first = 0 if start is None else search(start, "left")
        last = self.rows - 1 if end is None else search(end, "right") - 1
        return first, max(last, first - 1)

    def rows_between(self, start=None, end=None, search=None) -> tuple[int, int]:
        """Rows between two API time values (None = open end), inclusive, by binary search."""
        start_axis = None if start is None else self.time_value_to_axis(start)
        end_axis = None if end is None else self.time_value_to_axis(end)
        if start_axis is not None and end_axis is not None and start_axis > end_axis:
            raise ValueError(f"The start {start!r} is after the end {end!r}.")
        return self.axis_rows_between(start_axis, end_axis, search)

    def source_rows(self, first: int, last: int) -> np.ndarray:
        """The source data rows (0-based, file order) of cache rows ``first..last``."""
        rows = np.arange(first, last + 1)
        return rows if self.order is None else np.asarray(self.order[first : last + 1])


def open_series(cache_dir) -> ColumnarSeries:
    """Open the cache written by ``ingest_csv`` (reads only ``meta.json``)."""
    folder = Path(cache_dir)
    meta = json.loads((folder / META_FILE).read_text("utf-8"))
    if meta.get("format") != CACHE_FORMAT:
        raise ValueError(
            f"{folder} holds a cache of format {meta.get('format')}, not {CACHE_FORMAT}."
        )
    return ColumnarSeries(folder, meta)
