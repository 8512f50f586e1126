"""The points of a time window to plot, reduced on the server.

``window_select`` picks them: every row of a short window; MinMaxLTTB (tsdownsample) on the
raw rows of a window of up to ``RAW_WINDOW_ROWS`` rows; above that, the min/max pyramid
(``pyramid.py``): the window is cut into ``max_points // 2`` bins of rows and each bin gives its
minimum and its maximum, so a one-row spike shows at every zoom level. ``window_json`` and
``window_binary`` (``window_binary.py``) serialise the result.
"""

from dataclasses import dataclass

import numpy as np
from tsdownsample import MinMaxLTTBDownsampler

from .pyramid import pyramid_buckets, pyramid_search, series_pyramid, will_need
from .series import ColumnarSeries

DEFAULT_MAX_POINTS = 4000
MIN_POINTS_PER_CHANNEL = 3  # MinMaxLTTB keeps the first and last point, and needs one more
# Windows up to this many rows are reduced from their raw rows (MinMaxLTTB, a few ms for six
# channels); longer ones from the pyramid (see docs/BENCHMARKS.md, plot windows at 100M rows).
RAW_WINDOW_ROWS = 1_000_000


@dataclass(frozen=True)
class Window:
    """Points of a window, shared by every channel: ``axis`` (time axis values: float64, int64
    ns for date-times), ``values[name]`` float32 (NaN where the file has no value).

    ``aggregated``: the points come in pairs, one pair per bin of rows: the bin's minimum at the
    time of its first row, then its maximum at the time of its last row."""

    series: ColumnarSeries
    axis: np.ndarray
    values: dict[str, np.ndarray]
    rows: int
    first_row: int
    last_row: int
    max_points: int
    downsampled: bool
    aggregated: bool

    @property
    def points(self) -> int:
        return len(self.axis)


def window_select(
    series: ColumnarSeries,
    *,
    start=None,
    end=None,
    max_points: int = DEFAULT_MAX_POINTS,
    channels: list[str] | None = None,
) -> Window:
    """The rows with ``start <= time <= end`` (API time values; None = open end).

    At most ``max_points`` points, shared by every channel. Raises ValueError for an unknown
    channel, a time value that does not fit the file, ``start > end`` or ``max_points < 1``.
    """
    if isinstance(max_points, bool) or not isinstance(max_points, int | np.integer):
        raise ValueError(f"max_points must be a whole number, not {max_points!r}.")
    if max_points < 1:
        raise ValueError(f"max_points must be at least 1, not {max_points}.")
    names = series.channels if channels is None else list(channels)
    arrays = {name: series.channel(name) for name in names}
    pyramid = series_pyramid(series) if series.rows > RAW_WINDOW_ROWS else None
    first, last = series.rows_between(start, end, _search(series, pyramid))
    rows = max(last - first + 1, 0)
    if not (rows > max(RAW_WINDOW_ROWS, max_points) and max_points >= 2 and names):
        pyramid = None
    axis = None
    if pyramid is not None:
        positions, values, axis = _aggregated(
            pyramid, arrays, first, last + 1, max_points // 2, series.time
        )
    else:
        timed = [series.time] if series.time_kind != "index" else []  # index: rows are times
        for source in [*arrays.values(), *timed]:  # read side by side when not cached
            will_need(source, first, last + 1)
        if rows <= max_points:
            positions = np.arange(first, first + rows)
        else:
            positions = _downsampled_rows(series, arrays, first, last, max_points)
        values = {name: np.asarray(array[positions]) for name, array in arrays.items()}
    if series.time_kind == "index":
        axis = positions.astype(np.float64)
    elif axis is None:
        axis = np.asarray(series.time[positions])
    return Window(
        series=series,
        axis=axis,
        values=values,
        rows=rows,
        first_row=first,
        last_row=last,
        max_points=int(max_points),
        downsampled=pyramid is not None or rows > len(positions),
        aggregated=pyramid is not None,
    )


def _search(series, pyramid):
    """The time column's binary search through the pyramid's bucket times, when it has them
    (a few contiguous reads instead of ~27 scattered ones: see pyramid.py)."""
    if pyramid is None or not pyramid.has_times or series.time_kind == "index":
        return None
    time = series.time
    return lambda value, side: pyramid_search(pyramid, time, value, side)


def _aggregated(pyramid, arrays: dict, first: int, stop: int, bins: int, time):
    """Rows of the window's bins (first and last row of each, interleaved), each channel's
    minimum and maximum per bin (interleaved the same way), and the time of those rows when
    the pyramid keeps bucket times (else None: read from the time column)."""
    buckets = pyramid_buckets(pyramid, arrays, first, stop, at_least=bins, time=time)
    bin_of = (buckets.starts - first) * bins // (stop - first)
    opens = np.flatnonzero(np.diff(bin_of, prepend=-1))
    minima = np.fmin.reduceat(buckets.minima, opens, axis=0)
    maxima = np.fmax.reduceat(buckets.maxima, opens, axis=0)
    bin_first = buckets.starts[opens]
    bin_last = np.append(bin_first[1:] - 1, stop - 1)
    positions = np.stack([bin_first, bin_last], axis=1).ravel()
    values = {
        name: np.stack([minima[:, i], maxima[:, i]], axis=1).ravel()
        for i, name in enumerate(arrays)
    }
    axis = None
    if buckets.first_times is not None:
        closes = np.append(opens[1:], len(buckets.starts)) - 1  # each bin's last piece
        axis = np.stack([buckets.first_times[opens], buckets.last_times[closes]], axis=1).ravel()
    return positions, values, axis


def _downsampled_rows(series, arrays: dict, first: int, last: int, max_points: int) -> np.ndarray:
    """Cache rows to show: the union of every channel's MinMaxLTTB choice, sorted."""
    per_channel = max_points // max(len(arrays), 1)
    if per_channel < MIN_POINTS_PER_CHANNEL or not arrays:
        # too many channels for the budget: evenly spaced rows
        return np.unique(np.linspace(first, last, max_points).round().astype(np.int64))
    x = None if series.time_kind == "index" else series.time[first : last + 1]
    downsampler = MinMaxLTTBDownsampler()
    chosen = []
    for array in arrays.values():
        y = array[first : last + 1]
        if x is None:
            picked = downsampler.downsample(y, n_out=per_channel, parallel=True)
        else:
            picked = downsampler.downsample(x, y, n_out=per_channel, parallel=True)
        chosen.append(np.asarray(picked, dtype=np.int64))
    return np.unique(np.concatenate(chosen)) + first


def window_json(window: Window) -> dict:
    """The window as JSON-ready lists: times as API values, NaN as None (a gap in a plot)."""
    times = window.series.format_times(window.axis)
    return {
        "time": times,
        "channels": {name: _json_values(values) for name, values in window.values.items()},
        "downsampled": window.downsampled,
        "aggregated": window.aggregated,
        "rows": window.rows,
        "points": window.points,
        "max_points": window.max_points,
        "first_row": window.first_row,
        "last_row": window.last_row,
        "start": times[0] if times else None,
        "end": times[-1] if times else None,
        "time_kind": window.series.time_kind,
    }


def series_window(series: ColumnarSeries, **arguments) -> dict:
    """``window_json(window_select(series, ...))``: the window, JSON-ready."""
    return window_json(window_select(series, **arguments))


def _json_values(values: np.ndarray) -> list:
    """float32 values as the shortest decimal floats (0.1, not 0.10000000149), NaN as None."""
    text = np.asarray(values, dtype=np.float32).astype(str)
    return [None if cell == "nan" else float(cell) for cell in text.tolist()]
