"""python -m autolabel.segmenter train / predict / proba, end to end on a tiny data folder."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import torch

from autolabel.segmenter import load_checkpoint, read_series_csv
from autolabel.segmenter.cli import main

from .conftest import FIXTURES, synthetic_recording

ROOT = Path(__file__).resolve().parents[2]
LABEL_CONFIG = """<View>
  <TimeSeriesLabels name="label" toName="ts">
    <Label value="A"/><Label value="B"/><Label value="Spike"/>
  </TimeSeriesLabels>
  <TimeSeries name="ts" valueType="url" value="$csv_url" timeColumn="t">
    <Channel column="x"/><Channel column="y"/><Channel column="z"/>
  </TimeSeries>
</View>
"""


def _run(*args, timeout=300):
    """The real command line, in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "autolabel.segmenter", *map(str, args)],
        cwd=ROOT,
        env=dict(os.environ, OMP_NUM_THREADS="1"),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@dataclass
class _Done:
    returncode: int
    stderr: str


def _main(capsys, *args) -> _Done:
    """The same entry point in this process (faster: no torch import per call)."""
    code = main([str(a) for a in args])
    return _Done(code, capsys.readouterr().err)


def _write_folder(folder: Path, n: int) -> Path:
    folder.mkdir()
    tasks = []
    for i in range(n):
        recording = synthetic_recording(f"rec{i}.csv", 240, seed=i, instants=True)
        times = np.round(np.arange(recording.n_rows) * 0.5, 1)
        lines = ["t,x,y,z"] + [
            f"{t},{a:.4f},{b:.4f},{c:.4f}"
            for t, (a, b, c) in zip(times, recording.values, strict=True)
        ]
        (folder / recording.name).write_text("\n".join(lines) + "\n")
        result = [
            {
                "from_name": "label",
                "to_name": "ts",
                "type": "timeserieslabels",
                "value": {
                    "start": float(times[r.start_row]),
                    "end": float(times[r.end_row]),
                    "instant": r.instant,
                    "timeserieslabels": [r.label],
                },
            }
            for r in recording.regions
        ]
        annotation = {"id": i, "ground_truth": True, "result": result}
        tasks.append(
            {
                "id": 100 + i,
                "data": {"csv_url": f"/data/upload/{recording.name}"},
                "annotations": [annotation],
            }
        )
    (folder / "annotations.json").write_text(json.dumps(tasks))
    (folder / "label_config.xml").write_text(LABEL_CONFIG)
    return folder


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    base = tmp_path_factory.mktemp("cli")
    data = _write_folder(base / "data", 3)
    model = base / "model.pt"
    done = _run(
        "train",
        "--data",
        data,
        "--out",
        model,
        "--epochs",
        "2",
        "--seed",
        "3",
        "--sequence-size",
        "20",
        "--hidden-size",
        "8",
        "--quiet",
    )
    assert done.returncode == 0, done.stderr
    return base, data, model


@pytest.mark.slow  # trains in a subprocess (module fixture)
def test_train_writes_a_checkpoint_of_the_example_format(trained):
    _, _, model = trained
    blob = torch.load(model, weights_only=True)
    assert blob["model_class"] == "TimeSeriesLSTM"
    assert blob["label_map"] == {"__background__": 0, "A": 1, "B": 2, "Spike": 3}
    assert blob["channels"] == ["x", "y", "z"] and blob["time_column"] == "t"
    assert blob["label_kinds"] == {"A": "range", "B": "range", "Spike": "instant"}
    assert blob["model_params"]["sequence_size"] == 20


@pytest.mark.slow  # trains in a subprocess (module fixture)
def test_predict_data_folder(trained):
    base, data, model = trained
    out = base / "pred.json"
    done = _run("predict", "--model", model, "--data", data, "--out", out)
    assert done.returncode == 0, done.stderr
    predictions = json.loads(out.read_text())
    assert sorted(predictions) == ["100", "101", "102"]
    for prediction in predictions.values():
        assert "model_version" in prediction and isinstance(prediction["result"], list)


@pytest.mark.slow  # trains in a subprocess (module fixture)
def test_predict_one_csv(trained, capsys):
    base, data, model = trained
    out = base / "one.json"
    done = _main(
        capsys,
        "predict",
        "--model",
        model,
        "--csv",
        data / "rec0.csv",
        "--label-config",
        data / "label_config.xml",
        "--out",
        out,
    )
    assert done.returncode == 0, done.stderr
    prediction = json.loads(out.read_text())
    assert set(prediction) >= {"result", "score", "model_version"}


@pytest.mark.slow  # trains in a subprocess (module fixture)
def test_proba_shape_dtype_and_column_order(trained, capsys):
    base, data, model = trained
    out = base / "probs.npy"
    done = _main(
        capsys,
        "proba",
        "--model",
        model,
        "--csv",
        data / "rec1.csv",
        "--label-config",
        data / "label_config.xml",
        "--out",
        out,
    )
    assert done.returncode == 0, done.stderr
    probs = np.load(out)
    assert probs.shape == (240, 4) and probs.dtype == np.float32
    segmenter = load_checkpoint(model)
    values = read_series_csv(data / "rec1.csv", ["x", "y", "z"], "t").values
    assert np.allclose(probs, segmenter.proba(values), atol=1e-6)  # class-index order


def test_proba_with_the_example_checkpoint_reproduces_its_probabilities(tmp_path, capsys):
    out = tmp_path / "probs.npy"
    done = _main(
        capsys,
        "proba",
        "--model",
        FIXTURES / "ls_example_basicmotions.pt",
        "--csv",
        FIXTURES / "bm_dev_01.csv",
        "--label-config",
        FIXTURES / "basicmotions_label_config.xml",
        "--out",
        out,
    )
    assert done.returncode == 0, done.stderr
    expected = np.load(FIXTURES / "ls_example_basicmotions_bm_dev_01_probs.npy")
    assert np.abs(np.load(out) - expected).max() < 1e-4


@pytest.mark.parametrize(
    "args, fragment",
    [
        (["predict", "--model", "{missing}", "--csv", "{csv}", "--out", "{out}"], "no checkpoint"),
        (["predict", "--model", "{text}", "--csv", "{csv}", "--out", "{out}"], "not a PyTorch"),
        (["proba", "--model", "{ref}", "--csv", "{csv}", "--out", "{out}"], "label-config"),
        (["train", "--data", "{missing}", "--out", "{out}"], "not a folder"),
        (["predict", "--model", "{ref}", "--out", "{out}"], "either --data"),
    ],
)
def test_user_errors_exit_nonzero_without_traceback(tmp_path, capsys, args, fragment):
    text = tmp_path / "model.pt"
    text.write_text("not a model")
    names = {
        "missing": tmp_path / "missing",
        "csv": FIXTURES / "bm_dev_01.csv",
        "out": tmp_path / "out",
        "text": text,
        "ref": FIXTURES / "ls_example_basicmotions.pt",
    }
    done = _main(capsys, *[a.format(**names) for a in args])
    assert done.returncode == 2
    assert done.stderr.startswith("error: ")
    assert fragment in done.stderr and "Traceback" not in done.stderr


def test_bad_input_through_the_real_command_line(tmp_path):
    done = _run("predict", "--model", tmp_path / "none.pt", "--csv", "x.csv", "--out", "o.json")
    assert done.returncode == 2 and "no checkpoint" in done.stderr
    assert "Traceback" not in done.stderr
