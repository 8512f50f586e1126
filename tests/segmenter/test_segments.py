"""Rows -> segments: run-length grouping, smoothing, minimum duration and instants vs loops."""

import numpy as np
import pytest

from autolabel.segmenter.segments import (
    PostprocessConfig,
    absorb_short_runs,
    close_gaps,
    decode,
    normalised_entropy,
    peak_rows,
    runs,
    smooth,
)

LABEL_CASES = [
    [0],
    [3],
    [0, 0, 1, 1, 0],
    [2] * 7,
    [0, 1] * 4,
    [1, 1, 1, 0, 2, 2, 0, 0, 0, 1],
    list(np.random.default_rng(0).integers(0, 3, 200)),
]


def naive_runs(labels):
    out = []
    for i, label in enumerate(labels):
        if out and out[-1][2] == label:
            out[-1][1] = i
        else:
            out.append([i, i, label])
    return [tuple(r) for r in out]


def naive_absorb(labels, min_rows):
    spans = naive_runs(labels)
    kept = [i for s, e, _ in spans if e - s + 1 >= min_rows for i in range(s, e + 1)]
    if not kept:
        return list(labels)
    out = []
    for i in range(len(labels)):
        nearest = min(kept, key=lambda k: (abs(k - i), k))  # tie -> earlier row
        out.append(labels[nearest])
    return out


@pytest.mark.parametrize("labels", LABEL_CASES)
def test_runs_match_naive_loop(labels):
    starts, ends, values = runs(np.array(labels))
    assert list(zip(starts.tolist(), ends.tolist(), values.tolist(), strict=True)) == naive_runs(
        labels
    )


def test_runs_of_nothing():
    starts, ends, values = runs(np.array([], dtype=np.int64))
    assert starts.size == ends.size == values.size == 0


@pytest.mark.parametrize("min_rows", [1, 2, 3, 5])
@pytest.mark.parametrize("labels", LABEL_CASES)
def test_absorb_short_runs_matches_naive_loop(labels, min_rows):
    ours = absorb_short_runs(np.array(labels), min_rows)
    assert ours.tolist() == naive_absorb(list(labels), min_rows)


def test_flicker_inside_a_segment_is_absorbed():
    labels = np.array([0] * 10 + [1] * 20 + [0, 2] + [1] * 20 + [0] * 10)
    assert absorb_short_runs(labels, 5).tolist() == [0] * 10 + [1] * 42 + [0] * 10


@pytest.mark.parametrize("width", [1, 2, 3, 5, 8])
def test_smooth_matches_naive_moving_average(width):
    probs = np.random.default_rng(1).random((30, 3))
    half = width // 2
    expected = np.array(
        [probs[max(0, i - half) : min(30, i + width - half)].mean(axis=0) for i in range(30)]
    )
    assert np.allclose(smooth(probs, width), expected)


def test_close_gaps():
    mask = np.array([0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 0], dtype=bool)
    assert close_gaps(mask, 3).astype(int).tolist() == [0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0]


def test_peak_rows_takes_the_first_maximum_of_each_run():
    column = np.array([0.1, 0.5, 0.9, 0.9, 0.2, 0.3, 0.8, 0.1])
    assert peak_rows(column, np.array([0, 5]), np.array([4, 7])).tolist() == [2, 6]


def _probs(labels, n_classes, confidence=0.8):
    probs = np.full((len(labels), n_classes), (1 - confidence) / (n_classes - 1))
    probs[np.arange(len(labels)), labels] = confidence
    return probs.astype(np.float32)


def test_default_decoding_is_plain_run_length_grouping():
    labels = [0, 0, 1, 1, 1, 0, 2, 0, 1, 1]
    segments = decode(_probs(labels, 3), [], PostprocessConfig())
    assert [(s.class_index, s.start_row, s.end_row, s.instant) for s in segments] == [
        (1, 2, 4, False),
        (2, 6, 6, True),  # one row: an instant
        (1, 8, 9, False),
    ]
    assert all(abs(s.score - 0.8) < 1e-6 for s in segments)


def test_instant_label_gives_one_point_per_event_at_the_peak():
    labels = np.zeros(40, dtype=int)
    labels[[10, 11, 12]] = 1  # one event, three rows
    labels[[25, 27]] = 1  # flicker: one event
    probs = _probs(labels, 2)
    probs[11, 1], probs[11, 0] = 0.97, 0.03
    probs[27, 1], probs[27, 0] = 0.9, 0.1
    segments = decode(probs, [1], PostprocessConfig(instant_gap_rows=3))
    assert [(s.start_row, s.end_row, s.instant) for s in segments] == [
        (11, 11, True),
        (27, 27, True),
    ]
    assert segments[0].score == pytest.approx(0.97)


def test_an_event_flickering_between_two_instant_labels_stays_one_event():
    labels = np.zeros(40, dtype=int)
    labels[[10, 11]] = 1  # rows of one event shared by two instant labels
    labels[12] = 2
    labels[30] = 2  # a separate event, far enough away
    probs = _probs(labels, 3, confidence=0.5)
    probs[12] = [0.1, 0.3, 0.6]  # the event's peak: label 2
    segments = decode(probs, [1, 2], PostprocessConfig(instant_gap_rows=3))
    assert [(s.class_index, s.start_row, s.instant) for s in segments] == [
        (2, 12, True),
        (2, 30, True),
    ]
    assert segments[0].score == pytest.approx(0.6)


def test_instant_labels_never_become_ranges():
    labels = np.zeros(50, dtype=int)
    labels[5:15] = 2  # a long run of an instant label: still one point
    segments = decode(_probs(labels, 3), [2], PostprocessConfig())
    assert [(s.class_index, s.start_row == s.end_row) for s in segments] == [(2, True)]


def test_minimum_duration_drops_spurious_short_segments():
    labels = np.array([0] * 20 + [1] * 30 + [2] * 2 + [1] * 30 + [0] * 3 + [2] * 20)
    segments = decode(_probs(labels, 3), [], PostprocessConfig(min_run_rows=5))
    assert [(s.class_index, s.start_row, s.end_row) for s in segments] == [
        (1, 20, 83),  # the 3-row gap is split between its neighbours (tie -> earlier)
        (2, 84, 104),
    ]


def test_smoothing_removes_alternating_flicker():
    labels = np.array([0] * 20 + [1, 2] * 15 + [0] * 20)
    probs = _probs(labels, 3, confidence=0.5)
    probs[20:50, 1] += 0.1  # class 1 slightly more likely over the whole block
    segments = decode(probs / probs.sum(1, keepdims=True), [], PostprocessConfig(smooth_rows=5))
    assert [(s.class_index, s.start_row, s.end_row) for s in segments] == [(1, 20, 49)]


def test_segment_score_is_mean_probability_of_its_class():
    probs = _probs(np.array([0, 1, 1, 1, 0]), 2)
    probs[1:4, 1] = [0.6, 0.7, 0.8]
    probs[1:4, 0] = 1 - probs[1:4, 1]
    (segment,) = decode(probs, [], PostprocessConfig())
    assert segment.score == pytest.approx(0.7)


def test_normalised_entropy():
    assert normalised_entropy(np.full((5, 4), 0.25)) == pytest.approx(1.0)
    assert normalised_entropy(np.eye(3)) == pytest.approx(0.0, abs=1e-9)
    assert normalised_entropy(np.zeros((0, 3))) == 0.0


def _instant_probs(rows: int, events: list[tuple[int, float, float]]) -> np.ndarray:
    """Background everywhere except (row, Fall probability, Stumble probability)."""
    probs = np.zeros((rows, 3), dtype=np.float32)
    probs[:, 0] = 1.0
    for row, fall, stumble in events:
        probs[row] = [1 - fall - stumble, fall, stumble]
    return probs


def test_peak_picking_keeps_the_highest_peak_within_the_gap():
    events = [(3, 0.6, 0.1), (5, 0.2, 0.7), (12, 0.3, 0.1), (16, 0.45, 0.0), (19, 0.3, 0.0)]
    probs = _instant_probs(22, events)
    config = PostprocessConfig(instant_gap_rows=3, instant_threshold=0.4)
    segments = decode(probs, [1, 2], config)
    # rows 3 and 5 are closer than 3 rows: the higher sum (row 5, 0.9) stays, as a Stumble;
    # rows 12 (0.4) and 16 (0.45) reach the threshold, row 19 (0.3) does not
    assert [(s.start_row, s.class_index, s.instant) for s in segments] == [
        (5, 2, True),
        (12, 1, True),
        (16, 1, True),
    ]
    assert segments[0].score == pytest.approx(0.7)


def test_peak_picking_drops_the_weak_peaks_that_argmax_runs_keep():
    # row 8: background 0.45, Fall 0.55 (argmax says Fall); row 20: a clear Fall
    probs = _instant_probs(30, [(8, 0.55, 0.0), (20, 0.95, 0.0)])
    by_argmax = decode(probs, [1, 2], PostprocessConfig(instant_gap_rows=3))
    by_peaks = decode(probs, [1, 2], PostprocessConfig(instant_gap_rows=3, instant_threshold=0.6))
    assert [s.start_row for s in by_argmax] == [8, 20]
    assert [s.start_row for s in by_peaks] == [20]


def test_peak_picking_finds_an_event_split_between_two_instant_labels():
    # Fall 0.35 + Stumble 0.3 at one row: background wins the argmax, the instants' sum 0.65
    probs = _instant_probs(10, [(4, 0.35, 0.3)])
    assert decode(probs, [1, 2], PostprocessConfig()) == []
    (event,) = decode(probs, [1, 2], PostprocessConfig(instant_threshold=0.6))
    assert (event.start_row, event.class_index, event.instant) == (4, 1, True)
