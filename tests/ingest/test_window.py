"""series_window: the downsampled points of a time window, ready for JSON."""

import json

import numpy as np
import pytest

from labeler.ingest import ingest_csv, open_series, series_cache_write, series_window


@pytest.fixture
def million_rows(tmp_path):
    rows = 1_000_000
    rng = np.random.default_rng(0)
    time = np.arange(rows) / 100.0
    wave = np.sin(time).astype(np.float32) + rng.normal(0, 0.05, rows).astype(np.float32)
    spiky = wave.copy()
    spiky[612_345] = 50.0  # one row, far above the rest
    dip = wave.copy()
    dip[87_654] = -50.0
    series_cache_write(
        tmp_path / "million", time=time, channels={"wave": wave, "spiky": spiky, "dip": dip}
    )
    return open_series(tmp_path / "million")


def test_full_view_is_at_most_max_points_per_channel(million_rows):
    window = series_window(million_rows)
    assert window["downsampled"] is True and window["rows"] == 1_000_000
    assert 0 < len(window["time"]) <= 4000
    for values in window["channels"].values():
        assert len(values) == len(window["time"])
    assert window["time"] == sorted(window["time"])
    json.dumps(window)


def test_a_single_row_spike_survives_downsampling(million_rows):
    window = series_window(million_rows, max_points=500)
    assert len(window["time"]) <= 500
    assert max(window["channels"]["spiky"]) == 50.0
    assert min(window["channels"]["dip"]) == -50.0
    assert 6123.45 in window["time"]


def test_zoom_window_returns_only_rows_in_range(million_rows):
    window = series_window(million_rows, start=1000.0, end=1010.0)
    assert window["downsampled"] is False
    assert window["rows"] == window["points"] == 1001
    assert window["time"][0] == 1000.0 and window["time"][-1] == 1010.0
    assert window["first_row"] == 100_000 and window["last_row"] == 101_000
    zoom = series_window(million_rows, start=2000, end=4000, max_points=1000)
    assert zoom["downsampled"] is True and zoom["rows"] == 200_001
    assert all(2000 <= t <= 4000 for t in zoom["time"]) and len(zoom["time"]) <= 1000


def test_values_are_short_floats_and_nan_is_null(tmp_path):
    values = np.array([0.1, np.nan, 2.5, np.nan, 3.0], dtype=np.float32)
    series_cache_write(tmp_path / "c", time=np.arange(5.0), channels={"a": values})
    window = series_window(open_series(tmp_path / "c"))
    assert window["channels"]["a"] == [0.1, None, 2.5, None, 3.0]
    assert window["time"] == [0.0, 1.0, 2.0, 3.0, 4.0]


def test_long_gaps_stay_visible_when_downsampled(tmp_path):
    values = np.sin(np.arange(200_000) / 500).astype(np.float32)
    values[50_000:80_000] = np.nan  # 15 % of the rows missing
    series_cache_write(tmp_path / "c", time=None, channels={"a": values})
    series = open_series(tmp_path / "c")
    window = series_window(series, max_points=1000)
    assert window["downsampled"] is True and len(window["time"]) <= 1000
    gap = [
        v
        for t, v in zip(window["time"], window["channels"]["a"], strict=True)
        if 50_000 <= t < 80_000
    ]
    assert gap and all(v is None for v in gap)
    outside = [
        v for t, v in zip(window["time"], window["channels"]["a"], strict=True) if t < 50_000
    ]
    assert outside and all(v is not None for v in outside)


def test_datetime_windows_speak_iso(write_csv, tmp_path):
    lines = ["time,a"] + [f"2024-01-02T03:{m:02d}:00Z,{m}" for m in range(60)]
    ingest_csv(write_csv("dt.csv", "\n".join(lines) + "\n"), tmp_path / "c")
    series = open_series(tmp_path / "c")
    window = series_window(series, start="2024-01-02T03:10:00Z", end="2024-01-02T05:20:00+02:00")
    assert window["time"][0] == "2024-01-02T03:10:00Z"
    assert window["time"][-1] == "2024-01-02T03:20:00Z"
    assert window["start"] == "2024-01-02T03:10:00Z" and window["end"] == "2024-01-02T03:20:00Z"
    assert window["channels"]["a"] == [float(m) for m in range(10, 21)]
    small = series_window(series, max_points=12)
    assert small["downsampled"] is True and len(small["time"]) <= 12
    assert all(t.endswith("Z") for t in small["time"])


def test_empty_window_and_channel_choice(million_rows):
    empty = series_window(million_rows, start=-10, end=-5)
    assert empty["rows"] == 0 and empty["time"] == [] and empty["start"] is None
    assert empty["channels"] == {"wave": [], "spiky": [], "dip": []}
    chosen = series_window(million_rows, channels=["dip", "wave"], start=0, end=1)
    assert list(chosen["channels"]) == ["dip", "wave"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"max_points": 0}, "at least 1"),
        ({"max_points": 2.5}, "whole number"),
        ({"channels": ["nope"]}, "Unknown channel 'nope'"),
        ({"start": 10, "end": 5}, "after the end"),
        ({"start": "later"}, "not a number"),
    ],
)
def test_bad_parameters_raise_value_error(million_rows, arguments, message):
    with pytest.raises(ValueError, match=message):
        series_window(million_rows, **arguments)


def test_more_channels_than_the_budget_allows(tmp_path):
    channels = {f"c{i}": np.arange(1000, dtype=np.float32) for i in range(8)}
    series_cache_write(tmp_path / "c", time=np.arange(1000.0), channels=channels)
    window = series_window(open_series(tmp_path / "c"), max_points=10)
    assert window["downsampled"] is True and 0 < len(window["time"]) <= 10
    assert window["time"][0] == 0.0 and window["time"][-1] == 999.0


def test_index_series_window(tmp_path):
    series_cache_write(tmp_path / "c", time=None, channels={"a": np.arange(10_000.0)})
    series = open_series(tmp_path / "c")
    window = series_window(series, start=10, end=19.5)
    assert window["time"] == [float(i) for i in range(10, 20)]
    assert series_window(series, max_points=100)["points"] <= 100
