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


def test_bounds_from_gesture_orders_clamps_and_rounds_numeric():
    assert state.bounds_from_gesture(12.34567, 3.2, NUMERIC) == (3.2, 12.35)
    assert state.bounds_from_gesture(-5, 30, NUMERIC) == (0.0, 19.9)
    assert state.bounds_from_gesture(4.0, 4.0, NUMERIC) == (4.0, 4.0)  # an instant


def test_bounds_from_gesture_index_files_use_whole_rows():
    assert state.bounds_from_gesture(10.4, 2.6, INDEX) == (3, 10)


def test_bounds_from_gesture_datetime_keeps_the_files_zone_marker():
    start, end = state.bounds_from_gesture("2024-01-01 00:10:00.5", "2024-01-01 00:05", DATES)
    assert (start, end) == ("2024-01-01T00:05:00Z", "2024-01-01T00:10:00.500000Z")
    # rounded to a tenth of the 1 s sampling step
    start, _ = state.bounds_from_gesture("2024-01-01 00:05:00.0558", "2024-01-01 00:06", DATES)
    assert start == "2024-01-01T00:05:00.100000Z"
    start, end = state.bounds_from_gesture("2023-12-31 23:00", "2024-01-01 00:01", DATES_NAIVE)
    assert start == "2024-01-01T00:00:00" and end == "2024-01-01T00:01:00"


def test_numeric_decimals_follow_the_sampling_rate():
    assert state.numeric_decimals({**NUMERIC, "sampling_rate": 10.0}) == 2
    assert state.numeric_decimals({**NUMERIC, "sampling_rate": 1000.0}) == 4
    assert state.numeric_decimals({**NUMERIC, "sampling_rate": None}) == 6
    assert state.numeric_decimals(INDEX) == 0


@pytest.mark.parametrize(
    ("relayout", "expected"),
    [
        ({"xaxis.range[0]": 2.0, "xaxis.range[1]": 5.0}, [2.0, 5.0]),
        ({"xaxis3.range[0]": 2.0, "xaxis3.range[1]": 5.0}, [2.0, 5.0]),  # a stacked row
        ({"xaxis6.range": [1.0, 4.0]}, [1.0, 4.0]),  # the range slider
        ({"xaxis.range": [-3.0, 40.0]}, [0.0, 19.9]),  # panned past both ends
        ({"xaxis.autorange": True}, [0.0, 19.9]),
        ({"xaxis2.autorange": True, "xaxis2.showspikes": False}, [0.0, 19.9]),
        ({"autosize": True}, None),
        ({"selections": []}, None),
        ({"dragmode": "pan"}, None),
        ({"yaxis.range[0]": 1, "yaxis.range[1]": 2}, None),
        (None, None),
    ],
)
def test_view_from_relayout(relayout, expected):
    assert state.view_from_relayout(relayout, NUMERIC) == expected


def test_view_from_relayout_datetime_axes():
    relayout = {"xaxis.range[0]": "2024-01-01 00:10:00", "xaxis.range[1]": "2024-01-01 00:20:00"}
    assert state.view_from_relayout(relayout, DATES) == [
        "2024-01-01T00:10:00Z",
        "2024-01-01T00:20:00Z",
    ]


def test_fetch_range_is_a_little_wider_inside_the_file():
    assert state.fetch_range([5.0, 15.0], NUMERIC) == [4.0, 16.0]
    assert state.fetch_range([0.0, 19.9], NUMERIC) == [0.0, 19.9]
    start, end = state.fetch_range(["2024-01-01T00:10:00Z", "2024-01-01T00:20:00Z"], DATES)
    assert (start, end) == ("2024-01-01T00:09:00Z", "2024-01-01T00:21:00Z")


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


def test_table_edit_fields_only_changes_in_api_types():
    current = _annotation("a", 1.0, 2.0, description="x")
    row = {"label": "Walk", "start": "1,5", "end": 2.0, "description": "x"}
    assert state.table_edit_fields(row, current, "numeric") == {"start": 1.5}
    row = {"label": "Run", "start": 1.0, "end": 2.0, "description": None}
    assert state.table_edit_fields(row, current, "numeric") == {"label": "Run", "description": ""}
    assert state.table_edit_fields({"start": "nonsense"}, current, "numeric") == {
        "start": "nonsense"  # the service refuses it with a clear message
    }
    assert state.table_edit_fields({"end": 7.0}, _annotation("i", 3, 5), "index") == {"end": 7}


def test_store_apply_push_applies_newer_changes_only():
    store = state.store_snapshot(
        file_id=1, version=4, saved_version=4, annotations=[_annotation("a", 1.0, 2.0)]
    )
    old = {"version": 4, "changed": {"a": None}}
    assert state.store_apply_push(store, old) is store
    newer = {"version": 5, "changed": {"a": None, "b": _annotation("b", 3.0, 4.0)}}
    after = state.store_apply_push(store, newer)
    assert after["version"] == 5 and list(after["annotations"]) == ["b"]


def test_annotation_overlaps_view():
    annotation = _annotation("a", 5.0, 8.0)
    assert state.annotation_overlaps(annotation, [7.0, 9.0], "numeric")
    assert not state.annotation_overlaps(annotation, [8.5, 9.0], "numeric")
    assert state.annotation_overlaps(annotation, None, "numeric")


# ---- undo / redo


def test_history_record_caps_and_drops_redo():
    history = state.history_empty(1)
    history = {**history, "redo": [[{"id": "x", "before": None, "after": None}]]}
    for number in range(state.HISTORY_LIMIT + 5):
        history = state.history_record(history, 1, [{"id": str(number), "before": None}])
    assert len(history["undo"]) == state.HISTORY_LIMIT and history["redo"] == []
    assert history["undo"][-1] == [{"id": str(state.HISTORY_LIMIT + 4), "before": None}]


def test_history_is_per_file():
    history = state.history_record(None, 1, [{"id": "a", "before": None, "after": None}])
    entry, other = state.history_take(history, 2, "undo")
    assert entry is None and other == state.history_empty(2)


def test_revert_changes_of_create_update_delete():
    created = _annotation("a", 1.0, 2.0, version=1)
    before = _annotation("b", 1.0, 2.0, version=3)
    after = {**before, "label": "Run", "version": 4}
    deleted = _annotation("c", 5.0, 6.0, version=2)
    entry = [
        {"id": "a", "before": None, "after": created},
        {"id": "b", "before": before, "after": after},
        {"id": "c", "before": deleted, "after": None},
    ]
    changes = state.revert_changes(entry)
    assert [(c.op, c.annotation_id, c.expected_version) for c in changes] == [
        ("create", "c", None),
        ("update", "b", 4),
        ("delete", "a", 1),
    ]
    assert changes[1].annotation["label"] == "Walk"
    assert "version" not in changes[1].annotation and "id" not in changes[0].annotation


def test_entry_flipped_describes_the_revert_for_redo():
    created = _annotation("a", 1.0, 2.0, version=1)
    entry = [{"id": "a", "before": None, "after": created}]
    flipped = state.entry_flipped(entry, {"a": None})
    assert flipped == [{"id": "a", "before": created, "after": None}]
    # reverting the flipped entry creates it again
    assert [c.op for c in state.revert_changes(flipped)] == ["create"]


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
