"""`GET /api/files/{id}/data/` over HTTP on a 10M-row x 6-channel file (SPEC §4 data window).

    .venv/bin/python bench/data_endpoint.py [--rows 10000000] [--repeat 7] [--shared ../shared]

The columnar cache is built from make_large's generator (the numbers of its CSV, written with
``series_cache_write``: no CSV to ingest) and registered as a file of a project in a throwaway
database; Daphne serves the real API.
Reported per case (first full view, 1 % zoom): the server's own time (Server-Timing header:
open the cache, select the window, MinMaxLTTB), the client's wall time (adds JSON over
loopback), the response size and the points per channel. Goal: <= 0.5 s, <= 4,000 points.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from appserver import app_server  # noqa: E402

GOAL_SECONDS = 0.5
GOAL_POINTS = 4000


def build_cache(cache_dir: Path, *, rows: int, channels: int, shared: Path) -> None:
    """The cache of make_large's series (rate 100 rows/s, seed 0), straight from its arrays."""
    import importlib.util

    import numpy as np

    from labeler.ingest import series_cache_write

    spec = importlib.util.spec_from_file_location("make_large", shared / "bench" / "make_large.py")
    make_large = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_large)
    time_axis = np.empty(rows, dtype=np.float64)
    values = np.empty((channels, rows), dtype=np.float32)
    first = 0
    for block in make_large.generate(rows, channels, 100, 0):
        time_axis[first : first + len(block)] = block[:, 0]
        values[:, first : first + len(block)] = block[:, 1:].T
        first += len(block)
    names = make_large.channel_names(channels)
    series_cache_write(
        cache_dir, time=time_axis, channels={name: values[i] for i, name in enumerate(names)}
    )


def large_cache(work: Path, rows: int, channels: int, shared: Path) -> Path:
    """The columnar cache of a make_large.py series, built once under `work` and reused."""
    cache_dir = work / f"cache_{rows}x{channels}_arrays"
    if not cache_dir.exists():
        cache_dir.parent.mkdir(parents=True, exist_ok=True)
        build_cache(cache_dir, rows=rows, channels=channels, shared=shared)
    return cache_dir


def register(cache_dir: Path) -> tuple[str, int]:
    """In the server's environment: a user, a token, a project and the file (cache linked)."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from labeler import storage
    from labeler.ingest import open_series
    from labeler.models import SeriesFile
    from labeler.services.projects import project_create
    from labeler.services.tokens import token_issue

    user = get_user_model().objects.create_user("bench", password="bench-password-1")  # noqa: S106
    project = project_create(user=user, name="large", labels=["A", "B", "C"])
    series = open_series(cache_dir)
    series_file = SeriesFile(
        project=project,
        name="large.csv",
        rows=series.rows,
        channels=series.channels,
        time_kind=series.time_kind,
        time_column="time",
        time_start=float(series.time[0]),
        time_end=float(series.time[-1]),
    )
    storage.file_dir(series_file.storage_key).mkdir(parents=True)
    os.symlink(cache_dir.resolve(), storage.cache_dir(series_file.storage_key))
    series_file.save()
    return token_issue(user=user)[0], series_file.id


def main():
    if sys.argv[1:2] == ["--prepare"]:
        print(json.dumps(register(Path(sys.argv[2]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--channels", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--work", default=str(ROOT / "bench" / "out" / "window"))
    parser.add_argument("--out", default=str(ROOT / "bench" / "out" / "data_endpoint.json"))
    args = parser.parse_args()
    import requests

    cache_dir = large_cache(Path(args.work), args.rows, args.channels, Path(args.shared))
    with app_server(__file__, str(cache_dir)) as (url, (token, file_id)):
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        meta = session.get(f"{url}/api/files/{file_id}/").json()
        span = meta["time_end"] - meta["time_start"]
        middle = meta["time_start"] + span / 2
        zoom = {"start": middle - span / 200, "end": middle + span / 200}
        cases = [("full view", {}), ("1 % zoom", zoom)]
        base = f"{url}/api/files/{file_id}/data/"
        results = [_measure(session, base, name, params, args.repeat) for name, params in cases]
    report = {
        "rows": args.rows,
        "channels": args.channels,
        "cpus": os.cpu_count(),
        "loadavg": os.getloadavg(),
        "cases": results,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


def _measure(session, base, name, params, repeat):
    server_s, client_s, sizes, points = [], [], [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = session.get(base, params={**params, "max_points": GOAL_POINTS})
        client_s.append(time.perf_counter() - started)
        response.raise_for_status()
        timing = response.headers["Server-Timing"]
        server_s.append(float(timing.split("dur=")[1]) / 1000)
        sizes.append(len(response.content))
        body = response.json()
        points = max(len(v) for v in body["channels"].values())
    return {
        "case": name,
        "rows_in_window": body["rows"],
        "points_per_channel": points,
        "server_first_s": round(server_s[0], 4),
        "server_median_s": round(statistics.median(server_s), 4),
        "client_first_s": round(client_s[0], 4),
        "client_median_s": round(statistics.median(client_s), 4),
        "response_kb": round(statistics.median(sizes) / 1024, 1),
        "ok": max(client_s) <= GOAL_SECONDS and points <= GOAL_POINTS,
    }


if __name__ == "__main__":
    main()
