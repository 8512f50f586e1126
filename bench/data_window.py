"""Server-side time of ``series_window`` on a 10M-row x 6-channel columnar cache.

    python bench/data_window.py [--rows 10000000] [--channels 6] [--repeat 7]
        [--shared ../shared] [--work bench/out/window] [--from-csv] [--json OUT.json]

The cache is built once (reused when there) straight from the shared ``make_large.py``
generator (same numbers as its CSV, written with ``series_cache_write``): a 10M-row CSV is
~700 MB and would only measure ingestion again. ``--from-csv`` writes the CSV with
``make_large.py`` and ingests it instead.

Measured, in this process: a fresh ``open_series`` plus ``series_window`` for the first full
view and for a 1 % zoom in the middle of the file; the first call (cold memory maps) and the
median of the repeats; points returned per channel. Goal: <= 0.5 s and <= 4,000 points per
channel.

``measure_windows(fetch_window, ...)`` takes any ``fetch_window(start, end) -> dict`` so an
HTTP mode (``GET /api/files/{id}/data/``) can reuse the same cases and report.
"""

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from labeler.ingest import ingest_csv, open_series, series_cache_write, series_window  # noqa: E402

GOAL_SECONDS = 0.5
GOAL_POINTS = 4000


def _make_large(shared: Path):
    spec = importlib.util.spec_from_file_location("make_large", shared / "bench" / "make_large.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_cache(cache_dir: Path, *, rows: int, channels: int, shared: Path, from_csv: bool):
    """The cache of make_large's series (rate 100 rows/s, seed 0)."""
    make_large = _make_large(shared)
    if from_csv:
        csv_path = cache_dir.with_suffix(".csv")
        if not csv_path.exists():
            subprocess.run(
                [sys.executable, str(shared / "bench" / "make_large.py"), str(csv_path),
                 "--rows", str(rows), "--channels", str(channels)],
                check=True,
            )  # fmt: skip
        started = time.perf_counter()
        ingest_csv(csv_path, cache_dir)
        return time.perf_counter() - started
    started = time.perf_counter()
    time_axis = np.empty(rows, dtype=np.float64)
    values = np.empty((channels, rows), dtype=np.float32)
    first = 0
    for block in make_large.generate(rows, channels, 100, 0):
        count = len(block)
        time_axis[first : first + count] = block[:, 0]
        values[:, first : first + count] = block[:, 1:].T
        first += count
    names = make_large.channel_names(channels)
    series_cache_write(
        cache_dir, time=time_axis, channels={name: values[i] for i, name in enumerate(names)}
    )
    return time.perf_counter() - started


def drop_from_page_cache(folder: Path) -> None:
    """Ask the kernel to forget the cached pages of the cache files (no root needed)."""
    for path in folder.iterdir():
        with path.open("rb") as handle:
            os.fsync(handle.fileno())
            os.posix_fadvise(handle.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def measure_windows(
    fetch_window, *, time_start, time_end, repeat: int, before_first=None
) -> list[dict]:
    """Time ``fetch_window(start, end)`` for the full view and a 1 % zoom in the middle.

    ``before_first()`` runs before the first call of each case (e.g. to empty the page cache).
    """
    span = time_end - time_start
    middle = time_start + span / 2
    cases = [
        ("full view", None, None),
        ("1 % zoom", middle - span / 200, middle + span / 200),
    ]
    report = []
    for label, start, end in cases:
        seconds, window = [], None
        if before_first is not None:
            before_first()
        for _ in range(repeat):
            started = time.perf_counter()
            window = fetch_window(start, end)
            seconds.append(time.perf_counter() - started)
        points = max(len(values) for values in window["channels"].values())
        report.append(
            {
                "case": label,
                "start": start,
                "end": end,
                "rows_in_window": window["rows"],
                "points_per_channel": points,
                "downsampled": window["downsampled"],
                "first_call_s": seconds[0],
                "median_s": statistics.median(seconds[1:] or seconds),
                "max_s": max(seconds),
                "ok": max(seconds) <= GOAL_SECONDS and points <= GOAL_POINTS,
            }
        )
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--channels", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--shared", default=str(REPO.parent / "shared"))
    parser.add_argument("--work", default=str(REPO / "bench" / "out" / "window"))
    parser.add_argument("--from-csv", action="store_true")
    parser.add_argument(
        "--cold", action="store_true", help="drop the cache files from the page cache first"
    )
    parser.add_argument("--json", help="also write the JSON here")
    args = parser.parse_args()

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    source = "csv" if args.from_csv else "arrays"
    cache_dir = work / f"cache_{args.rows}x{args.channels}_{source}"
    build_s = None
    if not cache_dir.exists():
        build_s = build_cache(
            cache_dir,
            rows=args.rows,
            channels=args.channels,
            shared=Path(args.shared),
            from_csv=args.from_csv,
        )

    def fetch_window(start, end):
        series = open_series(cache_dir)  # as a request would: open, then read the window
        return series_window(series, start=start, end=end, max_points=GOAL_POINTS)

    series = open_series(cache_dir)
    results = measure_windows(
        fetch_window,
        time_start=float(series.time[0]),
        time_end=float(series.time[-1]),
        repeat=args.repeat,
        before_first=(lambda: drop_from_page_cache(cache_dir)) if args.cold else None,
    )
    report = {
        "rows": series.rows,
        "channels": len(series.channels),
        "cache_built_from": source,
        "first_call_page_cache": "dropped (posix_fadvise)" if args.cold else "warm",
        "cache_build_s": build_s,
        "cache_mb": sum(p.stat().st_size for p in cache_dir.iterdir()) / 2**20,
        "windows": results,
    }
    text = json.dumps(report, indent=1)
    print(text)
    if args.json:
        Path(args.json).write_text(text)
    print()
    print(f"{series.rows:,} rows x {len(series.channels)} channels, max_points {GOAL_POINTS}")
    print()
    print("| window | rows in window | points per channel | first call s | median s | max s |")
    print("|---|---|---|---|---|---|")
    for row in results:
        print(
            f"| {row['case']} | {row['rows_in_window']:,} | {row['points_per_channel']} "
            f"| {row['first_call_s']:.3f} | {row['median_s']:.3f} | {row['max_s']:.3f} |"
        )


if __name__ == "__main__":
    main()
