"""Plot windows of an ingested recording read from a cold page cache, then warm.

    sudo .venv/bin/python bench/data_window_cold.py CACHE_DIR [--windows 12] [--points 2000]
        [--seed 1] [--json OUT.json]

CACHE_DIR is a file's cache folder (``media/files/<id>/cache``, e.g. one of the 100M-row files
that bench/ui_browser_latency.py imports). Each window (random length, spread on a log scale
from 0.1 % to the whole file) is timed as the data endpoint computes it (``window_select`` +
``window_binary``, px = points / 2) right after ``echo 1 > /proc/sys/vm/drop_caches`` (root
only; the page cache is shared with the machine), and again with the files in memory. A cold
read is a disk wait, so this shows how the first views of a file behave after a restart or
once other files pushed it out of memory. Goal: every window <= 100 ms server time.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from labeler.ingest.pyramid import pyramid_open  # noqa: E402
from labeler.ingest.series import open_series  # noqa: E402
from labeler.ingest.window import window_select  # noqa: E402
from labeler.ingest.window_binary import window_binary  # noqa: E402

GOAL_MS = 100.0


def drop_page_cache() -> None:
    subprocess.run(["sync"], check=True)
    Path("/proc/sys/vm/drop_caches").write_text("1\n")


def timed_window(series, start, end, points) -> float:
    began = time.perf_counter()
    window_binary(window_select(series, start=start, end=end, max_points=points))
    return (time.perf_counter() - began) * 1000


def main() -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cache_dir", type=Path)
    ap.add_argument("--windows", type=int, default=12)
    ap.add_argument("--points", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("dropping the page cache needs root")
    series = open_series(args.cache_dir)
    pyramid = pyramid_open(series)
    first, last = float(series.time[0]), float(series.time[-1])
    span = last - first
    rng = random.Random(args.seed)
    windows = []
    for _ in range(args.windows):
        share = 10 ** rng.uniform(-3, 0)
        width = share * span * 0.999
        start = first + rng.uniform(0, span - width)
        windows.append((share, start, start + width))
    results = []
    for share, start, end in windows:
        drop_page_cache()
        cold = timed_window(series, start, end, args.points)
        warm = statistics.median(timed_window(series, start, end, args.points) for _ in range(3))
        results.append({"share": share, "cold_ms": round(cold, 1), "warm_ms": round(warm, 1)})
    cold = [r["cold_ms"] for r in results]
    warm = [r["warm_ms"] for r in results]
    report = {
        "cache_dir": str(args.cache_dir),
        "rows": series.rows,
        "channels": len(series.channels),
        "pyramid_times": bool(pyramid and pyramid.has_times),
        "load_before": os.getloadavg(),
        "windows": results,
        "cold_median_ms": statistics.median(cold),
        "cold_max_ms": max(cold),
        "warm_median_ms": statistics.median(warm),
        "warm_max_ms": max(warm),
    }
    print(
        f"{series.rows:,} rows × {len(series.channels)}, pyramid times: {report['pyramid_times']}"
    )
    print("| view share of the file | cold ms | warm ms (median of 3) |")
    print("|---|---|---|")
    for r in results:
        print(f"| {r['share']:.4f} | {r['cold_ms']} | {r['warm_ms']} |")
    print(
        f"cold: median {report['cold_median_ms']} ms, max {report['cold_max_ms']} ms; "
        f"warm: median {report['warm_median_ms']} ms, max {report['warm_max_ms']} ms "
        f"(goal <= {GOAL_MS:.0f} ms: {'met' if report['cold_max_ms'] <= GOAL_MS else 'missed'})"
    )
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n")
    return report


if __name__ == "__main__":
    main()
