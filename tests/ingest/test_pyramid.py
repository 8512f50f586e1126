"""The min/max pyramid: built at ingest or on first use, atomic, and windows read from it keep
every spike and match a plain min/max over the raw rows."""

import errno
import json

import numpy as np
import pytest

from labeler.ingest import (
    ingest_csv,
    open_series,
    series_cache_write,
    series_pyramid,
    window_binary,
    window_binary_read,
    window_json,
    window_select,
)
from labeler.ingest import pyramid as pyramid_module
from labeler.ingest import window as window_module
from labeler.ingest.pyramid import (
    BASE_ROWS,
    PYRAMID_DIR,
    pyramid_build,
    pyramid_open,
    pyramid_search,
)

SPIKE_ROW = 7_654_321
ROWS = 10_000_000


@pytest.fixture(scope="module")
def ten_million(tmp_path_factory):
    """10M rows at 100 Hz, no pyramid yet (as a cache from before pyramids): 'spiky' has one
    row at +50, 'dip' one row at -50, far outside their noise."""
    folder = tmp_path_factory.mktemp("ten") / "cache"
    rng = np.random.default_rng(3)
    wave = rng.normal(0, 1, ROWS).astype(np.float32)
    spiky = wave.copy()
    spiky[SPIKE_ROW] = 50.0
    dip = -wave
    dip[SPIKE_ROW + 1] = -50.0
    series_cache_write(folder, time=np.arange(ROWS) / 100.0, channels={"spiky": spiky, "dip": dip})
    return open_series(folder)


def spike_windows(rows: int, spike: int, seed: int = 0):
    """(first, last) rows of windows holding rows ``spike`` and ``spike + 1``, from the whole
    file down to 100 rows, the spike at a random place in each (near the edges too)."""
    rng = np.random.default_rng(seed)
    windows = [(0, rows - 1)]
    for length in np.geomspace(rows / 2, 100, 14).astype(int):
        for place in (rng.uniform(), 0.001, 0.999):
            first = int(np.clip(spike - place * (length - 2), 0, rows - length))
            windows.append((first, first + length - 1))
    return windows


def test_one_row_spike_shows_in_the_full_view_and_at_every_zoom(ten_million):
    series = ten_million
    assert pyramid_open(series) is None
    for first, last in spike_windows(series.rows, SPIKE_ROW):
        window = window_select(
            series, start=float(series.time[first]), end=float(series.time[last]), max_points=1000
        )
        assert window.rows == last - first + 1 and window.points <= 1000
        assert window.aggregated == (window.rows > window_module.RAW_WINDOW_ROWS)
        for name, value, row in (("spiky", 50.0, SPIKE_ROW), ("dip", -50.0, SPIKE_ROW + 1)):
            hits = np.flatnonzero(window.values[name] == value)
            assert hits.size, (name, first, last)
            shown = window.axis[hits[0]]
            if window.aggregated:  # shown at the first or the last row of its bin
                pair = window.axis[hits[0] - hits[0] % 2 : hits[0] - hits[0] % 2 + 2]
                assert pair[0] <= series.time[row] <= pair[1]
            else:
                assert shown == series.time[row]
    assert pyramid_open(series) is not None  # built on first use
    assert not [p for p in series.cache_dir.iterdir() if p.name.startswith(".")]


def naive_bins(values: np.ndarray, window) -> tuple[np.ndarray, np.ndarray]:
    rows = window.axis.astype(np.int64)  # an index file: the axis is the row number
    firsts, lasts = rows[0::2], rows[1::2]
    with np.errstate(invalid="ignore"):
        minima = np.array(
            [np.fmin.reduce(values[a : b + 1]) for a, b in zip(firsts, lasts, strict=True)]
        )
        maxima = np.array(
            [np.fmax.reduce(values[a : b + 1]) for a, b in zip(firsts, lasts, strict=True)]
        )
    return minima, maxima


@pytest.mark.parametrize("seed", range(6))
def test_bins_hold_the_min_and_max_of_their_raw_rows(tmp_path, monkeypatch, seed):
    """Against a plain min/max of the raw rows of each bin, for random windows and sizes,
    with NaN runs (a bin of NaN only stays NaN: a gap)."""
    monkeypatch.setattr(window_module, "RAW_WINDOW_ROWS", 0)
    rng = np.random.default_rng(seed)
    rows = int(rng.integers(200_000, 400_000))
    values = rng.normal(0, 1, rows).astype(np.float32)
    for _ in range(30):
        start = int(rng.integers(0, rows - 5000))
        values[start : start + int(rng.integers(1, 5000))] = np.nan
    series_cache_write(tmp_path / "c", time=None, channels={"a": values, "b": values * 2})
    series = open_series(tmp_path / "c")
    for _ in range(8):
        first = int(rng.integers(0, rows // 2))
        last = int(rng.integers(first + 1000, rows))
        window = window_select(series, start=first, end=last, max_points=int(rng.integers(10, 900)))
        assert window.aggregated and window.points <= window.max_points
        axis = window.axis.astype(np.int64)
        assert axis[0] == first and axis[-1] == last
        assert np.all(axis[2::2] == axis[1:-1:2] + 1)  # bins tile the window
        for name, scale in (("a", 1), ("b", 2)):
            minima, maxima = naive_bins(values * scale, window)
            np.testing.assert_array_equal(window.values[name][0::2], minima)
            np.testing.assert_array_equal(window.values[name][1::2], maxima)
        only_b = window_select(
            series, start=first, end=last, max_points=window.max_points, channels=["b"]
        )
        assert list(only_b.values) == ["b"]
        np.testing.assert_array_equal(only_b.values["b"], window.values["b"])


def test_ingest_writes_the_pyramid(write_csv, tmp_path):
    rows = BASE_ROWS * 40 + 7
    lines = ["time,a"] + [f"{i / 10},{(i * 7919) % 1000}" for i in range(rows)]
    ingest_csv(write_csv("a.csv", "\n".join(lines) + "\n"), tmp_path / "cache")
    series = open_series(tmp_path / "cache")
    pyramid = pyramid_open(series)
    assert pyramid is not None and pyramid.bucket_rows[0] == BASE_ROWS
    level = np.asarray(pyramid.level(1))
    values = np.asarray(series.channel("a"))[: 40 * BASE_ROWS].reshape(40, BASE_ROWS)
    np.testing.assert_array_equal(level[:, 0, 0], values.min(axis=1))
    np.testing.assert_array_equal(level[:, 0, 1], values.max(axis=1))
    meta = json.loads((tmp_path / "cache" / PYRAMID_DIR / "meta.json").read_text())
    assert meta["rows"] == rows and meta["checksum"] == series.checksum
    skipped = tmp_path / "nopyramid"
    ingest_csv(write_csv("a.csv", "\n".join(lines) + "\n"), skipped, pyramid=False)
    assert not (skipped / PYRAMID_DIR).exists()


def small_cache(tmp_path, rows=BASE_ROWS * 100):
    series_cache_write(tmp_path / "c", time=None, channels={"a": np.arange(rows, dtype=np.float32)})
    return open_series(tmp_path / "c")


def test_a_stale_or_broken_pyramid_is_replaced(tmp_path):
    series = small_cache(tmp_path)
    (series.cache_dir / PYRAMID_DIR).write_text("not a folder")
    assert pyramid_open(series) is None
    assert series_pyramid(series) is not None
    meta_path = series.cache_dir / PYRAMID_DIR / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "checksum": "other"}))
    assert pyramid_open(series) is None
    pyramid_build(series)
    assert pyramid_open(series) is not None
    assert sorted(p.name for p in series.cache_dir.iterdir() if p.name.startswith(".")) == []


def test_a_pyramid_that_cannot_be_written_leaves_the_window_to_the_raw_rows(tmp_path, monkeypatch):
    series = small_cache(tmp_path, rows=50_000)
    monkeypatch.setattr(window_module, "RAW_WINDOW_ROWS", 0)

    def disk_full(series, folder):
        folder.mkdir()
        (folder / "level_1.npy").write_bytes(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pyramid_module, "pyramid_write", disk_full)
    window = window_select(series, max_points=100)
    assert not window.aggregated and window.downsampled and window.points <= 100
    assert window.values["a"].max() == 49_999
    assert not (series.cache_dir / PYRAMID_DIR).exists()
    assert not [p for p in series.cache_dir.iterdir() if p.name.startswith(".")]


def test_binary_body_round_trips_datetime_windows(write_csv, tmp_path):
    lines = ["time,a,b"] + [
        f"2024-01-02T03:04:{s:02d}.123456789Z,{s / 4},{'' if s % 5 == 0 else s}" for s in range(60)
    ]
    ingest_csv(write_csv("dt.csv", "\n".join(lines) + "\n"), tmp_path / "c")
    series = open_series(tmp_path / "c")
    window = window_select(series, start="2024-01-02T03:04:10Z")
    header, arrays = window_binary_read(window_binary(window))
    as_json = window_json(window)
    assert header["channels"] == ["a", "b"] and header["points"] == 50
    assert header["time_kind"] == "datetime" and header["x_unit"] == "ns"
    assert header["x_base"] == as_json["time"][0] == "2024-01-02T03:04:10.123456789Z"
    assert header["aggregated"] is False and header["rows"] == 50
    assert header["start"] == as_json["start"] and header["end"] == as_json["end"]
    base = int(series.time[10])
    np.testing.assert_array_equal(base + arrays["x"].astype(np.int64), series.time[10:])
    assert arrays["x"].dtype == np.float64 and arrays["a"].dtype == np.float32
    np.testing.assert_array_equal(arrays["a"], np.arange(10, 60) / 4)
    assert np.isnan(arrays["b"][0]) and arrays["b"][1] == 11
    for item in header["arrays"]:
        assert item["offset"] % 8 == 0


def irregular_cache(tmp_path, kind: str, rows: int = 300_000, seed: int = 0):
    """Irregular steps and gaps (the cache's times are strictly increasing)."""
    rng = np.random.default_rng(seed)
    steps = rng.choice([1, 1, 2, 7, 500], size=rows)
    if kind == "datetime":
        time = 1_700_000_000_000_000_000 + np.cumsum(steps).astype(np.int64) * 1_000_000
    else:
        time = np.cumsum(steps) / 100.0
    values = rng.normal(0, 1, rows).astype(np.float32)
    series_cache_write(
        tmp_path / kind, time=time, channels={"a": values, "b": -values}, time_kind=kind
    )
    series = open_series(tmp_path / kind)
    pyramid_build(series)
    return series, time


@pytest.mark.parametrize("kind", ["numeric", "datetime"])
def test_the_pyramid_search_is_numpys_binary_search(tmp_path, kind):
    series, time = irregular_cache(tmp_path, kind)
    pyramid = pyramid_open(series)
    assert pyramid.has_times and len(pyramid.buckets) >= 3
    rng = np.random.default_rng(1)
    probes = np.concatenate(
        [
            time[rng.integers(0, len(time), 300)],  # exact times
            rng.uniform(time[0] - 5, time[-1] + 5, 300).astype(time.dtype),
            time[[0, -1]],
            [time[0] - 1, time[-1] + 1],
            time[BASE_ROWS * np.arange(1, 40)],  # bucket edges
            time[BASE_ROWS * np.arange(1, 40) - 1],
        ]
    ).astype(time.dtype)
    for value in probes:
        for side in ("left", "right"):
            assert pyramid_search(pyramid, series.time, value, side) == np.searchsorted(
                time, value, side=side
            ), (value, side)


class RecordedReads:
    """The time column, recording how it is indexed."""

    def __init__(self, array):
        self.array, self.keys = array, []

    def __len__(self):
        return len(self.array)

    def __getitem__(self, key):
        self.keys.append(key)
        return self.array[key]


_pyramid_init = pyramid_module.Pyramid.__init__


def _without_times(self, folder, meta):
    _pyramid_init(self, folder, meta)
    self.has_times = False


@pytest.mark.parametrize("kind", ["numeric", "datetime"])
def test_windows_read_the_time_column_in_a_few_short_slices(tmp_path, monkeypatch, kind):
    """With bucket times, a window's rows and bin times are the same as from the time column,
    and the column itself is read only in short contiguous slices (a search's last bucket, the
    raw rows at a window's edges, or the window's rows when it is too short for the pyramid):
    no scattered reads, which cost a disk read each when the file is not in the page cache."""
    monkeypatch.setattr(window_module, "RAW_WINDOW_ROWS", 0)
    series, time = irregular_cache(tmp_path, kind)
    rng = np.random.default_rng(2)
    for _ in range(20):
        first = int(rng.integers(0, len(time) // 2))
        last = int(rng.integers(first + 2_000, len(time)))
        start, end = series.axis_to_time_value(time[first]), series.axis_to_time_value(time[last])
        points = int(rng.integers(10, 2_000))
        recorded = RecordedReads(
            np.load(series.cache_dir / series.meta["time_file"], mmap_mode="r")
        )
        series.__dict__["time"] = recorded
        window = window_select(series, start=start, end=end, max_points=points)
        series.__dict__["time"] = recorded.array
        monkeypatch.setattr(pyramid_module.Pyramid, "__init__", _without_times)
        plain = window_select(series, start=start, end=end, max_points=points)
        monkeypatch.undo()
        monkeypatch.setattr(window_module, "RAW_WINDOW_ROWS", 0)
        assert window.aggregated
        assert (window.first_row, window.last_row) == (plain.first_row, plain.last_row)
        np.testing.assert_array_equal(window.axis, plain.axis)
        np.testing.assert_array_equal(window.values["a"], plain.values["a"])
        assert len(recorded.keys) <= 16, recorded.keys
        for key in recorded.keys:
            assert isinstance(key, slice) and key.step is None, key


def test_a_pyramid_without_bucket_times_still_serves_windows(tmp_path, monkeypatch):
    """Pyramids written before bucket times: the time column is read as before."""
    monkeypatch.setattr(window_module, "RAW_WINDOW_ROWS", 0)
    series, time = irregular_cache(tmp_path, "numeric")
    with_times = window_select(series, start=1.0, end=float(time[-1000]), max_points=500)
    meta_path = series.cache_dir / PYRAMID_DIR / "meta.json"
    meta = json.loads(meta_path.read_text())
    for level in meta["levels"]:
        (series.cache_dir / PYRAMID_DIR / level.pop("times")).unlink()
    del meta["bucket_times"]
    meta_path.write_text(json.dumps(meta))
    assert not pyramid_open(series).has_times
    without = window_select(series, start=1.0, end=float(time[-1000]), max_points=500)
    np.testing.assert_array_equal(with_times.axis, without.axis)
    np.testing.assert_array_equal(with_times.values["b"], without.values["b"])
