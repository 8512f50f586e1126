"""bench/segmenter_quality.py end to end on a tiny subset, so that the fold table cannot rot."""

import importlib.util
import json
from pathlib import Path

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


def test_unknown_override_is_refused_before_training(tmp_path):
    bench = _bench()
    with pytest.raises(SystemExit, match="no_such_setting"):
        bench.main([*TINY, "--override", "no_such_setting=1", "--out-dir", str(tmp_path)])
    with pytest.raises(SystemExit, match="--folds"):
        bench.main(["--recordings", "4", "--folds", "5", "--shared", str(SHARED)])
    assert not list(tmp_path.iterdir())
