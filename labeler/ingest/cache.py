"""The columnar cache's layout, its metadata, and writing a cache straight from arrays."""

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from .npyfile import write_npy
from .timeparse import finest_unit, format_datetimes

CACHE_FORMAT = 1
META_FILE = "meta.json"
TIME_FILE = "time.npy"  # float64 (numeric / index) or int64 ns (datetime), in time order
ORDER_FILE = "order.npy"  # int64 source data row of each cache row; only when resorted


@dataclass(frozen=True)
class IngestResult:
    """What ingestion learnt about a file (also stored in the cache's ``meta.json``)."""

    rows: int
    channels: list[str]
    time_column: str | None
    time_kind: str  # "numeric" | "datetime" | "index"
    time_start: float | str  # the file's own units; ISO 8601 text for date-times
    time_end: float | str
    sampling_rate: float | None  # rows per time unit (Hz for seconds and date-times)
    nan_counts: dict[str, int]
    warnings: list[str]
    dialect: dict
    resorted: bool
    checksum: str  # sha256 of the source file's bytes
    tz: str | None = None  # "UTC" when the file's date-times had offsets
    time_unit: str | None = None  # s / ms / us / ns: the precision of date-time text
    epoch_unit: str | None = None  # "s" / "ms" when epoch numbers were read as date-times
    ignored_columns: list[str] = field(default_factory=list)
    # The zone whose clock a plot shows for a date-time file: the file's own offset
    # ("+02:00"), the chosen zone ("Europe/Berlin"), or None (clock times as written).
    display_tz: str | None = None
    # the time column was guessed (a rising first column) or not found (the row number)
    time_guessed: bool = False

    def as_dict(self) -> dict:
        return asdict(self)


def channel_file_name(position: int) -> str:
    return f"channel_{position:04d}.npy"


def write_meta(folder: Path, result: IngestResult, **extra) -> None:
    """``meta.json``: the result plus what readers need to find the files."""
    meta = {"format": CACHE_FORMAT, "result": result.as_dict(), **extra}
    (Path(folder) / META_FILE).write_text(json.dumps(meta, indent=1, ensure_ascii=False), "utf-8")


def series_cache_write(
    cache_dir,
    *,
    time: np.ndarray | None,
    channels: dict[str, np.ndarray],
    time_kind: str = "numeric",
    time_column: str | None = "time",
    tz: str | None = None,
) -> IngestResult:
    """Write a cache from arrays (benchmarks, tests, generated data), with no CSV behind it.

    ``time``: sorted float64 (numeric), int64 ns (datetime) or None (index). ``channels``:
    name -> values (stored as float32). The cache has no source file, so
    ``write_labeled_csv`` cannot export it.
    """
    folder = Path(cache_dir)
    folder.mkdir(parents=True, exist_ok=False)
    names = list(channels)
    rows = len(next(iter(channels.values())))
    if time is None:
        time_kind, time_column = "index", None
        time = np.arange(rows, dtype=np.float64)
    dtype = np.int64 if time_kind == "datetime" else np.float64
    time = np.ascontiguousarray(time, dtype=dtype)
    if len(time) != rows or np.any(np.diff(time) <= 0):
        raise ValueError("time must be strictly increasing and as long as the channels")
    digest = hashlib.sha256()
    write_npy(folder / TIME_FILE, time)
    digest.update(time.data)
    nan_counts = {}
    for position, name in enumerate(names):
        values = np.ascontiguousarray(channels[name], dtype=np.float32)
        if len(values) != rows:
            raise ValueError(f"channel {name!r} has {len(values)} values, not {rows}")
        write_npy(folder / channel_file_name(position), values)
        digest.update(values.data)
        nan_counts[name] = int(np.count_nonzero(np.isnan(values)))
    unit = finest_unit(time) if time_kind == "datetime" else None
    if time_kind == "datetime":
        start, end = format_datetimes(time[[0, -1]], unit=unit, utc=tz == "UTC")
    else:
        start, end = float(time[0]), float(time[-1])
    step = float(np.median(np.diff(time))) if rows > 1 else None
    per_unit = 1e9 if time_kind == "datetime" else 1.0
    result = IngestResult(
        rows=rows,
        channels=names,
        time_column=time_column,
        time_kind=time_kind,
        time_start=start,
        time_end=end,
        sampling_rate=float(f"{per_unit / step:.9g}") if step else None,
        nan_counts=nan_counts,
        warnings=[],
        dialect={},
        resorted=False,
        checksum=digest.hexdigest(),
        tz=tz,
        time_unit=unit,
    )
    write_meta(
        folder,
        result,
        reader=None,
        columns=[time_column, *names] if time_column else names,
        column_names=[time_column, *names] if time_column else names,
        time_index=0 if time_column else None,
        time_file=TIME_FILE,
        order_file=None,
        channel_files={name: channel_file_name(p) for p, name in enumerate(names)},
        channel_indexes={name: p + (1 if time_column else 0) for p, name in enumerate(names)},
    )
    return result
