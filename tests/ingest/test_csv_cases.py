"""Every case of the shared bad-input catalogue (tests/csv_cases.py) through ingest_csv."""

import json

import numpy as np
import pytest

from labeler.ingest import IngestError, ingest_csv, open_series
from tests.csv_cases import CSV_CASES

CREATED = [case for case in CSV_CASES if case.outcome == "created"]
REJECTED = [case for case in CSV_CASES if case.outcome == "rejected"]


@pytest.mark.parametrize("case", CREATED, ids=[case.id for case in CREATED])
def test_created_case(case, tmp_path):
    source = case.write(tmp_path)
    result = ingest_csv(source, tmp_path / "cache", **case.options)
    for expected in case.warnings:
        assert any(expected in warning for warning in result.warnings), (expected, result.warnings)
    for attribute in ("rows", "time_kind", "time_start", "time_end"):
        expected = getattr(case, attribute)
        if expected is not None:
            assert getattr(result, attribute) == expected, attribute
    if case.channels is not None:
        assert tuple(result.channels) == case.channels
    json.dumps(result.as_dict())  # JSON-serialisable as is
    series = open_series(tmp_path / "cache")
    assert series.rows == result.rows and series.channels == result.channels
    assert len(series.time) == result.rows
    assert np.all(np.diff(series.time) > 0)
    for name in result.channels:
        assert series.channel(name).shape == (result.rows,)


@pytest.mark.parametrize("case", REJECTED, ids=[case.id for case in REJECTED])
def test_rejected_case(case, tmp_path):
    source = case.write(tmp_path)
    with pytest.raises(IngestError) as caught:
        ingest_csv(source, tmp_path / "cache", **case.options)
    error = caught.value
    assert case.error in error.message
    assert error.code == case.code
    assert str(error) == error.message
    json.dumps(error.as_dict())
    assert sorted(p.name for p in tmp_path.iterdir()) == [case.file_name]  # nothing left behind


def test_catalogue_covers_the_spec_list():
    ids = {case.id for case in CSV_CASES}
    for needed in (
        "cp1252_text",
        "utf16_bom",
        "semicolon_decimal_comma",
        "tab_delimited",
        "utf8_bom_crlf",
        "thousands_comma",
        "thousands_dot_decimal_comma",
        "nan_and_blank_cells",
        "iso_utc_z",
        "iso_offset_plus_two",
        "epoch_seconds",
        "epoch_milliseconds",
        "no_time_column",
        "one_data_row",
        "unsorted_times",
        "empty_file",
        "header_only",
        "no_numeric_channel",
        "binary_png",
        "binary_nul_bytes",
        "duplicate_times",
        "unparseable_time",
        "mixed_date_formats",
        "missing_channel",
        "missing_time_column",
    ):
        assert needed in ids
