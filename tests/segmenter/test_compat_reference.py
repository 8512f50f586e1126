"""Checkpoints written by the Label Studio example load here and give its probabilities."""

import json

import numpy as np
import pandas as pd
import pytest

from autolabel.segmenter import load_checkpoint, parse_label_config

from .conftest import FIXTURES

CASES = ["ls_example_basicmotions_bm_dev_01", "ls_example_instants_inst_dev_01"]


def _case(prefix):
    meta = json.loads((FIXTURES / f"{prefix}_meta.json").read_text())
    config = parse_label_config(meta["label_config"])
    segmenter = load_checkpoint(FIXTURES / meta["checkpoint"]).with_label_config(config)
    frame = pd.read_csv(FIXTURES / meta["recording"])
    return meta, config, segmenter, frame


@pytest.mark.parametrize("prefix", CASES)
def test_reference_checkpoint_reproduces_reference_probabilities(prefix):
    meta, config, segmenter, frame = _case(prefix)
    probs = segmenter.proba(frame[list(config.channels)].to_numpy(np.float32))
    expected = np.load(FIXTURES / meta["probs_file"])
    assert probs.dtype == np.float32 and probs.shape == expected.shape
    assert np.abs(probs - expected).max() < 1e-4
    assert list(segmenter.class_names) == meta["class_order"]


@pytest.mark.parametrize("prefix", CASES)
def test_reference_checkpoint_gives_the_example_regions(prefix):
    """No label kinds or postprocessing in the example's files: same regions as its /predict."""
    meta, config, segmenter, frame = _case(prefix)
    prediction = segmenter.predict(
        frame[list(config.channels)].to_numpy(np.float32), frame["time"].to_numpy(), "numeric"
    )
    ours = prediction.to_labelstudio(from_name=config.from_name, to_name=config.to_name)
    answer = json.loads((FIXTURES / meta["predict_file"]).read_text())
    theirs = answer["response"]["results"][0]["result"]
    assert [r["value"] for r in ours["result"]] == [r["value"] for r in theirs]
    assert np.allclose([r["score"] for r in ours["result"]], [r["score"] for r in theirs])
