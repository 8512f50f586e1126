"""Prediction output: Label Studio regions in the file's own time units, scores, uncertainty."""

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import torch

from autolabel.segmenter import CheckpointError, Segmenter, load_checkpoint, parse_label_config
from autolabel.segmenter.infer import fill_gaps, pick_device, time_values
from autolabel.segmenter.segments import PostprocessConfig

from .conftest import FIXTURES

CONFIG = parse_label_config((FIXTURES / "instants_label_config.xml").read_text())


@pytest.fixture(scope="module")
def recording():
    frame = pd.read_csv(FIXTURES / "inst_dev_01.csv")
    return frame[list(CONFIG.channels)].to_numpy(np.float32), frame["time"].to_numpy()


@pytest.fixture(scope="module")
def segmenter():
    loaded = load_checkpoint(FIXTURES / "ls_example_instants.pt", device="cpu")
    return loaded.with_label_config(CONFIG)


def test_label_config_fills_channels_of_the_example_checkpoint(segmenter):
    assert segmenter.channels == CONFIG.channels and segmenter.time_column == "time"


def test_label_config_must_offer_the_model_labels():
    loaded = load_checkpoint(FIXTURES / "ls_example_instants.pt")
    other = parse_label_config((FIXTURES / "basicmotions_label_config.xml").read_text())
    with pytest.raises(CheckpointError, match="Fall"):
        loaded.with_label_config(other)


def test_label_studio_prediction_format(segmenter, recording):
    values, times = recording
    prediction = segmenter.predict(values, times, "numeric")
    output = prediction.to_labelstudio(from_name="label", to_name="ts")
    assert set(output) >= {"result", "score", "model_version"}
    assert output["model_version"] == segmenter.version
    assert output["result"], "the example checkpoint finds events in its own training file"
    ids = set()
    for region in output["result"]:
        assert region["type"] == "timeserieslabels"
        assert (region["from_name"], region["to_name"]) == ("label", "ts")
        value = region["value"]
        assert value["timeserieslabels"][0] in ("Fall", "Stumble")
        assert isinstance(value["start"], float) and value["start"] <= value["end"]
        assert value["instant"] == (value["start"] == value["end"])
        assert 0.0 <= region["score"] <= 1.0
        ids.add(region["id"])
    assert len(ids) == len(output["result"])
    assert output["score"] == pytest.approx(np.mean([r["score"] for r in output["result"]]))
    assert 0.0 <= prediction.uncertainty <= 1.0


def test_instant_labels_from_training_become_points_at_the_peak(segmenter, recording):
    values, times = recording
    kinds = {"Fall": "instant", "Stumble": "instant"}
    instants = Segmenter(replace(segmenter.contents, label_kinds=kinds), device="cpu")
    probs = instants.proba(values)
    prediction = instants.predict(values, times, "numeric")
    assert prediction.regions and all(r.instant for r in prediction.regions)
    for region in prediction.regions:
        k = instants.class_names.index(region.label)
        row = region.start_row
        assert region.start == region.end == times[row]
        assert probs[row, k] == probs[max(0, row - 3) : row + 4, k].max()
        assert region.score == pytest.approx(float(probs[row, k]))


def test_postprocess_override(segmenter, recording):
    values, _ = recording
    plain = segmenter.predict(values)
    strict = segmenter.predict(values, postprocess=PostprocessConfig(min_run_rows=50))
    assert len(strict.regions) <= len(plain.regions)


def test_row_index_times_without_time_column(segmenter, recording):
    values, _ = recording
    for region in segmenter.predict(values[:500]).regions:
        assert isinstance(region.start, int) and region.start == region.start_row


def test_time_values():
    rows = np.array([0, 2])
    assert time_values(rows, None, None) == [0, 2]
    assert time_values(rows, np.array([1.5, 2.5, 3.5]), "numeric") == [1.5, 3.5]
    assert time_values(rows, np.array([10, 20, 30]), "numeric") == [10, 30]
    strings = np.array(["2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z", "2024-01-01T00:00:02Z"])
    assert time_values(rows, strings, "datetime") == [strings[0], strings[2]]
    stamps = np.array(
        ["2024-01-01T00:00:00", "2024-01-01T00:00:01", "2024-01-01T00:00:02.5"],
        dtype="datetime64[ms]",
    )
    assert time_values(rows, stamps, "datetime") == [
        "2024-01-01T00:00:00",
        "2024-01-01T00:00:02.500000",
    ]


def test_bad_values(segmenter):
    with pytest.raises(ValueError, match="channels"):
        segmenter.proba(np.zeros((10, 5), np.float32))
    with pytest.raises(ValueError, match="time values"):
        segmenter.predict(np.zeros((10, 3), np.float32), times=np.arange(5))


def test_proba_shape_dtype_and_short_files(segmenter, recording):
    values, _ = recording
    for rows in (0, 1, 7, 50, 51):
        probs = segmenter.proba(values[:rows])
        assert probs.shape == (rows, 3) and probs.dtype == np.float32
        assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)


def test_missing_values_are_filled_from_the_previous_row():
    values = np.array(
        [
            [np.nan, 1.0, np.nan],
            [2.0, np.nan, np.nan],
            [np.inf, 3.0, np.nan],
            [4.0, np.nan, np.nan],
        ],
        dtype=np.float32,
    )
    expected = np.array(
        [[2.0, 1.0, 0.0], [2.0, 1.0, 0.0], [2.0, 3.0, 0.0], [4.0, 3.0, 0.0]], dtype=np.float32
    )
    assert np.array_equal(fill_gaps(values), expected)


def test_missing_values_do_not_break_prediction(segmenter, recording):
    values, _ = recording
    holed = values[:300].copy()
    holed[100:110, 1] = np.nan
    probs = segmenter.proba(holed)
    assert np.isfinite(probs).all()


def test_cuda_device_switches_cudnn_tf32_off(monkeypatch):
    """cuDNN's LSTM in TF32 changes the probabilities beyond 1e-4 (measured on an H200)."""
    monkeypatch.setattr(torch.backends.cudnn, "allow_tf32", True)
    assert pick_device("cpu").type == "cpu" and torch.backends.cudnn.allow_tf32
    assert pick_device("cuda").type == "cuda"
    assert not torch.backends.cudnn.allow_tf32
