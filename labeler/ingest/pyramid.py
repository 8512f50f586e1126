"""The min/max pyramid of a columnar cache: per-bucket minima and maxima at several resolutions.

Level 1 holds, for every full bucket of ``BASE_ROWS`` rows, each channel's minimum and maximum
(float32, NaN ignored; NaN only when the whole bucket is NaN). Level k + 1 merges ``FACTOR``
buckets of level k. Bucket ``i`` of level k starts at row ``i * bucket_rows`` (buckets are
fixed-size, so their first row is not stored); the rows after the last full bucket of a level
are covered by finer levels and, at the end, by raw rows. Each level is one ``.npy`` of shape
``(buckets, channels, 2)``, so one contiguous read serves every channel of a time range.

Each level also keeps the time of every bucket's first and last row (``times_k.npy``,
``(buckets, 2)``, the time column's dtype; not for index files), so a window's bin times and the
rows of its start and end are read from a few contiguous slices instead of scattered reads of the
time column, which cost a disk read each when the file is not in the page cache. Pyramids
written before these files work as before, reading the time column.

The pyramid lives in ``pyramid/`` inside the cache folder. It is written at ingest, or later by
``pyramid_build`` (to a temporary folder renamed into place, so readers see all of it or none).
A window of any length is then read as a few thousand buckets plus at most
``2 * (FACTOR - 1)`` buckets per level and ``2 * (BASE_ROWS - 1)`` raw rows at its edges.
"""

import contextlib
import json
import logging
import mmap
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .npyfile import iter_npy_blocks

logger = logging.getLogger(__name__)

PYRAMID_FORMAT = 1
PYRAMID_DIR = "pyramid"
PYRAMID_META = "meta.json"
BASE_ROWS = 64  # rows per level-1 bucket: the pyramid is ~2 / (BASE_ROWS - 1) of the channels
FACTOR = 8  # level-k buckets per level-(k + 1) bucket; at most FACTOR buckets read per bin
MIN_BUCKETS = 16  # no level with fewer buckets (a window needs more than that to use one)
BLOCK_ROWS = BASE_ROWS << 14  # raw rows read at a time while building (~1M)


class Pyramid:
    """An opened pyramid: level k (1-based) has ``buckets[k - 1]`` buckets of
    ``bucket_rows[k - 1]`` rows; ``level(k)`` memory-maps its ``(buckets, channels, 2)`` array."""

    def __init__(self, folder: Path, meta: dict):
        self.folder = folder
        self.channels: list[str] = list(meta["channels"])
        self.bucket_rows: list[int] = [level["bucket_rows"] for level in meta["levels"]]
        self.buckets: list[int] = [level["buckets"] for level in meta["levels"]]
        self._files = [level["file"] for level in meta["levels"]]
        self._time_files = [level.get("times") for level in meta["levels"]]
        self.has_times: bool = bool(meta.get("bucket_times"))
        self.written_with_times: bool = "bucket_times" in meta  # by a version that writes them
        self._mapped: dict[str, np.ndarray] = {}

    def level(self, number: int) -> np.ndarray:
        return self._map(self._files[number - 1])

    def times(self, number: int) -> np.ndarray:
        """Level ``number``'s ``(buckets, 2)`` times of each bucket's first and last row."""
        name = self._time_files[number - 1]
        if name not in self._mapped and number > 1:
            # a search goes through every level, one after another: the small coarse levels
            # (~1/7 of level 1 together) are read ahead whole, level 1 and the rows as needed
            times = self._map(name)
            will_need(times, 0, len(times))
        return self._map(name)

    def _map(self, name: str) -> np.ndarray:
        if name not in self._mapped:
            self._mapped[name] = np.load(self.folder / name, mmap_mode="r")
        return self._mapped[name]

    def channel_positions(self, names: list[str]) -> list[int]:
        return [self.channels.index(name) for name in names]


def pyramid_write(series, folder: Path) -> None:
    """Write the pyramid of ``series`` (a ``ColumnarSeries``) into the new folder ``folder``."""
    folder = Path(folder)
    folder.mkdir()
    names = list(series.channels)
    buckets = series.rows // BASE_ROWS
    levels = []
    if buckets >= MIN_BUCKETS:
        first = _level_from_rows(series, names, folder / "level_1.npy", buckets)
        levels.append({"file": "level_1.npy", "bucket_rows": BASE_ROWS, "buckets": buckets})
        previous, size = first, BASE_ROWS
        while len(previous) // FACTOR >= MIN_BUCKETS:
            size *= FACTOR
            name = f"level_{len(levels) + 1}.npy"
            previous = _level_from_level(previous, folder / name)
            levels.append({"file": name, "bucket_rows": size, "buckets": len(previous)})
        if series.time_kind != "index":
            _write_level_times(series, folder, levels)
    meta = {
        "bucket_times": bool(levels) and series.time_kind != "index",
        "format": PYRAMID_FORMAT,
        "rows": series.rows,
        "channels": names,
        "checksum": series.checksum,
        "levels": levels,
    }
    (folder / PYRAMID_META).write_text(json.dumps(meta, indent=1), "utf-8")


def _level_from_rows(series, names, path: Path, buckets: int) -> np.ndarray:
    level = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float32, shape=(buckets, len(names), 2)
    )
    used_rows = buckets * BASE_ROWS
    for position, name in enumerate(names):
        source = series.cache_dir / series.meta["channel_files"][name]
        for first, block in iter_npy_blocks(source, np.float32, used_rows, BLOCK_ROWS):
            grouped = block.reshape(-1, BASE_ROWS)
            at = first // BASE_ROWS
            with np.errstate(invalid="ignore"):
                level[at : at + len(grouped), position, 0] = np.fmin.reduce(grouped, axis=1)
                level[at : at + len(grouped), position, 1] = np.fmax.reduce(grouped, axis=1)
    level.flush()
    return level


def _write_level_times(series, folder: Path, levels: list[dict]) -> None:
    """times_k.npy of every level (see the module docstring); adds "times" to each level."""
    used = levels[0]["buckets"] * BASE_ROWS
    source = series.cache_dir / series.meta["time_file"]
    firsts, lasts = [], []
    # plain reads, as for the channels: a strided view of the memory map would touch every
    # page of the time column and keep it mapped (counted in the process's memory)
    for _, block in iter_npy_blocks(source, series.time.dtype, used, BLOCK_ROWS):
        firsts.append(block[0::BASE_ROWS])
        lasts.append(block[BASE_ROWS - 1 :: BASE_ROWS])
    firsts, lasts = np.concatenate(firsts), np.concatenate(lasts)
    for number, level in enumerate(levels, start=1):
        per = level["bucket_rows"] // BASE_ROWS  # level-1 buckets in one of this level's
        count = level["buckets"]
        times = np.stack(
            [firsts[0 : count * per : per], lasts[per - 1 : count * per : per]], axis=1
        )
        name = f"times_{number}.npy"
        np.save(folder / name, times)
        level["times"] = name


def _level_from_level(previous: np.ndarray, path: Path) -> np.ndarray:
    buckets = len(previous) // FACTOR
    level = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float32, shape=(buckets, *previous.shape[1:])
    )
    step = max(1, BLOCK_ROWS // FACTOR)
    for at in range(0, buckets, step):
        stop = min(buckets, at + step)
        grouped = np.asarray(previous[at * FACTOR : stop * FACTOR]).reshape(
            stop - at, FACTOR, *previous.shape[1:]
        )
        level[at:stop, :, 0] = np.fmin.reduce(grouped[..., 0], axis=1)
        level[at:stop, :, 1] = np.fmax.reduce(grouped[..., 1], axis=1)
    level.flush()
    return level


def pyramid_build(series) -> None:
    """Write the pyramid of an existing cache beside its files, atomically.

    Built in a temporary folder and renamed to ``pyramid/``. A complete pyramid that another
    process finished first stays (this one is dropped); a stale, broken or older one (without
    bucket times) is replaced.
    """
    target = series.cache_dir / PYRAMID_DIR
    work = series.cache_dir / f".{PYRAMID_DIR}.tmp-{uuid.uuid4().hex}"
    old = series.cache_dir / f".{PYRAMID_DIR}.old-{uuid.uuid4().hex}"
    try:
        pyramid_write(series, work)
        try:
            os.rename(work, target)
        except OSError:
            if pyramid_complete(pyramid_open(series)):
                return
            os.rename(target, old)
            os.rename(work, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)


def pyramid_open(series) -> Pyramid | None:
    """The pyramid of ``series``, memory-mapped; None when it has none (or a stale one)."""
    folder = series.cache_dir / PYRAMID_DIR
    try:
        meta = json.loads((folder / PYRAMID_META).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    if (
        meta.get("format") != PYRAMID_FORMAT
        or meta.get("rows") != series.rows
        or meta.get("checksum") != series.checksum
        or not set(series.channels) <= set(meta.get("channels", []))
    ):
        return None
    return Pyramid(folder, meta)


def pyramid_complete(pyramid: Pyramid | None) -> bool:
    """A current pyramid with every file this version writes (bucket times came later)."""
    return pyramid is not None and pyramid.written_with_times


def series_pyramid(series) -> Pyramid | None:
    """The pyramid of ``series``, built first when the cache has none (caches from before
    pyramids). None when it cannot be built (e.g. a read-only folder): callers fall back to
    the raw rows."""
    pyramid = pyramid_open(series)
    if pyramid is not None:
        return pyramid
    try:
        pyramid_build(series)
    except Exception:
        logger.exception("could not build the pyramid of %s", series.cache_dir)
        return None
    return pyramid_open(series)


@dataclass(frozen=True)
class Buckets:
    """Consecutive pieces of a row range, in row order: piece i covers the rows from
    ``starts[i]`` to the next piece's start; ``minima``/``maxima`` are ``(pieces, channels)``;
    ``first_times``/``last_times`` the time of each piece's first and last row (None when the
    pyramid has no times or none were asked for)."""

    starts: np.ndarray
    minima: np.ndarray
    maxima: np.ndarray
    first_times: np.ndarray | None = None
    last_times: np.ndarray | None = None


def will_need(array, low: int, high: int) -> None:
    """Tell the kernel rows ``low..high - 1`` of a memory-mapped array will be read soon
    (madvise WILLNEED): the reads of a window's pieces then run side by side instead of one
    disk wait after another when the file is not in the page cache. Anything else: nothing."""
    mapped = getattr(array, "_mmap", None)
    if mapped is None or high <= low or not hasattr(mapped, "madvise"):
        return
    row = array.strides[0]
    begin = array.offset % mmap.ALLOCATIONGRANULARITY + low * row
    aligned = begin - begin % mmap.PAGESIZE
    with contextlib.suppress(OSError, ValueError):  # a hint: a refusal changes nothing
        mapped.madvise(mmap.MADV_WILLNEED, aligned, begin + (high - low) * row - aligned)


def pyramid_search(pyramid: Pyramid, time: np.ndarray, value, side: str = "left") -> int:
    """``np.searchsorted(time, value, side)`` from the pyramid's bucket times: each level, from
    the coarsest, narrows the search to the buckets of one coarser bucket, then to one bucket's
    raw rows, so a search reads a handful of small contiguous slices. Needs ``has_times``."""
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', not {side!r}")
    low, high = 0, pyramid.buckets[-1]
    for number in range(len(pyramid.buckets), 0, -1):
        # before: the buckets of this level whose first row sorts before the answer; every
        # bucket left of `low` does, none from `high` on (the coarser level said so)
        firsts = np.asarray(pyramid.times(number)[low:high, 0])
        before = low + int(np.searchsorted(firsts, value, side=side))
        complete = before < pyramid.buckets[number - 1]  # a bucket after it is known not to
        if number > 1:
            finer = pyramid.buckets[number - 2]
            low = max(0, (before - 1) * FACTOR)
            high = min(finer, before * FACTOR) if complete else finer
        else:
            low = max(0, (before - 1) * BASE_ROWS)
            high = before * BASE_ROWS if complete else len(time)
    return low + int(np.searchsorted(np.asarray(time[low:high]), value, side=side))


def pyramid_buckets(
    pyramid: Pyramid, arrays: dict, first: int, stop: int, at_least: int, time=None
):
    """Rows ``first <= row < stop`` of ``arrays`` (channel name -> raw values) as at least
    ``at_least`` pieces when the range has that many rows: whole buckets of the coarsest level
    that has that many inside the range, then finer levels and raw rows for its edges. With
    ``time`` (the time column) and a pyramid with times, each piece's first and last time too."""
    level = 0
    for candidate, size in enumerate(pyramid.bucket_rows, start=1):
        whole = min(stop // size, pyramid.buckets[candidate - 1]) - -(-first // size)
        if whole >= at_least:
            level = candidate
    pieces = _cover(pyramid, first, stop, level)
    names = list(arrays)
    positions = pyramid.channel_positions(names)
    timed = time is not None and pyramid.has_times
    for piece_level, low, high in pieces:  # ask the disk for every piece at once
        if piece_level == 0:
            sources = [arrays[n] for n in names] + ([time] if timed else [])
        else:
            sources = [pyramid.level(piece_level)]
            sources += [pyramid.times(piece_level)] if timed else []
        for source in sources:
            will_need(source, low, high)
    starts, minima, maxima, firsts, lasts = [], [], [], [], []
    for piece_level, low, high in pieces:
        if piece_level == 0:
            raw = np.stack([np.asarray(arrays[n][low:high]) for n in names], axis=1)
            starts.append(np.arange(low, high, dtype=np.int64))
            minima.append(raw)
            maxima.append(raw)
            if timed:
                firsts.append(np.asarray(time[low:high]))
                lasts.append(firsts[-1])
            continue
        size = pyramid.bucket_rows[piece_level - 1]
        block = np.asarray(pyramid.level(piece_level)[low:high])[:, positions, :]
        starts.append(np.arange(low, high, dtype=np.int64) * size)
        minima.append(block[..., 0])
        maxima.append(block[..., 1])
        if timed:
            times = np.asarray(pyramid.times(piece_level)[low:high])
            firsts.append(times[:, 0])
            lasts.append(times[:, 1])
    if not starts:
        empty = np.empty((0, len(names)), dtype=np.float32)
        return Buckets(np.empty(0, dtype=np.int64), empty, empty)
    return Buckets(
        np.concatenate(starts),
        np.concatenate(minima),
        np.concatenate(maxima),
        np.concatenate(firsts) if timed else None,
        np.concatenate(lasts) if timed else None,
    )


def _cover(pyramid: Pyramid, first: int, stop: int, level: int) -> list[tuple[int, int, int]]:
    """``(level, low, high)`` pieces covering rows ``first..stop - 1`` in order; level 0 means
    raw rows ``low..high - 1``, else buckets ``low..high - 1`` of that level."""
    if first >= stop:
        return []
    if level == 0:
        return [(0, first, stop)]
    size = pyramid.bucket_rows[level - 1]
    low = -(-first // size)
    high = min(stop // size, pyramid.buckets[level - 1])
    if low >= high:
        return _cover(pyramid, first, stop, level - 1)
    return [
        *_cover(pyramid, first, low * size, level - 1),
        (level, low, high),
        *_cover(pyramid, high * size, stop, level - 1),
    ]
