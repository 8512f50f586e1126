"""Cross-validation on the TRAINING recordings of the quality benchmark, to choose defaults.

The quality benchmark (bench/segmenter_reference.py) holds out the last two recordings of each dev
set. Design choices must not be tuned on those, so this script scores training variants on folds
of the remaining recordings only (the first 6 of BasicMotions, the first 4 of instants):

  loro   leave one recording out: train on the others, test on it (6 / 4 folds)
  2fold  first half / second half of the recordings (small-data check: train on 3 / 2)

Each training run uses the library's own validation split inside its training recordings, as in
the product. Scores come from ../shared/bench/metrics.py (segment F1, timestep macro F1, event
F1), cost from the training record (window passes: forward + backward of one training window;
forward-only validation windows) and wall time. Runs go to `--jobs` worker processes with one
torch thread each (wall times are therefore only comparable within one invocation).

    .venv/bin/python bench/segmenter_folds.py --sets instants --seeds 0 1 2 \
        --variant base='{}' --variant step50='{"train_window_step": 50}' [--folds loro 2fold]
        [--jobs 2] [--out bench/out/segmenter_folds.json]
"""

import argparse
import concurrent.futures as cf
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from segmenter_reference import (  # noqa: E402
    HELD_OUT,  # the quality benchmark's test recordings: never used here
    _load_by_path,
    _summarise_quality,
    train_and_score,
    write_task_folder,
)


def make_folds(shared: Path, name: str, kind: str, workdir: Path) -> list[dict]:
    source = shared / "data" / name / "dev"
    tasks = json.loads((source / "annotations.json").read_text())[:-HELD_OUT]
    n = len(tasks)
    if kind == "loro":
        tests = [[i] for i in range(n)]
    elif kind == "2fold":
        tests = [list(range(n // 2)), list(range(n // 2, n))]
    else:
        raise ValueError(kind)
    folds = []
    for k, test in enumerate(tests):
        base = workdir / name / f"{kind}{k}"
        train_tasks = [t for i, t in enumerate(tasks) if i not in test]
        test_tasks = [t for i, t in enumerate(tasks) if i in test]
        folds.append(
            {
                "set": name,
                "fold": f"{kind}{k}",
                "train": str(write_task_folder(source, base / "train", train_tasks)),
                "test": str(write_task_folder(source, base / "test", test_tasks)),
            }
        )
    return folds


def run_one(job: dict) -> dict:
    """Train one variant on one fold (in a worker process) and score the test recordings."""
    import torch

    torch.set_num_threads(1)
    from autolabel.segmenter import TrainingConfig

    metrics = _load_by_path("metrics", Path(job["shared"]) / "bench" / "metrics.py")
    training_config = TrainingConfig(seed=job["seed"], **job["overrides"])
    segmenter, quality, wall = train_and_score(
        Path(job["train"]), Path(job["test"]), training_config, metrics
    )
    if job.get("save"):
        Path(job["save"]).mkdir(parents=True, exist_ok=True)
        tag = "_".join(str(job[k]) for k in ("set", "fold", "seed", "variant"))
        segmenter.save(Path(job["save"]) / f"{tag}.pt")
    info = segmenter.training
    return {
        **{k: job[k] for k in ("set", "fold", "seed", "variant")},
        **_summarise_quality(quality),
        "event": {k: v for k, v in quality["event"].items() if k != "micro_f1"},
        "epochs_run": info["epochs_run"],
        "best_epoch": info["best_epoch"],
        "refit_epochs": info["refit_epochs"],
        "logit_adjustment": info.get("logit_adjustment"),
        "validation_macro_f1": (info["validation"] or {}).get("macro_f1"),
        "window_passes": info.get("window_passes"),
        "wall_s": round(wall, 2),
    }


def _summary(runs: list[dict]) -> dict:
    out = {"runs": len(runs)}
    for key in ("segment_f1", "timestep_macro_f1", "event_f1", "wall_s", "epochs_run"):
        values = [r[key] for r in runs if r.get(key) is not None]
        if values:
            out[key] = round(statistics.mean(values), 4)
            out[key + "_min"] = round(min(values), 4)
    passes = [r["window_passes"]["train"] for r in runs if r.get("window_passes")]
    if passes:
        out["train_window_passes"] = round(statistics.mean(passes))
        out["validation_forward_windows"] = round(
            statistics.mean(r["window_passes"]["validation_forward"] for r in runs)
        )
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", nargs="+", default=["instants", "basicmotions"])
    ap.add_argument("--folds", nargs="+", default=["loro"], choices=["loro", "2fold"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--variant", action="append", default=[], help="NAME=JSON overrides")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--save-checkpoints", type=Path, help="folder for the trained checkpoints")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "segmenter_folds.json")
    args = ap.parse_args()
    variants = dict(v.split("=", 1) for v in args.variant) or {"default": "{}"}
    variants = {name: json.loads(text) for name, text in variants.items()}
    workdir = Path(tempfile.mkdtemp(prefix="segmenter_folds_"))
    jobs = []
    for name in args.sets:
        for kind in args.folds:
            for fold in make_folds(args.shared, name, kind, workdir):
                for seed in args.seeds:
                    for variant, overrides in variants.items():  # variants interleaved
                        jobs.append(
                            {
                                **fold,
                                "seed": seed,
                                "variant": variant,
                                "overrides": overrides,
                                "shared": str(args.shared),
                                "save": str(args.save_checkpoints or ""),
                            }
                        )
    runs = []
    with cf.ProcessPoolExecutor(args.jobs) as pool:
        for run in pool.map(run_one, jobs):
            runs.append(run)
            short = {k: run[k] for k in ("set", "fold", "seed", "variant")}
            scores = {
                k: run[k]
                for k in ("segment_f1", "timestep_macro_f1", "event_f1", "epochs_run", "wall_s")
            }
            print(short, scores, run["window_passes"], file=sys.stderr, flush=True)
    summary = {}
    for name in args.sets:
        for kind in args.folds:
            for variant in variants:
                chosen = [
                    r
                    for r in runs
                    if r["set"] == name and r["fold"].startswith(kind) and r["variant"] == variant
                ]
                summary[f"{name} {kind} {variant}"] = _summary(chosen)
    report = {
        "variants": variants,
        "seeds": args.seeds,
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "summary": summary,
        "runs": runs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(summary, indent=1))
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
