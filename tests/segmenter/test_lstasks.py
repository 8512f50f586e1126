"""Label Studio tasks and CSVs -> recordings: annotation choice, times -> rows."""

import json

import numpy as np
import pytest

from autolabel.segmenter import DataError, parse_label_config, read_series_csv, select_annotation
from autolabel.segmenter.lstasks import csv_name, rows_of_region, task_regions

from .conftest import FIXTURES

CONFIG = parse_label_config((FIXTURES / "ls_example_label_config.xml").read_text())


def _result(label, start, end, instant=False):
    return {
        "from_name": CONFIG.from_name,
        "to_name": CONFIG.to_name,
        "type": "timeserieslabels",
        "value": {"start": start, "end": end, "instant": instant, "timeserieslabels": [label]},
    }


def test_ground_truth_wins_over_more_recent_annotations():
    task = {
        "annotations": [
            {"id": 1, "ground_truth": True, "updated_at": "2024-01-01T00:00:00Z", "result": []},
            {"id": 2, "updated_at": "2025-01-01T00:00:00Z", "result": [_result("Run", 0, 5)]},
        ]
    }
    assert select_annotation(task)["id"] == 1


def test_most_recent_non_cancelled_annotation_otherwise():
    task = {
        "annotations": [
            {"id": 1, "updated_at": "2024-01-01T00:00:00Z", "result": []},
            {"id": 2, "updated_at": "2024-06-01T00:00:00Z", "result": []},
            {"id": 3, "updated_at": "2025-01-01T00:00:00Z", "was_cancelled": True, "result": []},
        ]
    }
    assert select_annotation(task)["id"] == 2
    assert select_annotation({"annotations": []}) is None


def test_ls_example_task_maps_to_rows():
    table = read_series_csv(FIXTURES / "ls_example_time_series.csv", CONFIG.channels, "time")
    task = json.loads((FIXTURES / "ls_example_annotations.json").read_text())[0]
    regions = task_regions(task, CONFIG, table)
    assert [(r.label, r.start_row, r.end_row, r.instant) for r in regions] == [
        ("Run", 0, 40, False),
        ("Walk", 60, 85, False),
    ]
    assert csv_name(task, CONFIG) == "time_series.csv"


@pytest.mark.parametrize(
    "ref",
    ["file.csv", "/data/upload/3/file.csv", "http://host/data/file.csv?token=1", "s3://b/file.csv"],
)
def test_csv_name_is_the_base_name(ref):
    assert csv_name({"data": {"csv_url": ref}}, CONFIG) == "file.csv"


def test_region_times_to_rows():
    table = read_series_csv(FIXTURES / "inst_dev_01.csv", ["acc_x"], "time")
    assert rows_of_region({"start": 6.66, "end": 6.66, "instant": True}, table) == (333, 333, True)
    assert rows_of_region({"start": 1.0, "end": 1.1}, table) == (50, 55, False)
    assert rows_of_region({"start": 1.001, "end": 1.009}, table) == (50, 50, False)


def test_datetime_time_column(tmp_path):
    path = tmp_path / "dt.csv"
    path.write_text(
        "when,x\n2024-01-01T00:00:00Z,1\n2024-01-01T00:00:01Z,2\n2024-01-01T00:00:02Z,3\n"
    )
    table = read_series_csv(path, ["x"], "when")
    assert table.time_kind == "datetime" and table.times[0] == "2024-01-01T00:00:00Z"
    assert rows_of_region(
        {"start": "2024-01-01T00:00:01Z", "end": "2024-01-01T00:00:02Z"}, table
    ) == (1, 2, False)


def test_csv_errors(tmp_path):
    with pytest.raises(DataError, match="not found"):
        read_series_csv(tmp_path / "none.csv", ["x"], None)
    path = tmp_path / "a.csv"
    path.write_text("time,x\n0,1\n1,2\n")
    with pytest.raises(DataError, match="missing column"):
        read_series_csv(path, ["y"], "time")
    path.write_text("time,x\n1,1\n0,2\n")
    with pytest.raises(DataError, match="not sorted"):
        read_series_csv(path, ["x"], "time")
    path.write_text("time,x\n0,a\n1,b\n")
    with pytest.raises(DataError, match="numeric"):
        read_series_csv(path, ["x"], "time")


def test_no_time_column_uses_row_index(tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("x\n1\n2\n3\n")
    table = read_series_csv(path, ["x"], None)
    assert table.time_kind == "index" and table.times is None
    assert np.array_equal(table.time_numbers, [0, 1, 2])
