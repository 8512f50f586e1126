"""Quality and training time: our segmenter vs the Label Studio example on held-out recordings.

For BasicMotions and the instants set (../shared/data/*/dev), the last two recordings of
annotations.json are held out (a fixed choice) and both segmenters train on the rest:

  ours       autolabel.segmenter.train with its defaults (TRAIN_EPOCHS 100, SEQUENCE_SIZE 50,
             HIDDEN_SIZE 64), one run per seed; "ours_no_refit" keeps the validated network
             instead of training on every recording (faster, less data); "ours_previous" the
             defaults before 2026-12-05 (a fresh refit, no validation floor)
  reference  ../shared/bench/ref_runner.py (the example, unchanged) with TRAIN_EPOCHS=100,
             REF_SEED=seed, from the environment built by setup_reference.sh

Both are scored with ../shared/bench/metrics.py: segment F1 (ranges), timestep macro F1,
event F1 (instants) and how many predicted instant-label regions were emitted as instants.

Compatibility check: a checkpoint trained here is loaded by the example
(`neural_nets.TimeSeriesLSTM.load_model`) in the reference environment and its per-row
probabilities on a held-out recording are compared with ours (max abs diff).

    .venv/bin/python bench/segmenter_reference.py [--seeds 0 1 2] [--sets basicmotions instants]
        [--shared ../shared] [--ref-py PY] [--ref-dir DIR]
        [--out bench/out/segmenter_reference.json]
"""

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def _load_by_path(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------- reference child


def child_reference_proba(checkpoint, csv_path, channels_json, out, shared_bench):
    """Run in the reference environment: the example loads our checkpoint and predicts."""
    sys.path.insert(0, shared_bench)
    import ref_runner

    ref_runner.configure_env()
    import numpy as np
    import pandas as pd

    neural_nets = ref_runner.import_reference()[3]
    model = neural_nets.TimeSeriesLSTM.load_model(checkpoint)
    x = pd.read_csv(csv_path)[json.loads(channels_json)].values.astype(np.float32)
    np.save(out, model.predict(x).cpu().numpy().astype(np.float32))
    print(json.dumps({"label_map": model.get_label_map()}))


# ---------------------------------------------------------------------------- splits


HELD_OUT = 2  # the last two tasks of each dev set are the test recordings


def make_split(source: Path, workdir: Path, held_out: int = HELD_OUT) -> tuple[Path, Path]:
    """train/ and test/ folders: the last `held_out` tasks of annotations.json are the test."""
    tasks = json.loads((source / "annotations.json").read_text())
    train = write_task_folder(source, workdir / "train", tasks[:-held_out])
    return train, write_task_folder(source, workdir / "test", tasks[-held_out:])


def write_task_folder(source: Path, folder: Path, tasks: list[dict]) -> Path:
    """A dev-set folder with only `tasks`: label config, annotations.json and their CSVs."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(source / "label_config.xml", folder)
    (folder / "annotations.json").write_text(json.dumps(tasks, indent=1))
    for task in tasks:
        shutil.copy(source / os.path.basename(task["data"]["csv_url"]), folder)
    return folder


# ---------------------------------------------------------------------------- both sides


def _summarise_quality(quality: dict) -> dict:
    event = quality["event"]
    return {
        "segment_f1": quality["segment"].get("micro_f1"),
        "timestep_macro_f1": quality["timestep"]["macro_f1"],
        "event_f1": event.get("micro_f1"),
        "instant_regions": event.get("predicted_regions"),
        "emitted_as_instant": event.get("predicted_as_instant"),
    }


VARIANTS = {
    "ours": {},
    "ours_no_refit": {"refit": False},
    # the defaults before 2026-12-05: a fresh network refit for the best epoch count, no floor
    "ours_previous": {"final_fit": "refit", "min_best_epoch": 0},
}


def train_and_score(train_dir: Path, test_dir: Path, training_config, metrics):
    """Train on a task folder, predict the test folder, score with ../shared/bench/metrics.py.
    -> (segmenter, quality, training wall seconds)"""
    from autolabel.segmenter import read_series_csv, train
    from autolabel.segmenter.lstasks import csv_name, read_folder, recordings_from_tasks

    config, xml_text, tasks = read_folder(train_dir)
    recordings = recordings_from_tasks(train_dir, tasks, config, config.channels)
    t0 = time.perf_counter()
    segmenter = train(
        recordings,
        list(config.labels),
        training_config,
        channels=config.channels,
        time_column=config.time_column,
        label_config=xml_text,
    )
    train_s = time.perf_counter() - t0
    test_config, _, test_tasks = read_folder(test_dir)
    predictions = []
    for task in test_tasks:
        table = read_series_csv(
            test_dir / csv_name(task, test_config), segmenter.channels, test_config.time_column
        )
        prediction = segmenter.predict(table.values, table.times, table.time_kind)
        predictions.append(
            prediction.to_labelstudio(from_name=test_config.from_name, to_name=test_config.to_name)
        )
    quality = metrics.score_split(
        test_tasks, predictions, metrics.load_split(test_dir)[1], str(test_dir)
    )
    return segmenter, quality, train_s


def run_ours(
    train_dir: Path, test_dir: Path, seed: int, metrics, out_dir: Path, variant: str = "ours"
) -> dict:
    from autolabel.segmenter import TrainingConfig

    training_config = TrainingConfig(seed=seed, **VARIANTS[variant])
    segmenter, quality, train_s = train_and_score(train_dir, test_dir, training_config, metrics)
    checkpoint = out_dir / f"{variant}_seed{seed}.pt"
    segmenter.save(checkpoint)
    info = segmenter.training
    return {
        "seed": seed,
        "train_s": round(train_s, 2),
        "epochs": info["epochs_run"] + info["refit_epochs"],
        "epochs_detail": {k: info[k] for k in ("epochs_run", "best_epoch", "refit_epochs")},
        "logit_adjustment": info.get("logit_adjustment"),
        "checkpoint": str(checkpoint),
        **_summarise_quality(quality),
    }


def run_reference(train_dir, test_dir, seed, args, out_dir: Path) -> dict:
    report = out_dir / f"reference_seed{seed}.json"
    env = dict(os.environ, TRAIN_EPOCHS="100", REF_SEED=str(seed), REF_LSMB_DIR=str(args.ref_dir))
    env.pop("MODEL_DIR", None)
    # importing autolabel.segmenter set OMP_WAIT_POLICY=PASSIVE here; the example as shipped
    # runs with OpenMP's own default unless --reference-omp-wait-policy says otherwise
    env.pop("OMP_WAIT_POLICY", None)
    if args.reference_omp_wait_policy:
        env["OMP_WAIT_POLICY"] = args.reference_omp_wait_policy
    cmd = [
        args.ref_py,
        str(args.shared / "bench" / "ref_runner.py"),
        "--train",
        str(train_dir),
        "--test",
        str(test_dir),
        "--out",
        str(report),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-3000:])
    data = json.loads(report.read_text())
    return {
        "seed": seed,
        "train_s": data["training"]["wall_s"],
        "epochs": data["training"]["epochs_run"],
        **_summarise_quality(data["quality"]),
    }


def compat_check(checkpoint: str, test_dir: Path, args) -> dict:
    """The example loads our checkpoint; its probabilities vs ours on one test recording."""
    sys.path.insert(0, str(REPO))
    import numpy as np

    from autolabel.segmenter import load_checkpoint, read_series_csv
    from autolabel.segmenter.lstasks import csv_name, read_folder

    config, _, tasks = read_folder(test_dir)
    csv_path = test_dir / csv_name(tasks[0], config)
    segmenter = load_checkpoint(checkpoint)
    ours = segmenter.proba(read_series_csv(csv_path, segmenter.channels, None).values)
    out = Path(checkpoint).with_suffix(".reference_probs.npy")
    env = dict(os.environ, REF_LSMB_DIR=str(args.ref_dir))
    cmd = [
        args.ref_py,
        __file__,
        "--child-proba",
        checkpoint,
        str(csv_path),
        json.dumps(list(segmenter.channels)),
        str(out),
        str(args.shared / "bench"),
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    if done.returncode != 0:
        return {"loaded_by_reference": False, "error": done.stderr[-1500:]}
    theirs = np.load(out)
    return {
        "loaded_by_reference": True,
        "recording": csv_path.name,
        "reference_label_map": json.loads(done.stdout.strip().splitlines()[-1])["label_map"],
        "probs_max_abs_diff": float(np.abs(theirs - ours).max()),
    }


def _aggregate(runs: list[dict]) -> dict:
    out = {}
    for key in ("segment_f1", "timestep_macro_f1", "event_f1", "train_s", "epochs"):
        values = [r[key] for r in runs if r.get(key) is not None]
        if values:
            out[key] = {
                "mean": round(statistics.mean(values), 4),
                "min": round(min(values), 4),
                "max": round(max(values), 4),
            }
    return out


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--child-proba":
        child_reference_proba(*sys.argv[2:7])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--sets", nargs="+", default=["basicmotions", "instants"])
    ap.add_argument(
        "--variants", nargs="+", default=["ours", "ours_no_refit"], choices=list(VARIANTS)
    )
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--ref-py", default=os.environ.get("REF_PY"))
    ap.add_argument("--ref-dir", default=os.environ.get("REF_LSMB_DIR"))
    ap.add_argument("--workdir", type=Path)
    ap.add_argument(
        "--reference-omp-wait-policy",
        choices=["PASSIVE", "ACTIVE"],
        help="OMP_WAIT_POLICY for the example (default: unset, as shipped)",
    )
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "segmenter_reference.json")
    args = ap.parse_args()
    if args.ref_py and not args.ref_dir:
        sys.exit("give --ref-dir (or REF_LSMB_DIR) with --ref-py")
    metrics = _load_by_path("metrics", args.shared / "bench" / "metrics.py")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="segmenter_reference_"))
    report = {"cpus": os.cpu_count(), "sets": {}}
    for name in args.sets:
        base = workdir / name
        train_dir, test_dir = make_split(args.shared / "data" / name / "dev", base)
        entry = {"held_out": sorted(p.name for p in test_dir.glob("*.csv"))}
        sides = list(args.variants) + (["reference"] if args.ref_py else [])
        for side in sides:
            entry[side] = []
        for seed in args.seeds:  # interleaved, so that both sides see similar machine load
            for side in sides:
                if side == "reference":
                    run = run_reference(train_dir, test_dir, seed, args, base)
                else:
                    run = run_ours(train_dir, test_dir, seed, metrics, base, side)
                run["loadavg_1min_after"] = round(os.getloadavg()[0], 2)
                run["omp_wait_policy"] = (
                    args.reference_omp_wait_policy
                    if side == "reference"
                    else os.environ.get("OMP_WAIT_POLICY")
                )
                entry[side].append(run)
                print(f"{name} {side} seed {seed}: {run}", file=sys.stderr)
        for side in sides:
            entry[f"{side}_summary"] = _aggregate(entry[side])
        if args.ref_py:
            first = entry[args.variants[0]][0]["checkpoint"]
            entry["compat"] = compat_check(first, test_dir, args)
        report["sets"][name] = entry
    report["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
