"""Pure state transitions of the labeling screen (labeler/dash_ui/state.py)."""

import pytest

from labeler.dash_ui import state

NUMERIC = {
    "id": 1,
    "time_kind": "numeric",
    "time_start": 0.0,
    "time_end": 19.9,
    "sampling_rate": 10.0,
}
INDEX = {"id": 2, "time_kind": "index", "time_start": 0, "time_end": 999, "sampling_rate": None}
DATES = {
    "id": 3,
    "time_kind": "datetime",
    "time_start": "2024-01-01T00:00:00Z",
    "time_end": "2024-01-01T01:00:00Z",
    "sampling_rate": 1.0,
}
DATES_NAIVE = {**DATES, "time_start": "2024-01-01T00:00:00", "time_end": "2024-01-01T01:00:00"}


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("?project=3&file=12", (3, 12)),
        ("project=3", (3, None)),
        ("", (None, None)),
        (None, (None, None)),
        ("?project=abc&file=-1", (None, None)),
        ("?file=7", (None, 7)),
    ],
)
def test_selection_from_query(search, expected):
    assert state.selection_from_query(search) == expected


def _annotation(annotation_id, start, end, **extra):
    return {
        "id": annotation_id,
        "label": "Walk",
        "start": start,
        "end": end,
        "instant": start == end,
        "description": "",
        "source": "manual",
        "score": None,
        "version": 1,
        **extra,
    }


def test_table_rows_sorted_by_start_with_model_scores():
    store = state.store_snapshot(
        file_id=1,
        version=3,
        saved_version=None,
        annotations=[
            _annotation("b", 5.0, 6.0, source="net-1", score=0.87654),
            _annotation("a", 1.0, 1.0),
        ],
    )
    rows = state.table_rows(store, "numeric")
    assert [r["id"] for r in rows] == ["a", "b"]
    assert rows[0]["kind"] == "instant" and rows[0]["score"] is None
    assert rows[1]["source"] == "net-1" and rows[1]["score"] == 0.877


# ---- undo / redo


@pytest.mark.parametrize(
    ("value", "kind", "text"),
    [
        (1.5, "numeric", "1.5"),
        (3.0, "numeric", "3"),
        (12, "index", "12"),
        ("2024-01-01T00:00:01Z", "datetime", "2024-01-01 00:00:01"),
        (None, "numeric", ""),
    ],
)
def test_format_time(value, kind, text):
    assert state.format_time(value, kind) == text
