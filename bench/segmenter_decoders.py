"""Instant decoders compared on the fold table's trained networks, without training.

bench/segmenter_quality.py keeps every run's checkpoint and per-row test probabilities in
bench/out/segmenter_quality_runs/. This script decodes those probabilities again with each
candidate decoder and scores them with ../shared/bench/metrics.py, so that every decoder is
compared on the same networks (paired by fold and seed):

  argmax     runs of rows whose argmax is an instant class, merged over gaps shorter than
             instant_gap_rows, one instant at the peak (PostprocessConfig.instant_threshold
             None; the decoder before peak picking, and the one validation uses)
  peaks@T    peak picking (segments.peak_instants): rows where the summed instant probability
             is at least T, greedy non-maximum suppression within instant_gap_rows rows
             (highest first), one instant per kept peak with its most probable instant class

    .venv/bin/python bench/segmenter_decoders.py --set instants --folds 3 --tag base \
        [--thresholds 0.3 0.4 0.5 0.6 0.7]

Writes bench/out/segmenter_decoders.json and prints a markdown table (mean, worst seed, worst
fold, worst run, paired difference with argmax, predicted regions per true event).
"""

import argparse
import dataclasses
import json
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import segmenter_quality as quality  # noqa: E402


def decoding(segmenter, name: str):
    """The checkpoint's post-processing with the instants decoded by `name`."""
    threshold = None if name == "argmax" else float(name.split("@")[1])
    return dataclasses.replace(segmenter.contents.postprocess, instant_threshold=threshold)


def score_run(run: dict, artifacts: Path, items: dict, names: list[str], workdir: Path):
    import metrics  # ../shared/bench, on sys.path

    from autolabel.segmenter import load_checkpoint, read_series_csv
    from autolabel.segmenter.lstasks import csv_name, read_folder

    segmenter = load_checkpoint(artifacts / f"{run['key']}.pt")
    probabilities = np.load(artifacts / f"{run['key']}.npz")
    test_dir = quality.write_tasks(
        workdir / run["key"], [items[name] for name in run["test_recordings"]]
    )
    test_config, _, tasks = read_folder(test_dir)
    truth = metrics.load_split(test_dir)[1]
    scores = {}
    for name in names:
        predictions = []
        for task in tasks:
            csv = csv_name(task, test_config)
            table = read_series_csv(test_dir / csv, segmenter.channels, test_config.time_column)
            prediction = segmenter.prediction_from_proba(
                probabilities[csv],
                table.times,
                table.time_kind,
                postprocess=decoding(segmenter, name),
            )
            predictions.append(
                prediction.to_labelstudio(
                    from_name=test_config.from_name, to_name=test_config.to_name
                )
            )
        event = metrics.score_split(tasks, predictions, truth, str(test_dir))["event"]
        per_class = event["per_class"].values()
        scores[name] = {
            "event_f1": event["micro_f1"],
            "regions": event["predicted_regions"],
            "as_instant": event["predicted_as_instant"],
            "true": sum(c["tp"] + c["fn"] for c in per_class),
        }
    return scores


def table(runs: list[dict], names: list[str]) -> list[str]:
    rows = [
        "| decoder | event F1 mean | worst seed | worst fold | worst run "
        "| paired vs argmax (better / worse) | regions / true events (min–max run) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in names:
        f1 = [r["scores"][name]["event_f1"] for r in runs]
        by_seed = _by(runs, "seed", name)
        by_fold = _by(runs, "fold", name)
        diff = [r["scores"][name]["event_f1"] - r["scores"]["argmax"]["event_f1"] for r in runs]
        ratio = [r["scores"][name]["regions"] / r["scores"][name]["true"] for r in runs]
        pooled = sum(r["scores"][name]["regions"] for r in runs) / sum(
            r["scores"][name]["true"] for r in runs
        )
        rows.append(
            f"| {name} | {np.mean(f1):.4f} | {min(by_seed.values()):.4f} "
            f"| {min(by_fold.values()):.4f} | {min(f1):.4f} | {np.mean(diff):+.4f} "
            f"({sum(d > 1e-9 for d in diff)} / {sum(d < -1e-9 for d in diff)}) "
            f"| {pooled:.3f} ({min(ratio):.3f}–{max(ratio):.3f}) |"
        )
    return rows


def _by(runs, key, name):
    groups = {}
    for r in runs:
        groups.setdefault(r[key], []).append(r["scores"][name]["event_f1"])
    return {k: float(np.mean(v)) for k, v in groups.items()}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", choices=["instants"], default="instants")
    ap.add_argument("--folds", type=int, default=3)
    ap.add_argument("--tag", default="")
    ap.add_argument("--override", action="append", default=[], help="as in segmenter_quality")
    ap.add_argument("--thresholds", type=float, nargs="+", default=[0.3, 0.4, 0.5, 0.6, 0.7])
    ap.add_argument("--recordings", type=int, help="only the first N recordings (tests)")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--out-dir", type=Path, default=quality.OUT)
    args = ap.parse_args(argv)
    from autolabel.segmenter import TrainingConfig

    overrides = quality.parse_assignments(args.override, TrainingConfig, "--override")
    sys.path.insert(0, str(args.shared / "bench"))
    names = ["argmax", *(f"peaks@{t:g}" for t in args.thresholds)]
    cache = quality.load_cache(args.out_dir / "segmenter_quality_runs.json")
    artifacts = args.out_dir / "segmenter_quality_runs"
    recordings = quality.set_recordings(args.shared, args.set)[: args.recordings]
    items = {Path(task["data"]["csv_url"]).name: (source, task) for source, task in recordings}
    runs = [
        r
        for r in cache.values()
        if (artifacts / f"{r['key']}.npz").exists()
        and r["key"] == _key(r, args, overrides, len(recordings))
    ]
    if not runs:
        raise SystemExit("no cached runs with probabilities for that set, tag and fold layout")
    workdir = Path(tempfile.mkdtemp(prefix="segmenter_decoders_"))
    try:
        for run in runs:
            run["scores"] = score_run(run, artifacts, items, names, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    runs.sort(key=lambda r: (r["seed"], r["fold"]))
    rows = table(runs, names)
    report = {
        "set": args.set,
        "folds": args.folds,
        "tag": args.tag,
        "runs": [{k: r[k] for k in ("fold", "seed", "key", "scores")} for r in runs],
        "markdown": rows,
    }
    (args.out_dir / "segmenter_decoders.json").write_text(json.dumps(report, indent=1) + "\n")
    print(f"{len(runs)} runs: " + ", ".join(f"fold {r['fold']} seed {r['seed']}" for r in runs))
    print("\n".join(rows))
    return report


def _key(run: dict, args, overrides: dict, n_recordings: int) -> str:
    """The cache key the run would have under these options (no post-processing override)."""
    return quality.run_key(
        set=args.set,
        recordings=n_recordings,
        folds=args.folds,
        fold=run["fold"],
        seed=run["seed"],
        overrides=overrides,
        postprocess={},
        tag=args.tag,
    )


if __name__ == "__main__":
    main()
