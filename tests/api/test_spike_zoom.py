"""A single-row spike in a 10M-row file is drawn at every zoom level: the data endpoint's binary
windows (what the plot draws) show it, at its place, from the whole file down to 10 rows,
wherever it sits in the window and in the pyramid's buckets; windows without it don't show it."""

import os

import numpy as np
import pytest

from labeler import storage
from labeler.ingest import open_series, series_cache_write, series_pyramid, window_binary_read
from labeler.models import SeriesFile

pytestmark = pytest.mark.slow  # a 10M-row x 6-channel cache and its pyramid (about 10 s)

ROWS = 10_000_000
RATE = 100.0
CHANNELS = [f"ch{i}" for i in range(1, 7)]
SPIKE_CHANNEL = "ch3"
SPIKE = 50.0
PX = (300, 1000, 1900)


@pytest.fixture(scope="module")
def spiky_cache(tmp_path_factory):
    """The cache and pyramid of 10M rows at 100 Hz, uniform noise in [-1, 1] on every channel,
    and one row of ch3 at +50 (a random row that is not on any bucket's first or last row)."""
    rng = np.random.default_rng(10)
    spike_row = int(rng.integers(ROWS // 10, ROWS - ROWS // 10))
    while spike_row % 64 in (0, 63):
        spike_row += 1
    noise = rng.random((len(CHANNELS), ROWS), dtype=np.float32) * 2 - 1
    noise[CHANNELS.index(SPIKE_CHANNEL), spike_row] = SPIKE
    folder = tmp_path_factory.mktemp("spike") / "cache"
    series_cache_write(
        folder,
        time=np.arange(ROWS) / RATE,
        channels={name: noise[i] for i, name in enumerate(CHANNELS)},
    )
    del noise
    pyramid = series_pyramid(open_series(folder))
    return folder, spike_row, pyramid.bucket_rows


@pytest.fixture
def spiky_file(spiky_cache, project, user):
    folder, spike_row, bucket_rows = spiky_cache
    series_file = SeriesFile(
        project_id=project["id"],
        name="spiky.csv",
        uploaded_by=user,
        rows=ROWS,
        channels=CHANNELS,
        time_kind="numeric",
        time_column="time",
        time_start=0.0,
        time_end=(ROWS - 1) / RATE,
    )
    storage.file_dir(series_file.storage_key).mkdir(parents=True)
    os.symlink(folder, storage.cache_dir(series_file.storage_key))
    series_file.save()
    return series_file, spike_row, bucket_rows


def window(client, series_file, first: int, last: int, px: int):
    """The binary window of rows first..last (inclusive), asked for by their times."""
    query = f"format=binary&px={px}&start={first / RATE!r}&end={last / RATE!r}"
    response = client.get(f"/api/files/{series_file.id}/data/?{query}")
    assert response.status_code == 200, response.content
    return window_binary_read(response.content)


def around(spike: int, length: int, place: float) -> tuple[int, int]:
    """A window of `length` rows with the spike `place` of the way into it (0: first row)."""
    first = min(max(spike - round(place * (length - 1)), 0), ROWS - length)
    return first, first + length - 1


def windows_with_spike(spike: int, bucket_rows: list[int], rng) -> list[tuple[int, int]]:
    windows = [(0, ROWS - 1)]
    for k in range(1, 8):
        for place in (rng.uniform(), 0.0, 1.0):
            windows.append(around(spike, 10**k, place))
    for size in bucket_rows:  # the spike's bucket of each level, and windows ending at its edges
        first = spike // size * size
        last = min(first + size, ROWS) - 1
        windows += [(first, last), (first, spike), (spike, last)]
        windows += [(max(first - 3 * size, 0), last), (first, min(last + 3 * size, ROWS - 1))]
    return windows


def windows_without_spike(spike: int, bucket_rows: list[int]) -> list[tuple[int, int]]:
    windows = [(0, spike - 1), (spike + 1, ROWS - 1)]
    for k in range(1, 8):
        windows += [(spike - 10**k, spike - 1), (spike + 1, spike + 10**k)]
    for size in bucket_rows:  # up to the edge of the spike's bucket, and from it on
        first = spike // size * size
        last = min(first + size, ROWS) - 1
        windows += [(max(first - size, 0), first - 1), (last + 1, min(last + size, ROWS - 1))]
    return [(max(a, 0), min(b, ROWS - 1)) for a, b in windows if b >= a]


def test_a_one_row_spike_is_drawn_at_its_place_at_every_zoom_level(client, spiky_file):
    series_file, spike, bucket_rows = spiky_file
    assert spike % 64 not in (0, 63) and len(bucket_rows) >= 4
    rng = np.random.default_rng(0)
    for first, last in windows_with_spike(spike, bucket_rows, rng):
        for px in PX:
            header, arrays = window(client, series_file, first, last, px)
            values, times = arrays[SPIKE_CHANNEL], arrays["x"]
            where = f"rows {first}..{last}, px={px}"
            assert header["points"] <= 2 * px, where
            assert values.max() == SPIKE, where
            assert times[0] >= first / RATE and times[-1] <= last / RATE, where
            # at its place: the row itself, or inside the bin whose maximum it is (an aggregated
            # window's points are each bin's minimum at its first row, maximum at its last)
            shown = int(values.argmax())
            if header["aggregated"]:
                assert shown % 2 == 1, where
                assert times[shown - 1] <= spike / RATE <= times[shown], where
            else:
                assert times[shown] == spike / RATE, where
            for other in CHANNELS:
                if other != SPIKE_CHANNEL:
                    assert np.abs(arrays[other]).max() <= 1.0, (other, where)


def test_windows_without_the_spike_do_not_show_it(client, spiky_file):
    series_file, spike, bucket_rows = spiky_file
    for first, last in windows_without_spike(spike, bucket_rows):
        for px in PX:
            _, arrays = window(client, series_file, first, last, px)
            assert np.abs(arrays[SPIKE_CHANNEL]).max() <= 1.0, (first, last, px)
