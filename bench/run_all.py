"""Run every benchmark (make bench). Results go to bench/out/*.json; docs/BENCHMARKS.md holds
the latest numbers and the machine they were measured on.

    .venv/bin/python bench/run_all.py [--quick] [--only NAME ...]

The benchmarks that compare with the Label Studio example need its environment: build it with
../shared/bench/setup_reference.sh and set REF_PY and REF_LSMB_DIR (without them, those
benchmarks measure this product alone). make_large.py and the data sets come from ../shared
(--shared to point elsewhere).
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"


def benchmarks(shared: str, quick: bool) -> dict[str, list[str]]:
    rows = ["10000", "100000"] if quick else ["10000", "100000", "1000000"]
    return {
        "ingest": [
            "bench/ingest_speed.py",
            "--shared",
            shared,
            "--repeat",
            "3" if quick else "9",
            "--json",
            str(OUT / "ingest_speed.json"),
        ],
        "data_window": [
            "bench/data_window.py",
            "--shared",
            shared,
            "--json",
            str(OUT / "data_window.json"),
        ],
        "data_endpoint": ["bench/data_endpoint.py", "--shared", shared],
        "ui_browser_latency": [
            "bench/ui_browser_latency.py",
            "--shared",
            shared,
            *(["--sizes", "10M"] if quick else []),
        ],
        "autosave": ["bench/autosave.py", *(["--think-s", "0.2"] if quick else [])],
        "segmenter_speed": ["bench/segmenter_speed.py", "--shared", shared, "--rows", *rows],
        "segmenter_reference": [
            "bench/segmenter_reference.py",
            "--shared",
            shared,
            *(["--seeds", "0"] if quick else []),
        ],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument("--only", nargs="+", help="run only these benchmarks")
    args = parser.parse_args()
    if not (Path(args.shared) / "bench" / "make_large.py").exists():
        sys.exit(f"{args.shared}/bench/make_large.py not found: pass --shared")
    OUT.mkdir(parents=True, exist_ok=True)
    failed = []
    for name, command in benchmarks(args.shared, args.quick).items():
        if args.only and name not in args.only:
            continue
        print(f"== {name}: {' '.join(command)}", flush=True)
        started = time.perf_counter()
        log = OUT / f"{name}.log"
        with log.open("w") as handle:
            result = subprocess.run(
                [sys.executable, *command],
                cwd=ROOT,
                stdout=handle,
                stderr=subprocess.STDOUT,
                env=os.environ,
            )
        seconds = time.perf_counter() - started
        status = "ok" if result.returncode == 0 else f"FAILED ({result.returncode})"
        print(f"   {status} in {seconds:.0f} s; output in {log.relative_to(ROOT)}", flush=True)
        if result.returncode != 0:
            failed.append(name)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
