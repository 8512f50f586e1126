"""Fold table: a training configuration scored on leave-recordings-out folds and several seeds.

Decisions about the segmenter (defaults, post-processing, thresholds) are made on this table,
never on the held-out recordings of bench/segmenter_reference.py.

Sets (../shared/data):
  instants      instants/dev + instants/more: 18 recordings, instants Fall / Stumble
  basicmotions  basicmotions/dev: 8 recordings, ranges Walk / Run / Badminton

The recordings, sorted by file name, go to fold i % k. Each run trains on the other folds'
recordings (the library's own validation split inside them, as in the product) with one seed
and predicts the fold's recordings like any file; `--train-on-fold` turns it around (train on
the fold's recordings, predict all the others), for a team that has labeled only a few.
Scores come from ../shared/bench/metrics.py: event F1 for instant labels, timestep macro F1
and segment F1 for range labels, and for instants the predicted instant-label regions against
the true events. Per set the table gives
the mean over every run, the worst seed (mean over the folds of each seed, lowest), the worst
fold (mean over the seeds of each fold, lowest) and the worst single run.

Each run's result is cached in bench/out/segmenter_quality_runs.json under its set, fold
layout, fold, seed, overrides and `--tag`, so a partial call (`--folds 3 --seeds 2`) can be
extended later (`--seeds 5`) without retraining what is there. Change `--tag` when the code
changes (the cache cannot know), or pass `--fresh`.

    .venv/bin/python bench/segmenter_quality.py --set instants --folds 3 --seeds 5 \
        [--override background_window_share=0.25 ...] [--postprocess min_run_rows=3 ...] \
        [--fold-ids 0 2] [--first-seed 0] [--jobs 1] [--tag NAME] [--recordings N]

Writes bench/out/segmenter_quality.json (the last call's table and runs) and appends the
table's markdown row to bench/out/segmenter_quality.md.
"""

import argparse
import concurrent.futures as cf
import dataclasses
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# torch's OpenMP threads wait passively (see autolabel/segmenter/__init__.py); set before
# run_one's first torch import
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

SETS = {
    "instants": ("instants/dev", "instants/more"),
    "basicmotions": ("basicmotions/dev",),
}
OUT = REPO / "bench" / "out"
MEAN_KEYS = ("event_f1", "timestep_macro_f1", "segment_f1", "train_s", "epochs")


# ---------------------------------------------------------------------------- folds


def set_recordings(shared: Path, name: str) -> list[tuple[Path, dict]]:
    """(source folder, Label Studio task) of every recording of a set, sorted by file name."""
    found = []
    for folder in SETS[name]:
        source = shared / "data" / folder
        for task in json.loads((source / "annotations.json").read_text()):
            found.append((source, task))
    return sorted(found, key=lambda item: os.path.basename(item[1]["data"]["csv_url"]))


def fold_members(n_recordings: int, folds: int) -> list[list[int]]:
    if not 2 <= folds <= n_recordings:
        raise SystemExit(f"--folds must be between 2 and {n_recordings} (the recordings)")
    return [[i for i in range(n_recordings) if i % folds == k] for k in range(folds)]


def write_tasks(folder: Path, items: list[tuple[Path, dict]]) -> Path:
    """A task folder (label config, annotations.json, CSVs) holding `items`."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(items[0][0] / "label_config.xml", folder)
    (folder / "annotations.json").write_text(json.dumps([task for _, task in items], indent=1))
    for source, task in items:
        shutil.copy(source / os.path.basename(task["data"]["csv_url"]), folder)
    return folder


# ---------------------------------------------------------------------------- one run


def parse_assignments(pairs: list[str], cls, option: str) -> dict:
    """["key=value", ...] -> {key: value} checked against the dataclass `cls`; values are
    JSON (numbers, true/false, null) or else plain strings."""
    fields = {f.name for f in dataclasses.fields(cls)}
    out = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        if not sep or key not in fields:
            raise SystemExit(f"{option} {pair!r}: expected KEY=VALUE, KEY in {sorted(fields)}")
        try:
            out[key] = json.loads(text)
        except json.JSONDecodeError:
            out[key] = text
    cls(**out)  # refuses out-of-range values here, before any training
    return out


def run_one(job: dict) -> dict:
    """Train on the job's training folder, predict its test folder, score with metrics.py."""
    import importlib.util

    import torch

    from autolabel.segmenter import PostprocessConfig, TrainingConfig, read_series_csv, train
    from autolabel.segmenter.lstasks import csv_name, read_folder, recordings_from_tasks

    if job["threads"]:
        torch.set_num_threads(job["threads"])
    spec = importlib.util.spec_from_file_location("metrics", job["metrics"])
    metrics = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(metrics)

    train_dir, test_dir = Path(job["train"]), Path(job["test"])
    config, xml_text, tasks = read_folder(train_dir)
    recordings = recordings_from_tasks(train_dir, tasks, config, config.channels)
    started = time.perf_counter()
    tag = f"fold {job['fold']} seed {job['seed']}"

    def log(report):
        if report.epoch_end:
            print(f"{tag}: {report.message}, loss {report.loss:.4f}", file=sys.stderr, flush=True)

    segmenter = train(
        recordings,
        list(config.labels),
        TrainingConfig(seed=job["seed"], **job["overrides"]),
        progress=log,
        channels=config.channels,
        time_column=config.time_column,
        label_config=xml_text,
    )
    train_s = time.perf_counter() - started
    postprocess = None
    if job["postprocess"]:
        base = segmenter.contents.postprocess or PostprocessConfig()
        postprocess = dataclasses.replace(base, **job["postprocess"])
    test_config, _, test_tasks = read_folder(test_dir)
    predictions, probabilities = [], {}
    for task in test_tasks:
        name = csv_name(task, test_config)
        table = read_series_csv(test_dir / name, segmenter.channels, test_config.time_column)
        probs = segmenter.proba(table.values)
        probabilities[name] = probs
        prediction = segmenter.prediction_from_proba(
            probs, table.times, table.time_kind, postprocess=postprocess
        )
        predictions.append(
            prediction.to_labelstudio(from_name=test_config.from_name, to_name=test_config.to_name)
        )
    quality = metrics.score_split(
        test_tasks, predictions, metrics.load_split(test_dir)[1], str(test_dir)
    )
    if job.get("artifacts"):
        save_artifacts(Path(job["artifacts"]), job["key"], segmenter, probabilities)
    event = quality["event"]
    per_class = event.get("per_class", {}).values()
    info = segmenter.training
    return {
        "key": job["key"],
        "set": job["set"],
        "fold": job["fold"],
        "seed": job["seed"],
        "test_recordings": job["test_names"],
        "event_f1": event.get("micro_f1"),
        "true_events": sum(c["tp"] + c["fn"] for c in per_class) if per_class else None,
        "instant_regions": event.get("predicted_regions") if per_class else None,
        "emitted_as_instant": event.get("predicted_as_instant") if per_class else None,
        "timestep_macro_f1": quality["timestep"]["macro_f1"],
        "segment_f1": quality["segment"].get("micro_f1"),
        "train_s": round(train_s, 2),
        "epochs": info["epochs_run"] + info["refit_epochs"],
        "epochs_detail": [info["epochs_run"], info["best_epoch"], info["refit_epochs"]],
        "window_passes": info.get("window_passes"),
    }


def save_artifacts(folder: Path, key: str, segmenter, probabilities: dict) -> None:
    """The run's checkpoint and its per-row test probabilities (float32, one array per test
    recording), so decoders can be compared on the same trained networks without training."""
    import numpy as np

    folder.mkdir(parents=True, exist_ok=True)
    segmenter.save(folder / f"{key}.pt")
    np.savez_compressed(folder / f"{key}.npz", **probabilities)


# ---------------------------------------------------------------------------- table


def _mean(values):
    values = [v for v in values if v is not None]
    return statistics.mean(values) if values else None


def summarise(runs: list[dict]) -> dict:
    """Mean over runs, worst seed (mean over its folds), worst fold (mean over its seeds) and
    worst run, for each score; for instants the predicted regions against the true events."""
    out = {"runs": len(runs)}
    for key in MEAN_KEYS:
        if _mean(r[key] for r in runs) is None:
            continue
        by_seed = {s: _mean(r[key] for r in runs if r["seed"] == s) for s in _ids(runs, "seed")}
        by_fold = {f: _mean(r[key] for r in runs if r["fold"] == f) for f in _ids(runs, "fold")}
        out[key] = {
            "mean": _mean(r[key] for r in runs),
            "per_seed": by_seed,
            "worst_seed": min(by_seed.values()),
            "per_fold": by_fold,
            "worst_fold": min(by_fold.values()),
            "worst_run": min(r[key] for r in runs if r[key] is not None),
        }
    if all(r.get("true_events") for r in runs):
        ratios = [r["instant_regions"] / r["true_events"] for r in runs]
        out["regions_per_true_event"] = {
            "pooled": sum(r["instant_regions"] for r in runs) / sum(r["true_events"] for r in runs),
            "min_run": min(ratios),
            "max_run": max(ratios),
        }
        out["emitted_as_instant"] = sum(r["emitted_as_instant"] for r in runs) / max(
            1, sum(r["instant_regions"] for r in runs)
        )
    return out


def _ids(runs, key):
    return sorted({r[key] for r in runs})


def markdown_row(label: str, name: str, folds: int, summary: dict) -> str:
    main = "event_f1" if name == "instants" else "timestep_macro_f1"
    seeds = len(summary[main]["per_seed"])
    cells = [label, name, f"{len(summary[main]['per_fold'])} of {folds} × {seeds}"]
    for key in (main, "segment_f1") if name != "instants" else (main,):
        s = summary[key]
        cells.append(
            f"{key} {s['mean']:.4f} (worst seed {s['worst_seed']:.4f}, "
            f"worst fold {s['worst_fold']:.4f}, worst run {s['worst_run']:.4f})"
        )
    regions = summary.get("regions_per_true_event")
    if regions:
        cells.append(
            f"regions/true {regions['pooled']:.3f} "
            f"({regions['min_run']:.3f}–{regions['max_run']:.3f})"
        )
    cells.append(f"train {summary['train_s']['mean']:.0f} s, {summary['epochs']['mean']:.0f} ep")
    return "| " + " | ".join(cells) + " |"


# ---------------------------------------------------------------------------- cache


def load_cache(path: Path) -> dict:
    return json.loads(path.read_text()) if path.exists() else {}


def save_cache(path: Path, cache: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps(cache, indent=1) + "\n")
    partial.replace(path)


def run_key(**parts) -> str:
    text = json.dumps(parts, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------- main


def _git_head() -> str:
    done = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    )
    return done.stdout.strip()


def build_jobs(args, workdir: Path, overrides: dict, postprocess: dict) -> list[dict]:
    items = set_recordings(args.shared, args.set)
    if args.recordings:
        items = items[: args.recordings]
    members = fold_members(len(items), args.folds)
    fold_ids = args.fold_ids if args.fold_ids is not None else range(args.folds)
    threads = max(1, (os.cpu_count() or 1) // args.jobs) if args.jobs > 1 else 0
    jobs = []
    for fold in fold_ids:
        if not 0 <= fold < args.folds:
            raise SystemExit(f"--fold-ids: {fold} is not a fold of {args.folds}")
        test = [items[i] for i in members[fold]]
        train_items = [item for i, item in enumerate(items) if i not in members[fold]]
        if args.train_on_fold:  # few recordings to learn from: the fold trains, the rest test
            test, train_items = train_items, test
        base = workdir / f"fold{fold}"
        test_names = [os.path.basename(t["data"]["csv_url"]) for _, t in test]
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            key = run_key(
                set=args.set,
                recordings=len(items),
                folds=args.folds,
                fold=fold,
                seed=seed,
                overrides=overrides,
                postprocess=postprocess,
                tag=args.tag,
                **({"train_on_fold": True} if args.train_on_fold else {}),
            )
            jobs.append(
                {
                    "key": key,
                    "set": args.set,
                    "fold": fold,
                    "seed": seed,
                    "test_names": test_names,
                    "train": str(base / "train"),
                    "test": str(base / "test"),
                    "train_items": train_items,
                    "test_items": test,
                    "overrides": overrides,
                    "postprocess": postprocess,
                    "metrics": str(args.shared / "bench" / "metrics.py"),
                    "threads": threads,
                    "artifacts": str(args.out_dir / "segmenter_quality_runs"),
                }
            )
    # seed after seed: a table stopped part way still covers every fold
    return sorted(jobs, key=lambda job: (job["seed"], job["fold"]))


def main(argv=None) -> dict:
    from autolabel.segmenter import PostprocessConfig, TrainingConfig

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", choices=sorted(SETS), default="instants")
    ap.add_argument("--folds", type=int, default=3, help="folds the recordings are split into")
    ap.add_argument("--fold-ids", type=int, nargs="+", help="run only these folds (0-based)")
    ap.add_argument("--seeds", type=int, default=5, help="how many seeds")
    ap.add_argument("--first-seed", type=int, default=0)
    ap.add_argument("--override", action="append", default=[], help="TrainingConfig KEY=VALUE")
    ap.add_argument(
        "--postprocess", action="append", default=[], help="PostprocessConfig KEY=VALUE"
    )
    ap.add_argument("--tag", default="", help="names the code version in the cache key")
    ap.add_argument("--label", help="the row's name in the markdown table")
    ap.add_argument("--recordings", type=int, help="use only the first N recordings (tests)")
    ap.add_argument("--jobs", type=int, default=1, help="runs in parallel processes")
    ap.add_argument(
        "--train-on-fold",
        action="store_true",
        help="train on the fold's recordings and test on all the others (few to learn from)",
    )
    ap.add_argument("--fresh", action="store_true", help="retrain even what the cache holds")
    ap.add_argument(
        "--cached-only", action="store_true", help="no training: the table of the cached runs"
    )
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--out-dir", type=Path, default=OUT)
    args = ap.parse_args(argv)
    overrides = parse_assignments(args.override, TrainingConfig, "--override")
    postprocess = parse_assignments(args.postprocess, PostprocessConfig, "--postprocess")
    cache_path = args.out_dir / "segmenter_quality_runs.json"
    cache = load_cache(cache_path)
    workdir = Path(tempfile.mkdtemp(prefix="segmenter_quality_"))
    try:
        jobs = build_jobs(args, workdir, overrides, postprocess)
        todo = [j for j in jobs if args.fresh or j["key"] not in cache]
        if args.cached_only:
            jobs, todo = [j for j in jobs if j["key"] in cache], []
            if not jobs:
                raise SystemExit("no cached runs for these options")
        for job in todo:
            write_tasks(Path(job["train"]), job.pop("train_items"))
            write_tasks(Path(job["test"]), job.pop("test_items"))
        print(f"{len(jobs) - len(todo)} runs cached, {len(todo)} to train", file=sys.stderr)
        head = _git_head()
        for run in _execute(todo, args.jobs):
            run.update(commit=head, tag=args.tag, overrides=overrides, postprocess=postprocess)
            cache[run["key"]] = run
            save_cache(cache_path, cache)
            scores = {k: run[k] for k in ("event_f1", "timestep_macro_f1", "segment_f1")}
            print(f"fold {run['fold']} seed {run['seed']}: {scores}", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    runs = [cache[j["key"]] for j in jobs]
    summary = summarise(runs)
    label = args.label or (" ".join(args.override + args.postprocess) or "defaults")
    label += f" [{args.tag}]" if args.tag else ""
    row = markdown_row(label, args.set, args.folds, summary)
    report = {
        "set": args.set,
        "folds": args.folds,
        "overrides": overrides,
        "postprocess": postprocess,
        "tag": args.tag,
        "summary": summary,
        "markdown": row,
        "runs": runs,
    }
    args.out_dir.mkdir(parents=True, exist_ok=True)
    (args.out_dir / "segmenter_quality.json").write_text(json.dumps(report, indent=1) + "\n")
    with open(args.out_dir / "segmenter_quality.md", "a") as table:
        table.write(row + "\n")
    print(row)
    return report


def _execute(jobs: list[dict], workers: int):
    if workers <= 1:
        yield from map(run_one, jobs)
        return
    with cf.ProcessPoolExecutor(workers) as pool:
        yield from pool.map(run_one, jobs)


if __name__ == "__main__":
    main()
