"""Prediction speed and memory: our segmenter vs the Label Studio example, same checkpoint.

For each size (rows x 6 channels, CSVs written by ../shared/bench/make_large.py) every
repetition runs in a fresh subprocess and reports wall time and peak RSS (getrusage maxrss):

  ours       read_series_csv + Segmenter.predict + to_labelstudio (checkpoint load timed apart)
  reference  the example's TimeSeriesSegmenter._predict_task (CSV read + model.predict +
             _group_rows + results), run unchanged from the reference environment built by
             ../shared/bench/setup_reference.sh (REF_PY / REF_LSMB_DIR)

Both use the same trained checkpoint (default: the example's BasicMotions checkpoint, 6
channels, 4 classes) and the per-row probabilities of both are compared (max abs diff).

    .venv/bin/python bench/segmenter_speed.py [--rows 10000 100000 1000000] [--repeats 3]
        [--ref-repeats-large 1] [--shared ../shared] [--ref-py PY] [--ref-dir DIR]
        [--workdir DIR] [--out bench/out/segmenter_speed.json]

This file is also the child process of both sides (`--child ours|reference ...`); the
reference child imports only the standard library here and the example at run time.
"""

import argparse
import importlib.util
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _load_by_path(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ---------------------------------------------------------------------------- children


def child_ours(csv_path, config_path, checkpoint, probs_out):
    sys.path.insert(0, str(REPO))
    import numpy as np
    import torch

    from autolabel.segmenter import load_checkpoint, parse_label_config, read_series_csv

    timings = {}
    t0 = time.perf_counter()
    config = parse_label_config(Path(config_path).read_text())
    segmenter = load_checkpoint(checkpoint).with_label_config(config)
    timings["load_checkpoint_s"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    table = read_series_csv(csv_path, segmenter.channels, config.time_column)
    t1 = time.perf_counter()
    probs = segmenter.proba(table.values)
    t2 = time.perf_counter()
    prediction = segmenter.prediction_from_proba(probs, table.times, table.time_kind)
    result = prediction.to_labelstudio(from_name=config.from_name, to_name=config.to_name)
    t3 = time.perf_counter()
    timings.update(
        read_csv_s=t1 - t0,
        model_s=t2 - t1,
        segments_s=t3 - t2,
        total_s=t3 - t0,
        regions=len(result["result"]),
        peak_rss_mb=_peak_rss_mb(),
        torch_threads=torch.get_num_threads(),
    )
    if probs_out:
        np.save(probs_out, probs)
    print(json.dumps(timings))


def child_reference(csv_path, config_path, checkpoint, probs_out, shared_bench):
    sys.path.insert(0, shared_bench)
    import ref_runner

    ref_runner.configure_env()
    from unittest.mock import patch

    import numpy as np
    import torch

    seg_cls, _, _, neural_nets = ref_runner.import_reference()
    config_xml = Path(config_path).read_text()
    seg = ref_runner.make_segmenter(seg_cls, config_xml, 0)
    params = seg._get_labeling_params()
    t0 = time.perf_counter()
    model = neural_nets.TimeSeriesLSTM.load_model(checkpoint)
    load_s = time.perf_counter() - t0
    captured = {}
    predict = model.predict

    def capturing_predict(x):
        out = predict(x)
        captured["probs"] = out
        return out

    model.predict = capturing_predict
    task = {"id": 1, "data": {params["value"]: os.path.abspath(csv_path)}}
    with patch.object(seg, "preload_task_data", new=ref_runner.read_local):
        t0 = time.perf_counter()
        result = seg._predict_task(task, model, params)
        total = time.perf_counter() - t0
    timings = {
        "load_checkpoint_s": load_s,
        "total_s": total,
        "regions": len(result.get("result", [])),
        "peak_rss_mb": _peak_rss_mb(),
        "torch_threads": torch.get_num_threads(),
    }
    if probs_out:
        np.save(probs_out, captured["probs"].cpu().numpy().astype(np.float32))
    print(json.dumps(timings))


# ---------------------------------------------------------------------------- parent


def _run_child(cmd, env, limit_s):
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=limit_s)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def _summary(runs, key="total_s"):
    values = [r[key] for r in runs]
    return {
        "median": round(statistics.median(values), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def _label_config(make_large, args) -> str:
    """make_large's config (channels ch1..chN) with the checkpoint's labels in place of A, B, C:
    our loader refuses a checkpoint whose labels the config lacks (the example does not check)."""
    import torch

    label_map = torch.load(args.checkpoint, map_location="cpu", weights_only=True)["label_map"]
    labels = sorted((k for k in label_map if k != "__background__"), key=label_map.get)
    lines = [
        line
        for line in make_large.label_config(args.channels).splitlines()
        if "<Label " not in line
    ]
    at = next(i for i, line in enumerate(lines) if "<TimeSeriesLabels" in line) + 1
    lines[at:at] = [f'    <Label value="{label}"/>' for label in labels]
    return "\n".join(lines) + "\n"


def run_size(rows, args, make_large, workdir, env_ref):
    csv_path = workdir / f"large_{rows}x{args.channels}.csv"
    cfg_path = workdir / f"large_{args.channels}.xml"
    if not csv_path.exists():
        make_large.write_csv(str(csv_path), rows, args.channels, 100, 0)
    cfg_path.write_text(_label_config(make_large, args))
    result = {"rows": rows, "channels": args.channels}
    sides = [("ours", [sys.executable], os.environ.copy(), args.repeats)]
    if args.ref_py:
        ref_repeats = args.ref_repeats_large if rows >= 1_000_000 else args.repeats
        sides.append(("reference", [args.ref_py], env_ref, ref_repeats))
    for side, python, env, repeats in sides:
        runs = []
        for r in range(repeats):
            probs_out = workdir / f"probs_{side}_{rows}.npy" if r == 0 else ""
            cmd = [
                *python,
                __file__,
                "--child",
                side,
                str(csv_path),
                str(cfg_path),
                str(args.checkpoint),
                str(probs_out),
                str(args.shared / "bench"),
            ]
            runs.append(_run_child(cmd, env, args.limit_s))
            print(f"{side} rows={rows} run {r + 1}: {runs[-1]}", file=sys.stderr)
        result[side] = {
            "runs": runs,
            "total_s": _summary(runs),
            "peak_rss_mb_max": round(max(x["peak_rss_mb"] for x in runs), 1),
            "rows_per_s_median": round(rows / statistics.median(x["total_s"] for x in runs), 1),
        }
    if args.ref_py:
        import numpy as np

        ours = np.load(workdir / f"probs_ours_{rows}.npy")
        theirs = np.load(workdir / f"probs_reference_{rows}.npy")
        result["probs_max_abs_diff"] = float(np.abs(ours - theirs).max())
        result["speedup_median"] = round(
            result["reference"]["total_s"]["median"] / result["ours"]["total_s"]["median"], 2
        )
    return result


def _reference_env(args):
    env = os.environ.copy()
    if args.ref_dir:
        env["REF_LSMB_DIR"] = str(args.ref_dir)
    return env


def _machine() -> dict:
    import platform

    import torch

    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(mem_gb, 1),
        "python": platform.python_version(),
        "torch": str(torch.__version__),
        "cuda": torch.cuda.is_available(),
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
    }


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        side, csv_path, cfg_path, checkpoint, probs_out, shared_bench = sys.argv[2:8]
        if side == "ours":
            child_ours(csv_path, cfg_path, checkpoint, probs_out)
        else:
            child_reference(csv_path, cfg_path, checkpoint, probs_out, shared_bench)
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--channels", type=int, default=6)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--ref-repeats-large", type=int, default=1, help="reference runs at 1M rows")
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--checkpoint", type=Path, help="default: the example's BasicMotions one")
    ap.add_argument("--ref-py", default=os.environ.get("REF_PY"))
    ap.add_argument("--ref-dir", default=os.environ.get("REF_LSMB_DIR"))
    ap.add_argument("--limit-s", type=int, default=900)
    ap.add_argument("--workdir", type=Path)
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "segmenter_speed.json")
    args = ap.parse_args()
    args.checkpoint = args.checkpoint or (
        args.shared / "reference-checkpoints" / "ls_example_basicmotions.pt"
    )
    if args.ref_py and not args.ref_dir:
        sys.exit("give --ref-dir (or REF_LSMB_DIR) with --ref-py")
    make_large = _load_by_path("make_large", args.shared / "bench" / "make_large.py")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="segmenter_speed_"))
    workdir.mkdir(parents=True, exist_ok=True)
    results = [run_size(n, args, make_large, workdir, _reference_env(args)) for n in args.rows]
    report = {"machine": _machine(), "checkpoint": str(args.checkpoint), "sizes": results}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
