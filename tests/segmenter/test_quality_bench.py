"""bench/segmenter_quality.py end to end on a tiny subset, so that the fold table cannot rot."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
if not (SHARED / "data" / "instants" / "more").exists():
    SHARED = Path("/work/shared")

pytestmark = pytest.mark.skipif(
    not (SHARED / "data" / "instants" / "more" / "annotations.json").exists(),
    reason="the shared instants recordings are not on this machine",
)


def _bench():
    spec = importlib.util.spec_from_file_location(
        "segmenter_quality", REPO / "bench" / "segmenter_quality.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


TINY = [
    "--set", "instants", "--recordings", "4", "--folds", "2", "--fold-ids", "0",
    "--seeds", "1", "--override", "train_epochs=2", "--override", "hidden_size=8",
    "--override", "fc_size=16",
]  # fmt: skip


def test_fold_table_runs_end_to_end_and_resumes_from_its_cache(tmp_path):
    bench = _bench()
    argv = [*TINY, "--shared", str(SHARED), "--out-dir", str(tmp_path)]
    report = bench.main(argv)

    (run,) = report["runs"]
    assert run["fold"] == 0 and run["seed"] == 0 and run["epochs_detail"][0] <= 2
    assert run["test_recordings"] == ["inst_dev_01.csv", "inst_dev_03.csv"]
    assert 0.0 <= run["event_f1"] <= 1.0 and run["true_events"] > 0
    summary = report["summary"]["event_f1"]
    assert summary["mean"] == summary["worst_seed"] == summary["worst_fold"] == run["event_f1"]
    assert "regions_per_true_event" in report["summary"]
    row = (tmp_path / "segmenter_quality.md").read_text().strip()
    assert row.startswith("| train_epochs=2 hidden_size=8 fc_size=16 | instants | 1 of 2 × 1 |")
    cache = json.loads((tmp_path / "segmenter_quality_runs.json").read_text())
    assert list(cache) == [run["key"]]

    cached = {**cache[run["key"]], "event_f1": 0.123}  # proves the second call reads the cache
    (tmp_path / "segmenter_quality_runs.json").write_text(json.dumps({run["key"]: cached}))
    again = bench.main(argv)
    assert again["runs"][0]["event_f1"] == 0.123

    # a table of what is cached, without training the missing seed
    partial = bench.main([*argv, "--seeds", "2", "--cached-only"])
    assert [r["seed"] for r in partial["runs"]] == [0]
    assert list(json.loads((tmp_path / "segmenter_quality_runs.json").read_text())) == [run["key"]]


def test_unknown_override_is_refused_before_training(tmp_path):
    bench = _bench()
    with pytest.raises(SystemExit, match="no_such_setting"):
        bench.main([*TINY, "--override", "no_such_setting=1", "--out-dir", str(tmp_path)])
    with pytest.raises(SystemExit, match="--folds"):
        bench.main(["--recordings", "4", "--folds", "5", "--shared", str(SHARED)])
    assert not list(tmp_path.iterdir())


def _decoders():
    spec = importlib.util.spec_from_file_location(
        "segmenter_decoders", REPO / "bench" / "segmenter_decoders.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_runs_keep_checkpoint_and_probabilities_that_decoders_rescore(tmp_path):

    from autolabel.segmenter import load_checkpoint, read_series_csv

    argv = [*TINY, "--shared", str(SHARED), "--out-dir", str(tmp_path)]
    (run,) = _bench().main(argv)["runs"]
    kept = tmp_path / "segmenter_quality_runs"
    probs = np.load(kept / f"{run['key']}.npz")
    assert sorted(probs.files) == run["test_recordings"]
    segmenter = load_checkpoint(kept / f"{run['key']}.pt")
    table = read_series_csv(
        SHARED / "data/instants/dev/inst_dev_03.csv", segmenter.channels, segmenter.time_column
    )
    np.testing.assert_array_equal(probs["inst_dev_03.csv"], segmenter.proba(table.values))

    overrides = [a for a in TINY if "=" in a]
    report = _decoders().main(
        [
            *[x for o in overrides for x in ("--override", o)],
            *("--folds", "2", "--thresholds", "0.6", "--shared", str(SHARED)),
            *("--out-dir", str(tmp_path), "--recordings", "4"),
        ]
    )
    (scored,) = report["runs"]
    # the run was decoded with the checkpoint's own peak picking at 0.6
    assert scored["scores"]["peaks@0.6"]["event_f1"] == run["event_f1"]
    assert set(scored["scores"]) == {"argmax", "peaks@0.6"}


def test_train_on_fold_learns_from_the_fold_and_tests_on_the_rest(tmp_path):
    bench = _bench()
    argv = [*TINY, "--recordings", "6", "--folds", "3", "--shared", str(SHARED)]
    report = bench.main([*argv, "--train-on-fold", "--out-dir", str(tmp_path)])
    (run,) = report["runs"]
    # fold 0 holds recordings 1 and 4: they train, the other four test
    assert run["test_recordings"] == [
        "inst_dev_02.csv", "inst_dev_03.csv", "inst_dev_05.csv", "inst_dev_06.csv"
    ]  # fmt: skip
    with pytest.raises(SystemExit, match="no cached runs"):  # not the usual layout's run
        bench.main([*argv, "--out-dir", str(tmp_path), "--cached-only"])
