"""The kept confidence of an auto-label run: minimum per 64 rows, written atomically, answered
at any number of bins in the file's own time units."""

import numpy as np
import pytest

from labeler.ingest import (
    confidence_buckets,
    confidence_read,
    confidence_window,
    confidence_write,
    open_series,
    series_cache_write,
    uncertain_share,
    window_binary,
    window_binary_read,
    window_json,
)


def test_buckets_keep_each_64_rows_minimum_and_the_short_last_bucket():
    per_row = np.ones(200, dtype=np.float32)
    per_row[70] = 0.3  # one unsure row in bucket 1
    per_row[199] = 0.6  # in the last, 8-row bucket
    assert confidence_buckets(per_row).tolist() == pytest.approx([1.0, 0.3, 1.0, 0.6])
    assert confidence_buckets(np.zeros(0)).shape == (0,)


def test_uncertain_share_counts_rows_below_the_threshold():
    assert uncertain_share(np.array([0.5, 0.79, 0.8, 0.99])) == 0.5
    assert uncertain_share(np.zeros(0)) == 0.0


def test_write_replaces_and_leaves_no_temporary_file(tmp_path):
    assert confidence_read(tmp_path) is None
    confidence_write(tmp_path, np.array([0.5, 0.9], dtype=np.float32))
    confidence_write(tmp_path, np.array([0.7], dtype=np.float32))
    assert confidence_read(tmp_path).tolist() == pytest.approx([0.7])
    assert [p.name for p in tmp_path.iterdir()] == ["confidence.npy"]


def test_window_of_a_date_time_file_in_both_forms(tmp_path):
    rows = 64 * 10
    start = np.datetime64("2024-01-02T03:04:05", "ns").astype(np.int64)
    time = start + np.arange(rows, dtype=np.int64) * 100_000_000  # 10 Hz
    series_cache_write(
        tmp_path / "cache",
        time=time,
        channels={"a": np.zeros(rows)},
        time_kind="datetime",
        tz="UTC",
    )
    series = open_series(tmp_path / "cache")
    buckets = np.linspace(0.5, 1.0, 10).astype(np.float32)
    window = confidence_window(series, buckets, 5)
    answer = window_json(window)
    assert answer["time"][:2] == ["2024-01-02T03:04:05.000Z", "2024-01-02T03:04:17.800Z"]
    assert answer["channels"]["confidence"] == pytest.approx(buckets[::2].tolist())
    header, arrays = window_binary_read(window_binary(window, header_extra={"bucket_rows": 64}))
    assert header["x_base"] == "2024-01-02T03:04:05.000Z" and header["bucket_rows"] == 64
    assert arrays["x"][1] == 12.8e9  # ns after the base
    for bins in (0, -1, True, 2.5):
        with pytest.raises(ValueError):
            confidence_window(series, buckets, bins)
