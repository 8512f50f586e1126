"""``series_window``: the points of a time window to plot, downsampled on the server."""

import numpy as np
from tsdownsample import MinMaxLTTBDownsampler

from .series import ColumnarSeries

DEFAULT_MAX_POINTS = 4000
MIN_POINTS_PER_CHANNEL = 3  # MinMaxLTTB keeps the first and last point, and needs one more


def series_window(
    series: ColumnarSeries,
    *,
    start=None,
    end=None,
    max_points: int = DEFAULT_MAX_POINTS,
    channels: list[str] | None = None,
) -> dict:
    """The rows with ``start <= time <= end`` (API time values; None = open end), JSON-ready.

    At most ``max_points`` points per channel. When the window has more rows, each channel is
    downsampled with MinMaxLTTB (tsdownsample) to ``max_points // len(channels)`` points, so
    its spikes survive, and the union of the chosen rows is returned for every channel: all
    channels share one ``time`` list and none is longer than ``max_points``. NaN comes back as
    None (JSON null) so a plot shows the gap. Raises ValueError for an unknown channel, a time
    value that does not fit the file, ``start > end`` or ``max_points < 1``.
    """
    if isinstance(max_points, bool) or not isinstance(max_points, int | np.integer):
        raise ValueError(f"max_points must be a whole number, not {max_points!r}.")
    if max_points < 1:
        raise ValueError(f"max_points must be at least 1, not {max_points}.")
    names = series.channels if channels is None else list(channels)
    arrays = {name: series.channel(name) for name in names}
    first, last = series.rows_between(start, end)
    rows = last - first + 1
    if rows <= 0:
        positions = np.empty(0, dtype=np.int64)
    elif rows <= max_points:
        positions = np.arange(first, last + 1)
    else:
        positions = _downsampled_rows(series, arrays, first, last, max_points)
    if series.time_kind == "index":
        axis = positions.astype(np.float64)
    else:
        axis = np.asarray(series.time[positions])
    times = series.format_times(axis)
    return {
        "time": times,
        "channels": {name: _json_values(array[positions]) for name, array in arrays.items()},
        "downsampled": bool(rows > len(positions)),
        "rows": int(max(rows, 0)),
        "points": int(len(positions)),
        "max_points": int(max_points),
        "first_row": int(first),
        "last_row": int(last),
        "start": times[0] if times else None,
        "end": times[-1] if times else None,
        "time_kind": series.time_kind,
    }


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


def _json_values(values: np.ndarray) -> list:
    """float32 values as the shortest decimal floats (0.1, not 0.10000000149), NaN as None."""
    text = np.asarray(values, dtype=np.float32).astype(str)
    return [None if cell == "nan" else float(cell) for cell in text.tolist()]
