"""Ingest speed and memory: ``ingest_csv`` next to ``pandas.read_csv(engine="pyarrow")``.

    python bench/ingest_speed.py [--rows 1000000] [--channels 6] [--repeat 5]
        [--shared ../shared] [--work bench/out/ingest] [--json OUT.json]

Writes an N x C CSV with the shared ``make_large.py`` (reused when it is already there), then
times both readers on that same file, each repetition in a fresh subprocess, alternating the
order. In the subprocess everything is imported first (numpy, pandas, pyarrow, labeler.ingest),
then the peak-RSS counter is reset (``/proc/self/clear_refs``), so "increase" is the peak RSS
during the call minus the RSS just before it. Prints JSON and a markdown table.

Targets (docs/BENCHMARKS_ingest.md): ingest wall time <= 1.5 x pandas; RSS increase <= 2 x the
float32 data (rows x channels x 4 bytes).
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent


def _status(key: str) -> float:
    """A /proc/self/status value in MiB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    raise KeyError(key)


def child(tool: str, csv_path: str) -> dict:
    """One measurement, in this (fresh) process."""
    import numpy  # noqa: F401
    import pandas as pd
    import pyarrow.csv  # noqa: F401

    sys.path.insert(0, str(REPO))
    from labeler.ingest import ingest_csv

    work = Path(tempfile.mkdtemp(prefix="ingest_bench_"))
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")  # reset VmHWM: the peak counts from here on
        baseline = _status("VmRSS")
        started = time.perf_counter()
        if tool == "ours":
            result = ingest_csv(csv_path, work / "cache")
            rows = result.rows
        else:
            frame = pd.read_csv(csv_path, engine="pyarrow")
            rows = len(frame)
        wall = time.perf_counter() - started
        peak = _status("VmHWM")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {
        "tool": tool,
        "wall_s": wall,
        "rss_baseline_mb": baseline,
        "rss_peak_mb": peak,
        "rss_increase_mb": peak - baseline,
        "rows": rows,
    }


def _run_child(tool: str, csv_path: Path) -> dict:
    answer = subprocess.run(
        [sys.executable, __file__, "--child", tool, str(csv_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(answer.stdout.strip().splitlines()[-1])


def make_variant(source: Path, variant: str) -> Path:
    """A copy of make_large's CSV written another way (same numbers), made once."""
    target = source.with_name(f"{source.stem}_{variant}.csv")
    if target.exists():
        return target
    start = np.datetime64("2024-01-01T00:00:00", "ms")
    encoding = "utf-16" if variant == "utf16" else "utf-8"
    with source.open() as lines, target.open("w", encoding=encoding, newline="") as out:
        header = next(lines).rstrip("\n")
        if variant == "semicolon_decimal_comma":
            out.write(header.replace(",", ";") + "\n")
            for line in lines:
                out.write(line.replace(",", ";").replace(".", ","))
        elif variant == "iso_datetime":
            out.write(header + "\n")
            for line in lines:
                seconds, rest = line.split(",", 1)
                stamp = start + np.timedelta64(round(float(seconds) * 1000), "ms")
                out.write(f"{stamp}Z,{rest}")
        else:
            out.write(header + "\n")
            out.writelines(lines)
    return target


def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_gb = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except OSError:
        mem_gb = None
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gb": round(mem_gb, 1) if mem_gb else None,
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
    }


def summary(runs: list[dict]) -> dict:
    walls = [run["wall_s"] for run in runs]
    increases = [run["rss_increase_mb"] for run in runs]
    return {
        "wall_s_median": statistics.median(walls),
        "wall_s_min": min(walls),
        "wall_s_max": max(walls),
        "rss_increase_mb_median": statistics.median(increases),
        "rss_increase_mb_max": max(increases),
        "rss_peak_mb_median": statistics.median(run["rss_peak_mb"] for run in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--channels", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--shared", default=str(REPO.parent / "shared"))
    parser.add_argument("--work", default=str(REPO / "bench" / "out" / "ingest"))
    parser.add_argument("--json", help="also write the JSON here")
    parser.add_argument(
        "--variants",
        action="store_true",
        help="also time ingest_csv on the same data as ISO date-times, ';' + decimal comma "
        "and UTF-16 (3 runs each)",
    )
    parser.add_argument("--child", nargs=2, metavar=("TOOL", "CSV"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(*args.child)))
        return

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    csv_path = work / f"large_{args.rows}x{args.channels}.csv"
    if not csv_path.exists():
        make_large = Path(args.shared) / "bench" / "make_large.py"
        subprocess.run(
            [sys.executable, str(make_large), str(csv_path), "--rows", str(args.rows),
             "--channels", str(args.channels)],
            check=True,
        )  # fmt: skip
    runs = {"ours": [], "pandas": []}
    _run_child("pandas", csv_path)  # warm the page cache once, not measured
    for repetition in range(args.repeat):
        order = ("ours", "pandas") if repetition % 2 == 0 else ("pandas", "ours")
        for tool in order:
            runs[tool].append(_run_child(tool, csv_path))
    float32_mb = args.rows * args.channels * 4 / 2**20  # MiB, like the RSS figures
    report = {
        "machine": machine(),
        "file": {
            "rows": args.rows,
            "channels": args.channels,
            "bytes": csv_path.stat().st_size,
            "float32_data_mb": float32_mb,
        },
        "runs": runs,
        "ours": summary(runs["ours"]),
        "pandas_read_csv_pyarrow": summary(runs["pandas"]),
    }
    report["wall_ratio_median"] = (
        report["ours"]["wall_s_median"] / report["pandas_read_csv_pyarrow"]["wall_s_median"]
    )
    report["targets"] = {
        "wall_ratio_max": 1.5,
        "rss_increase_mb_max": 2 * float32_mb,
        "wall_ok": report["wall_ratio_median"] <= 1.5,
        "rss_ok": report["ours"]["rss_increase_mb_max"] <= 2 * float32_mb,
    }
    if args.variants:
        report["variants"] = {}
        for variant in ("iso_datetime", "semicolon_decimal_comma", "utf16"):
            path = make_variant(csv_path, variant)
            report["variants"][variant] = summary([_run_child("ours", path) for _ in range(3)])
    text = json.dumps(report, indent=1)
    print(text)
    if args.json:
        Path(args.json).write_text(text)
    print()
    print(f"{args.rows:,} rows x {args.channels} channels, {csv_path.stat().st_size / 1e6:.0f} MB, "
          f"{args.repeat} runs each, median [min-max]")  # fmt: skip
    print()
    print("| reader | wall s | peak RSS MiB | RSS increase MiB (median / max) |")
    print("|---|---|---|---|")
    for label, key in (("ingest_csv", "ours"), ("pandas.read_csv(engine='pyarrow')", "pandas")):
        s = summary(runs[key])
        print(
            f"| {label} | {s['wall_s_median']:.3f} [{s['wall_s_min']:.3f}-{s['wall_s_max']:.3f}] "
            f"| {s['rss_peak_mb_median']:.0f} | {s['rss_increase_mb_median']:.0f} / "
            f"{s['rss_increase_mb_max']:.0f} |"
        )
    print()
    for variant, s in report.get("variants", {}).items():
        print(
            f"| ingest_csv, {variant} | {s['wall_s_median']:.3f} [{s['wall_s_min']:.3f}-"
            f"{s['wall_s_max']:.3f}] | {s['rss_peak_mb_median']:.0f} | "
            f"{s['rss_increase_mb_median']:.0f} / {s['rss_increase_mb_max']:.0f} |"
        )
    print()
    print(
        f"ratio ingest/pandas: {report['wall_ratio_median']:.2f} (target <= 1.5); "
        f"RSS increase max {report['ours']['rss_increase_mb_max']:.1f} MiB "
        f"(target <= 2 x float32 data = {2 * float32_mb:.1f} MiB)"
    )


if __name__ == "__main__":
    main()
