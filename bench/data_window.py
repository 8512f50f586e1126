"""Plot windows of a large recording: ingest, pyramid, and `GET /api/files/{id}/data/`.

    python bench/data_window.py [--rows 10000000] [--channels 6] [--windows 30]
        [--shared ../shared] [--work ../bench-data] [--pandas auto|yes|no] [--keep]
        [--json OUT.json]

1. Writes the CSV with the shared ``make_large.py`` under ``--work`` (outside the repository;
   a 100M-row CSV is ~6 GB) unless it is there.
2. Ingests it with ``ingest_csv(pyramid=False)``, then builds the pyramid (timed apart), and
   reads the same file with ``pandas.read_csv(engine="pyarrow")`` (``--pandas auto``: up to
   20M rows; pandas holds the whole table in memory, ~22 GiB at 100M x 6).
3. For the full view and ``--windows`` random windows at random depths (lengths spread evenly
   on a log scale from the whole file down to 1,000 rows; seeded), measures:
   - the selector (``window_select`` + serialising, in this process), and
   - the full request through Django's test client (URL routing, authentication, the view,
     rendering; SQLite in a temporary folder),
   for the old path (MinMaxLTTB on the raw rows of every window, JSON; ``max_points`` 4000),
   the new path as JSON and the new path as the binary body (``px=2000``: 4,000 points).
   Bytes per response for each. Goal: every window <= 100 ms of server time at 100M x 6.
4. Deletes the CSV and the cache unless ``--keep``.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

GOAL_MS = 100.0
PX = 2000
OLD_MAX_POINTS = 4000


def machine() -> dict:
    return {"nproc": os.cpu_count(), "loadavg": [round(x, 2) for x in os.getloadavg()]}


def make_csv(csv_path: Path, rows: int, channels: int, shared: Path) -> float | None:
    if csv_path.exists():
        return None
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(shared / "bench" / "make_large.py"), str(csv_path),
         "--rows", str(rows), "--channels", str(channels)],
        check=True,
    )  # fmt: skip
    return time.perf_counter() - started


def ingest_and_pyramid(csv_path: Path, cache_dir: Path) -> dict:
    from labeler.ingest import ingest_csv, open_series, pyramid_build

    shutil.rmtree(cache_dir, ignore_errors=True)
    before = machine()
    started = time.perf_counter()
    ingest_csv(csv_path, cache_dir, pyramid=False)
    ingest_s = time.perf_counter() - started
    series = open_series(cache_dir)
    started = time.perf_counter()
    pyramid_build(series)
    pyramid_s = time.perf_counter() - started
    return {
        "ingest_s": ingest_s,
        "pyramid_s": pyramid_s,
        "cache_mb": _size_mb(cache_dir, exclude="pyramid"),
        "pyramid_mb": _size_mb(cache_dir / "pyramid"),
        "machine_before": before,
        "machine_after": machine(),
    }


def cache_from_generator(cache_dir: Path, args) -> dict:
    """The cache of the same numbers as make_large's CSV, without writing or reading the CSV."""
    from data_endpoint import build_cache

    from labeler.ingest import open_series, pyramid_build

    shutil.rmtree(cache_dir, ignore_errors=True)
    started = time.perf_counter()
    build_cache(cache_dir, rows=args.rows, channels=args.channels, shared=Path(args.shared))
    cache_s = time.perf_counter() - started
    started = time.perf_counter()
    pyramid_build(open_series(cache_dir))
    return {
        "ingest_s": None,
        "cache_from_arrays_s": cache_s,
        "pyramid_s": time.perf_counter() - started,
        "cache_mb": _size_mb(cache_dir, exclude="pyramid"),
        "pyramid_mb": _size_mb(cache_dir / "pyramid"),
        "machine_after": machine(),
    }


def pandas_read(csv_path: Path) -> dict:
    import pandas as pd

    before = machine()
    started = time.perf_counter()
    frame = pd.read_csv(csv_path, engine="pyarrow")
    seconds = time.perf_counter() - started
    rows = len(frame)
    del frame
    return {"pandas_s": seconds, "rows": rows, "machine_before": before}


def _size_mb(folder: Path, exclude: str | None = None) -> float:
    total = 0
    for path in folder.rglob("*"):
        if path.is_file() and (exclude is None or exclude not in path.relative_to(folder).parts):
            total += path.stat().st_size
    return total / 2**20


def random_windows(series, count: int, seed: int = 0) -> list[tuple[str, float | None, float]]:
    rng = np.random.default_rng(seed)
    rows = series.rows
    cases = [("full view", None, None)]
    for depth in rng.uniform(0, np.log10(rows / 1000), count):
        length = max(2, int(rows / 10**depth))
        first = int(rng.integers(0, rows - length + 1))
        cases.append(
            (f"{length:,} rows", float(series.time[first]), float(series.time[first + length - 1]))
        )
    return cases


class django_app:
    """Django with the test settings on a fresh SQLite database, the cache registered as a
    file of a project; ``client`` is a logged-in test client."""

    def __init__(self, cache_dir: Path):
        self.var = Path(tempfile.mkdtemp(prefix="tsl-bench-window-"))
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.django.test"
        import django
        from django.conf import settings

        settings.DATABASES["default"]["NAME"] = str(self.var / "db.sqlite3")
        settings.MEDIA_ROOT = self.var / "media"
        settings.ALLOWED_HOSTS = ["testserver"]
        django.setup()
        from django.core.management import call_command
        from django.test import Client

        call_command("migrate", verbosity=0)
        from data_endpoint import register

        _token, self.file_id = register(cache_dir)
        from django.contrib.auth import get_user_model

        self.client = Client()
        self.client.force_login(get_user_model().objects.get(username="bench"))

    def close(self):
        shutil.rmtree(self.var, ignore_errors=True)


def measure(cache_dir: Path, windows: int, *, http: bool) -> dict:
    from labeler.ingest import open_series
    from labeler.ingest import window as window_module

    app = django_app(cache_dir) if http else None
    series = open_series(cache_dir)
    cases = random_windows(series, windows)
    modes = {
        "old: MinMaxLTTB, JSON": ("json", OLD_MAX_POINTS, float("inf")),
        "new: JSON": ("json", 2 * PX, window_module.RAW_WINDOW_ROWS),
        "new: binary": ("binary", 2 * PX, window_module.RAW_WINDOW_ROWS),
    }
    report = {}
    try:
        for mode, (kind, points, raw_rows) in modes.items():
            window_module.RAW_WINDOW_ROWS = raw_rows
            rows = []
            for label, start, end in cases:
                rows.append(_one_case(series, app, label, start, end, kind, points, mode))
            report[mode] = {"cases": rows, "summary": _summary(rows), "machine": machine()}
            window_module.RAW_WINDOW_ROWS = modes["new: JSON"][2]
    finally:
        if app is not None:
            app.close()
    return report


def _one_case(series, app, label, start, end, kind, points, mode) -> dict:
    from labeler.ingest import open_series, window_binary, window_json, window_select

    selector_s = []
    for _ in range(3):
        started = time.perf_counter()
        opened = open_series(series.cache_dir)  # as a request does
        window = window_select(opened, start=start, end=end, max_points=points)
        body = window_binary(window) if kind == "binary" else json.dumps(window_json(window))
        selector_s.append(time.perf_counter() - started)
    result = {
        "case": label,
        "rows": window.rows,
        "points": window.points,
        "aggregated": window.aggregated,
        "selector_ms": 1000 * statistics.median(selector_s),
        "bytes": len(body),
    }
    if app is not None:
        query = {} if start is None else {"start": repr(start), "end": repr(end)}
        if mode.startswith("old"):
            query["max_points"] = str(points)
        else:
            query["px"] = str(PX)
        if kind == "binary":
            query["format"] = "binary"
        http_s, server_ms = [], []
        for _ in range(3):
            started = time.perf_counter()
            response = app.client.get(f"/api/files/{app.file_id}/data/", query)
            http_s.append(time.perf_counter() - started)
            assert response.status_code == 200, response.content[:300]
            server_ms.append(float(response["Server-Timing"].split("dur=")[1]))
        result["http_ms"] = 1000 * statistics.median(http_s)
        result["http_max_ms"] = 1000 * max(http_s)
        result["server_timing_ms"] = statistics.median(server_ms)
        result["http_bytes"] = len(response.content)
    return result


def _summary(rows: list[dict]) -> dict:
    summary = {}
    for key in ("selector_ms", "server_timing_ms", "http_ms", "bytes"):
        values = [row[key] for row in rows if key in row]
        if values:
            summary[key] = {
                "full_view": values[0],
                "median": statistics.median(values),
                "p90": float(np.percentile(values, 90)),
                "max": max(values),
            }
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--channels", type=int, default=6)
    parser.add_argument("--windows", type=int, default=30)
    parser.add_argument("--shared", default=str(REPO.parent / "shared"))
    parser.add_argument("--work", default=str(REPO.parent / "bench-data"))
    parser.add_argument("--pandas", choices=["auto", "yes", "no"], default="auto")
    parser.add_argument("--no-http", action="store_true", help="only the selector")
    parser.add_argument(
        "--cache-only",
        action="store_true",
        help="no CSV: write the cache from make_large's generator, then only the windows",
    )
    parser.add_argument("--keep", action="store_true", help="keep the CSV and the cache")
    parser.add_argument("--json", help="also write the report here")
    args = parser.parse_args()

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    csv_path = work / f"large_{args.rows}x{args.channels}.csv"
    cache_dir = work / f"cache_{args.rows}x{args.channels}"
    report = {"rows": args.rows, "channels": args.channels, "machine": machine()}
    try:
        if args.cache_only:
            report["ingest"] = cache_from_generator(cache_dir, args)
        else:
            report["csv_write_s"] = make_csv(csv_path, args.rows, args.channels, Path(args.shared))
            report["csv_mb"] = csv_path.stat().st_size / 2**20
            report["ingest"] = ingest_and_pyramid(csv_path, cache_dir)
        print(json.dumps(report, indent=1), flush=True)
        if args.cache_only:
            pass
        elif args.pandas == "yes" or (args.pandas == "auto" and args.rows <= 20_000_000):
            report["pandas"] = pandas_read(csv_path)
            report["ingest_vs_pandas"] = report["ingest"]["ingest_s"] / report["pandas"]["pandas_s"]
            print(json.dumps(report["pandas"]), flush=True)
        report["windows"] = measure(cache_dir, args.windows, http=not args.no_http)
    finally:
        if not args.keep:
            csv_path.unlink(missing_ok=True)
            shutil.rmtree(cache_dir, ignore_errors=True)
    text = json.dumps(report, indent=1)
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(text + "\n")
    print_tables(report)


def print_tables(report: dict) -> None:
    ingest = report["ingest"]
    print(f"\n{report['rows']:,} rows x {report['channels']} channels, {report['machine']}")
    print(
        f"ingest {ingest['ingest_s'] or 0:.1f} s, pyramid {ingest['pyramid_s']:.2f} s "
        f"({ingest['pyramid_mb']:.0f} MiB beside a {ingest['cache_mb']:.0f} MiB cache)"
        + (
            f", pandas.read_csv(pyarrow) {report['pandas']['pandas_s']:.1f} s "
            f"(ingest / pandas = {report['ingest_vs_pandas']:.2f})"
            if "pandas" in report
            else ""
        )
    )
    print("\n| path | selector ms: full view / median / p90 / max | Server-Timing ms (same) | "
          "HTTP ms (same) | bytes: full / median | load |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for mode, result in report["windows"].items():
        summary = result["summary"]
        cells = []
        for key in ("selector_ms", "server_timing_ms", "http_ms"):
            item = summary.get(key)
            cells.append(
                " / ".join(f"{item[k]:.1f}" for k in ("full_view", "median", "p90", "max"))
                if item
                else "-"
            )
        size = summary["bytes"]
        print(
            f"| {mode} | {' | '.join(cells)} | {size['full_view']:,.0f} / "
            f"{size['median']:,.0f} | {result['machine']['loadavg'][0]} |"
        )


if __name__ == "__main__":
    main()
