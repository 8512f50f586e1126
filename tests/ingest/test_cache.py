"""The columnar cache: values, memory maps, rows by time, time conversions."""

import json

import numpy as np
import pandas as pd
import pytest

from labeler.ingest import IngestError, ingest_csv, open_series, series_cache_write
from labeler.ingest import ingest as ingest_module
from labeler.ingest.readers import FastPathUnavailable
from tests.ingest.conftest import numeric_csv_text


def _same_float32(cache_values: np.ndarray, pandas_values: np.ndarray) -> None:
    expected = pandas_values.astype(np.float32)
    nan = np.isnan(expected)
    assert np.array_equal(np.isnan(cache_values), nan)
    np.testing.assert_array_max_ulp(cache_values[~nan], expected[~nan], maxulp=1)


def test_cache_round_trip_matches_pandas(write_csv, tmp_path):
    text = numeric_csv_text(30_000, channels=4)
    lines = text.splitlines()
    lines[100] = lines[100].rsplit(",", 1)[0] + ","  # a blank cell
    source = write_csv("round.csv", "\n".join(lines) + "\n")
    result = ingest_csv(source, tmp_path / "cache")
    expected = pd.read_csv(source)
    series = open_series(tmp_path / "cache")
    assert result.rows == series.rows == len(expected)
    assert result.channels == ["ch1", "ch2", "ch3", "ch4"]
    for name in result.channels:
        _same_float32(np.asarray(series.channel(name)), expected[name].to_numpy())
    np.testing.assert_array_equal(series.time, expected["time"].to_numpy())
    assert result.nan_counts == {"ch1": 0, "ch2": 0, "ch3": 0, "ch4": 1}
    assert result.sampling_rate == 100.0
    assert json.loads((tmp_path / "cache" / "meta.json").read_text())["reader"] == "arrow"


@pytest.mark.parametrize(("refused", "reader"), [("convert", "arrow"), ("structure", "python")])
def test_every_reading_path_writes_the_same_cache(
    write_csv, tmp_path, monkeypatch, refused, reader
):
    source = write_csv("both.csv", numeric_csv_text(12_000, channels=2))
    fast = ingest_csv(source, tmp_path / "fast")
    arrow_chunks = ingest_module.arrow_chunks

    def refusing(*args, null_values=True, **kwargs):
        if null_values or refused == "structure":  # the typed Arrow path (or every Arrow path)
            raise FastPathUnavailable("forced for the test", kind=refused)
        yield from arrow_chunks(*args, null_values=null_values, **kwargs)

    monkeypatch.setattr(ingest_module, "arrow_chunks", refusing)
    other = ingest_csv(source, tmp_path / "other")
    assert fast.as_dict() == other.as_dict()
    first, second = open_series(tmp_path / "fast"), open_series(tmp_path / "other")
    assert second.meta["reader"] == reader
    np.testing.assert_array_equal(first.time, second.time)
    np.testing.assert_array_equal(first.values(), second.values())


def test_memory_maps_are_read_only_and_lazy(write_csv, tmp_path):
    source = write_csv("small.csv", numeric_csv_text(1_000))
    ingest_csv(source, tmp_path / "cache")
    series = open_series(tmp_path / "cache")
    assert "time" not in series.__dict__  # nothing read at open
    channel = series.channel("ch1")
    assert isinstance(channel, np.memmap) and channel.dtype == np.float32
    assert isinstance(series.time, np.memmap) and series.time.dtype == np.float64
    with pytest.raises(ValueError):
        channel[0] = 1.0
    with pytest.raises(ValueError, match="Unknown channel 'nope'"):
        series.channel("nope")


def test_values_stacks_channels_in_the_order_asked(write_csv, tmp_path):
    source = write_csv("small.csv", numeric_csv_text(500))
    ingest_csv(source, tmp_path / "cache")
    series = open_series(tmp_path / "cache")
    everything = series.values()
    assert everything.shape == (500, 3) and everything.dtype == np.float32
    picked = series.values(["ch3", "ch1"])
    np.testing.assert_array_equal(picked[:, 0], series.channel("ch3"))
    np.testing.assert_array_equal(picked[:, 1], series.channel("ch1"))


def test_rows_between_is_inclusive_and_clips(write_csv, tmp_path):
    source = write_csv("small.csv", numeric_csv_text(1_000, rate=10.0))
    ingest_csv(source, tmp_path / "cache")
    series = open_series(tmp_path / "cache")
    assert series.rows_between(1.0, 2.0) == (10, 20)
    assert series.rows_between(1.05, 1.95) == (11, 19)
    assert series.rows_between(None, 0.0) == (0, 0)
    assert series.rows_between(99.9, None) == (999, 999)
    assert series.rows_between(None, None) == (0, 999)
    assert series.rows_between(-5, -1) == (0, -1)  # empty: last < first
    assert series.rows_between(500, 600) == (1000, 999)
    assert series.rows_between("1", "2") == (10, 20)
    with pytest.raises(ValueError, match="after the end"):
        series.rows_between(3, 2)
    with pytest.raises(ValueError, match="not a number"):
        series.rows_between("soon", None)


def test_datetime_conversions_with_utc_offsets(write_csv, tmp_path):
    source = write_csv(
        "tz.csv",
        "time,a\n2024-01-02T03:04:05+02:00,1\n2024-01-02T03:04:06+02:00,2\n"
        "2024-01-02T03:04:07.5+02:00,3\n",
    )
    result = ingest_csv(source, tmp_path / "cache")
    series = open_series(tmp_path / "cache")
    assert series.tz == "UTC" and result.time_unit == "ms"
    first = series.time_value_to_axis("2024-01-02T01:04:05Z")
    assert first == series.time[0] == pd.Timestamp("2024-01-02T01:04:05Z").value
    assert series.time_value_to_axis("2024-01-02T03:04:05+02:00") == first
    assert series.time_value_to_axis("2024-01-02T01:04:05") == first  # no offset = UTC
    assert series.axis_to_time_value(first) == "2024-01-02T01:04:05.000Z"
    assert series.axis_to_time_value(series.time[2]) == "2024-01-02T01:04:07.500Z"
    assert series.rows_between("2024-01-02T01:04:06Z", "2024-01-02T03:04:09+02:00") == (1, 2)
    with pytest.raises(ValueError, match="ISO 8601"):
        series.time_value_to_axis(12.5)
    with pytest.raises(ValueError, match="not a date-time"):
        series.time_value_to_axis("yesterday-ish")


def test_naive_datetimes_refuse_values_with_offsets(write_csv, tmp_path):
    source = write_csv("naive.csv", "time,a\n2024-01-02 03:04:05,1\n2024-01-02 03:04:06,2\n")
    ingest_csv(source, tmp_path / "cache")
    series = open_series(tmp_path / "cache")
    assert series.tz is None
    assert series.axis_to_time_value(series.time[0]) == "2024-01-02T03:04:05"
    assert series.time_value_to_axis("2024-01-02T03:04:06") == series.time[1]
    with pytest.raises(ValueError, match="has a UTC offset but this file's times have none"):
        series.time_value_to_axis("2024-01-02T03:04:06Z")


def test_epoch_milliseconds_become_utc_nanoseconds(write_csv, tmp_path):
    source = write_csv("ms.csv", "timestamp,a\n1704164645000,1\n1704164645010,2\n")
    result = ingest_csv(source, tmp_path / "cache")
    series = open_series(tmp_path / "cache")
    assert result.epoch_unit == "ms" and result.sampling_rate == 100.0
    assert series.time.tolist() == [1704164645000 * 10**6, 1704164645010 * 10**6]


def test_time_looking_like_epoch_under_another_name_stays_numeric(write_csv, tmp_path):
    source = write_csv("t.csv", "time,a\n1704164645,1\n1704164646,2\n")
    result = ingest_csv(source, tmp_path / "cache")
    assert result.time_kind == "numeric"
    assert any("name the column 'timestamp'" in warning for warning in result.warnings)


def test_unsorted_rows_are_sorted_with_their_values(write_csv, tmp_path):
    rng = np.random.default_rng(1)
    time = rng.permutation(20_000).astype(float)
    lines = ["time,double"] + [f"{t:g},{2 * t:g}" for t in time]
    source = write_csv("shuffled.csv", "\n".join(lines) + "\n")
    result = ingest_csv(source, tmp_path / "cache")
    series = open_series(tmp_path / "cache")
    assert result.resorted
    assert np.array_equal(series.time, np.arange(20_000.0))
    np.testing.assert_array_equal(series.channel("double"), 2 * np.arange(20_000.0))
    np.testing.assert_array_equal(series.order, np.argsort(time, kind="stable"))
    out_of_order = int(np.sum(time[1:] < np.maximum.accumulate(time)[:-1]))
    assert any(f"{out_of_order} rows were out of time order" in w for w in result.warnings)


def test_duplicates_far_into_a_big_file_name_their_rows(write_csv, tmp_path):
    lines = ["time,a"] + [f"{i},{i % 7}" for i in range(300_000)]
    lines[250_001] = "250001,1"  # data row 250001 repeats the time of data row 250002
    lines[250_002] = "250001,2"
    source = write_csv("dups.csv", "\n".join(lines) + "\n")
    with pytest.raises(IngestError) as caught:
        ingest_csv(source, tmp_path / "cache")
    assert "data rows 250001 and 250002 both have 250001" in caught.value.message
    assert caught.value.detail["rows"] == [250001, 250002]


def test_text_after_the_sample_drops_that_column(write_csv, tmp_path):
    lines = numeric_csv_text(20_000).splitlines()
    cells = lines[15_000].split(",")
    cells[1] = "sensor error"
    lines[15_000] = ",".join(cells)
    source = write_csv("late.csv", "\n".join(lines) + "\n")
    result = ingest_csv(source, tmp_path / "cache")
    assert result.channels == ["ch2", "ch3"]
    assert any(
        "'ch1' was not used as a channel: data row 15000 holds text (e.g. 'sensor error')" in w
        for w in result.warnings
    )
    with pytest.raises(IngestError, match="The channel 'ch1' is not numeric: data row 15000"):
        ingest_csv(source, tmp_path / "chosen", channels=["ch1", "ch2"])


def test_bytes_that_are_not_utf8_after_the_sample(write_csv, tmp_path):
    lines = ["time,a,note"] + [f"{i},{i},ok" for i in range(40_000)]
    lines[-1] = f"{39_999},1,café"
    source = write_csv("late.csv", ("\n".join(lines) + "\n").encode("cp1252"))
    result = ingest_csv(source, tmp_path / "cache")
    assert result.rows == 40_000 and result.dialect["encoding"] == "cp1252"
    assert any("cp1252" in w for w in result.warnings)


def test_day_month_order_settled_by_a_later_row(write_csv, tmp_path):
    stamps = pd.date_range("2024-01-01", periods=20_000, freq="min")
    lines = ["time,a"] + [f"{s:%m/%d/%Y %H:%M},{i}" for i, s in enumerate(stamps)]
    source = write_csv("us.csv", "\n".join(lines) + "\n")
    result = ingest_csv(source, tmp_path / "cache")
    assert result.time_start == "2024-01-01T00:00:00"
    assert result.time_end == f"{stamps[-1]:%Y-%m-%dT%H:%M:%S}"
    assert any("month/day/year" in w for w in result.warnings)
    assert result.sampling_rate == pytest.approx(1 / 60)


def test_large_iso_file_reads_every_time(write_csv, tmp_path):
    stamps = pd.date_range("2024-03-01T00:00:00Z", periods=150_000, freq="10ms")
    lines = ["timestamp,a"] + [
        f"{s.strftime('%Y-%m-%dT%H:%M:%S.%f')[:-3]}Z,{i % 5}" for i, s in enumerate(stamps)
    ]
    source = write_csv("iso.csv", "\n".join(lines) + "\n")
    result = ingest_csv(source, tmp_path / "cache")
    series = open_series(tmp_path / "cache")
    np.testing.assert_array_equal(series.time, stamps.as_unit("ns").asi8)
    assert result.sampling_rate == 100.0
    assert result.time_end == "2024-03-01T00:24:59.990Z"
    assert series.meta["reader"] == "arrow"


def test_time_column_by_name_ignores_case_and_single_column_files(write_csv, tmp_path):
    source = write_csv("case.csv", "Seconds,a\n0,1\n1,2\n")
    result = ingest_csv(source, tmp_path / "one", time_column="SECONDS")
    assert result.time_column == "Seconds" and result.time_kind == "numeric"
    single = write_csv("single.csv", "value\n1\n2\n3\n")
    result = ingest_csv(single, tmp_path / "two")
    assert result.time_kind == "index" and result.channels == ["value"]


def test_infinite_values_become_gaps(write_csv, tmp_path):
    source = write_csv("inf.csv", "time,a\n0,1\n1,inf\n2,-inf\n3,4\n")
    result = ingest_csv(source, tmp_path / "cache")
    assert result.nan_counts == {"a": 2}
    assert any("Infinite values were treated as missing: 'a' 2" in w for w in result.warnings)


def test_series_cache_write_from_arrays(tmp_path):
    time = np.arange(10, dtype=np.float64) / 4
    result = series_cache_write(tmp_path / "cache", time=time, channels={"x": np.ones(10)})
    series = open_series(tmp_path / "cache")
    assert result.sampling_rate == 4.0 and series.channels == ["x"]
    np.testing.assert_array_equal(series.time, time)


@pytest.mark.parametrize(
    ("content", "reader", "warning"),
    [
        (b"time;price\n0;1\xc2\xa0234,5\n1;2 345,75\n", "arrow", "thousands separators (spaces)"),
        (b"time,a,b\r0,1,2\r1,2,3\r", "python", None),
        (b"\n\ntime,a,b\n0,1,2\n1,2,3\n", "python", None),
        (b"time,a,b\n0,1,2\n1,2\n", "python", "1 row had fewer cells than the header (data row 2)"),
        ("time,a,b\n0,1,2\n1,2,3\n".encode("utf-16-le"), "arrow", "UTF-16 (little-endian"),
    ],
    ids=["space_thousands", "cr_line_ends", "blank_lines_first", "short_row", "utf16_no_bom"],
)
def test_odd_files_take_the_path_that_reads_them(write_csv, tmp_path, content, reader, warning):
    result = ingest_csv(write_csv("odd.csv", content), tmp_path / "cache")
    series = open_series(tmp_path / "cache")
    assert series.meta["reader"] == reader and result.rows == 2
    assert series.channel(result.channels[0])[1] in (2.0, 2345.75)
    if warning:
        assert any(warning in w for w in result.warnings), result.warnings


def test_thousands_in_a_big_file_use_the_arrow_text_path(write_csv, tmp_path):
    lines = ["time,price"] + [f'{i},"{i // 1000},{i % 1000:03d}.5"' for i in range(1000, 60_000)]
    result = ingest_csv(write_csv("t.csv", "\n".join(lines) + "\n"), tmp_path / "cache")
    series = open_series(tmp_path / "cache")
    assert series.meta["reader"] == "arrow"
    np.testing.assert_array_equal(series.channel("price"), np.arange(1000, 60_000) + 0.5)
    assert result.rows == 59_000


def test_a_requested_channel_is_not_taken_as_time(write_csv, tmp_path):
    source = write_csv("temps.csv", "t,humidity\n21.5,40\n21.7,41\n21.6,42\n")
    result = ingest_csv(source, tmp_path / "cache", channels=["t", "humidity"])
    assert result.time_kind == "index" and result.channels == ["t", "humidity"]
