"""The segmenter on an NVIDIA GPU: what CUDA changes, measured (the product needs no GPU).

1. compatibility: the example's two checkpoints (tests/segmenter/fixtures) predict on CUDA;
   max abs difference to the probabilities the example computed on a CPU (tolerance 1e-4).
2. prediction: 1M and 10M rows x 6 channels (make_large.py's generator), the example's
   BasicMotions checkpoint; wall time after a warm-up, peak GPU memory, and CUDA vs CPU
   probabilities of the first 200k rows (predicted as a file of their own on both devices).
3. training: the instants and BasicMotions dev sets with the last two recordings held out (as
   segmenter_reference.py), library defaults on CUDA, seed 0 twice and seed 1 once: wall time,
   epochs, held-out scores, whether the rerun gives the same weights, and whether the
   CUDA-trained checkpoint predicts the same on the CPU.

    python bench/segmenter_cuda.py [--shared ../shared] [--out bench/out/segmenter_cuda.json]
"""

import argparse
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
from segmenter_reference import (  # noqa: E402
    _load_by_path,
    _summarise_quality,
    make_split,
    train_and_score,
)

from autolabel.segmenter import (  # noqa: E402
    TrainingConfig,
    load_checkpoint,
    parse_label_config,
    read_series_csv,
)
from autolabel.segmenter.lstasks import csv_name, read_folder  # noqa: E402

FIXTURES = REPO / "tests" / "segmenter" / "fixtures"
COMPAT_CASES = ["ls_example_basicmotions_bm_dev_01", "ls_example_instants_inst_dev_01"]


DEVICE = "cuda"  # --device cpu: a dry run of the script on a machine without a GPU


def _synchronize():
    if DEVICE == "cuda":
        torch.cuda.synchronize()


def _synchronized_seconds(work) -> tuple[object, float]:
    _synchronize()
    t0 = time.perf_counter()
    result = work()
    _synchronize()
    return result, time.perf_counter() - t0


def check_compatibility() -> list[dict]:
    import pandas as pd

    out = []
    for prefix in COMPAT_CASES:
        meta = json.loads((FIXTURES / f"{prefix}_meta.json").read_text())
        config = parse_label_config(meta["label_config"])
        expected = np.load(FIXTURES / meta["probs_file"])
        values = pd.read_csv(FIXTURES / meta["recording"])[list(config.channels)]
        values = values.to_numpy(np.float32)
        diffs = {}
        for device in (DEVICE, "cpu"):
            segmenter = load_checkpoint(FIXTURES / meta["checkpoint"], device=device)
            diffs[device] = float(np.abs(segmenter.proba(values) - expected).max())
        out.append({"case": prefix, "max_abs_diff": diffs[DEVICE], "cpu": diffs["cpu"]})
    return out


def check_prediction(shared: Path, rows_list: list[int]) -> list[dict]:
    make_large = _load_by_path("make_large", shared / "bench" / "make_large.py")
    cuda = load_checkpoint(FIXTURES / "ls_example_basicmotions.pt", device=DEVICE)
    cpu = load_checkpoint(FIXTURES / "ls_example_basicmotions.pt", device="cpu")
    out = []
    for rows in rows_list:
        blocks = list(make_large.generate(rows, 6, 100, 0))
        table = np.concatenate(blocks)
        values, times = table[:, 1:].astype(np.float32), table[:, 0]
        cuda.proba(values[:10_000])  # warm-up: cuDNN plans, allocator
        if DEVICE == "cuda":
            torch.cuda.reset_peak_memory_stats()
        _, proba_s = _synchronized_seconds(lambda v=values: cuda.proba(v))
        prediction, predict_s = _synchronized_seconds(
            lambda v=values, t=times: cuda.predict(v, t, "numeric")
        )
        head = min(rows, 200_000)  # the same rows, so the same windows, on both devices
        head_diff = np.abs(cuda.proba(values[:head]) - cpu.proba(values[:head])).max()
        out.append(
            {
                "rows": rows,
                "proba_s": round(proba_s, 3),
                "predict_s": round(predict_s, 3),
                "regions": len(prediction.regions),
                "peak_gpu_mib": round(torch.cuda.max_memory_allocated() / 2**20, 1)
                if DEVICE == "cuda"
                else None,
                "max_abs_diff_vs_cpu_first_rows": float(head_diff),
                "compared_rows": head,
            }
        )
        print(out[-1], flush=True)
    return out


def _train(train_dir: Path, test_dir: Path, seed: int, metrics) -> tuple[object, dict]:
    config = TrainingConfig(seed=seed, device=DEVICE)
    segmenter, quality, wall = train_and_score(train_dir, test_dir, config, metrics)
    info = segmenter.training
    return segmenter, {
        "seed": seed,
        "train_s": round(wall, 2),
        "epochs": f"{info['epochs_run']}+{info['refit_epochs']}",
        "window_passes": info["window_passes"],
        **_summarise_quality(quality),
    }


def _same_weights(a, b) -> bool:
    sa, sb = a.model.state_dict(), b.model.state_dict()
    return all(torch.equal(sa[k].cpu(), sb[k].cpu()) for k in sa)


def check_training(shared: Path, sets: list[str], workdir: Path) -> dict:
    metrics = _load_by_path("metrics", shared / "bench" / "metrics.py")
    out = {}
    for name in sets:
        train_dir, test_dir = make_split(shared / "data" / name / "dev", workdir / name)
        first, first_run = _train(train_dir, test_dir, 0, metrics)
        again, again_run = _train(train_dir, test_dir, 0, metrics)
        _, other_run = _train(train_dir, test_dir, 1, metrics)
        config, _, tasks = read_folder(test_dir)
        csv_path = test_dir / csv_name(tasks[0], config)
        table = read_series_csv(csv_path, first.channels, config.time_column)
        saved = workdir / f"{name}_cuda.pt"
        first.save(saved)
        on_cpu = load_checkpoint(saved, device="cpu")
        cpu_diff = float(np.abs(first.proba(table.values) - on_cpu.proba(table.values)).max())
        out[name] = {
            "runs": [first_run, again_run, other_run],
            "seed0_rerun_same_weights": _same_weights(first, again),
            "cuda_checkpoint_on_cpu_max_abs_diff": cpu_diff,
        }
        print(name, json.dumps(out[name]), flush=True)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    ap.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    ap.add_argument("--sets", nargs="*", default=["instants", "basicmotions"])
    ap.add_argument("--device", default="cuda", choices=["cuda", "cpu"])
    ap.add_argument("--out", type=Path, default=REPO / "bench" / "out" / "segmenter_cuda.json")
    args = ap.parse_args()
    global DEVICE
    DEVICE = args.device
    if DEVICE == "cuda" and not torch.cuda.is_available():
        sys.exit("no CUDA device: this benchmark needs an NVIDIA GPU (--device cpu: dry run)")
    report = {
        "device": torch.cuda.get_device_name(0) if DEVICE == "cuda" else platform.processor(),
        "torch": torch.__version__,
        "cudnn": torch.backends.cudnn.version() if DEVICE == "cuda" else None,
        "python": platform.python_version(),
        "compatibility": check_compatibility(),
    }
    print(json.dumps(report["compatibility"]), flush=True)
    report["prediction"] = check_prediction(args.shared, args.rows)
    with tempfile.TemporaryDirectory() as workdir:
        report["training"] = check_training(args.shared, args.sets, Path(workdir))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n")


if __name__ == "__main__":
    main()
