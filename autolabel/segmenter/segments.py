"""Per-row probabilities -> segments: run-length grouping, smoothing, minimum duration, instants.

Everything here is numpy on whole arrays (no loop per row or per segment).
"""

from dataclasses import asdict, dataclass

import numpy as np

BACKGROUND_INDEX = 0


@dataclass(frozen=True)
class PostprocessConfig:
    """How rows become segments. The defaults change nothing (the example's behaviour).

    smooth_rows: width of the centred moving average applied to the probabilities before the
        per-row argmax of range labels (1 = none).
    min_run_rows: runs of one class (background included) shorter than this are given to the
        nearest longer run on either side (1 = keep every run).
    instant_gap_rows: rows of an instant label separated by fewer other rows are one event.
    instant_threshold: None: an event is a run of rows whose argmax is an instant class; a
        probability: peak picking, an event at each row whose summed instant probability
        reaches it, closer peaks than instant_gap_rows suppressed (see `peak_instants`).
    """

    smooth_rows: int = 1
    min_run_rows: int = 1
    instant_gap_rows: int = 1
    instant_threshold: float | None = None

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Segment:
    """Rows start_row..end_row (inclusive) of class `class_index`."""

    class_index: int
    start_row: int
    end_row: int
    instant: bool
    score: float


def runs(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Run-length encoding -> (first rows, last rows inclusive, values)."""
    labels = np.asarray(labels)
    if labels.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, labels[:0]
    change = np.flatnonzero(labels[1:] != labels[:-1]) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change - 1, [labels.size - 1]])
    return starts, ends, labels[starts]


def smooth(probs: np.ndarray, width: int) -> np.ndarray:
    """Centred moving average over `width` rows (shrinking at the edges), via cumulative sums."""
    n = probs.shape[0]
    if width <= 1 or n == 0:
        return probs
    half = width // 2
    csum = np.concatenate(
        [np.zeros((1, probs.shape[1])), np.cumsum(probs, axis=0, dtype=np.float64)]
    )
    lo = np.clip(np.arange(n) - half, 0, n)
    hi = np.clip(np.arange(n) + width - half, 0, n)
    return (csum[hi] - csum[lo]) / (hi - lo)[:, None]


def absorb_short_runs(labels: np.ndarray, min_rows: int) -> np.ndarray:
    """Give every run shorter than `min_rows` to the nearest row of a long enough run (ties go
    to the earlier one). When no run is long enough the labels are returned unchanged."""
    if min_rows <= 1 or labels.size == 0:
        return labels
    starts, ends, _ = runs(labels)
    lengths = ends - starts + 1
    keep = np.repeat(lengths >= min_rows, lengths)
    if not keep.any():
        return labels
    rows = np.arange(labels.size)
    prev_kept = np.maximum.accumulate(np.where(keep, rows, -1))
    next_kept = np.minimum.accumulate(np.where(keep, rows, labels.size)[::-1])[::-1]
    use_next = (prev_kept < 0) | ((next_kept < labels.size) & (next_kept - rows < rows - prev_kept))
    return labels[np.where(use_next, next_kept, prev_kept)]


def close_gaps(mask: np.ndarray, max_gap: int) -> np.ndarray:
    """Set to True the runs of False shorter than `max_gap` that lie between two True rows."""
    if max_gap <= 1 or not mask.any():
        return mask
    starts, ends, values = runs(mask)
    inner = (~values) & (starts > 0) & (ends < mask.size - 1) & (ends - starts + 1 < max_gap)
    lengths = ends - starts + 1
    return mask | np.repeat(inner, lengths)


def mean_over_rows(column: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Mean of `column` over rows starts[i]..ends[i] (inclusive) for every i."""
    csum = np.concatenate([[0.0], np.cumsum(column, dtype=np.float64)])
    return (csum[ends + 1] - csum[starts]) / (ends - starts + 1)


def peak_rows(column: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Row of the largest value of `column` inside each run (first one on ties)."""
    lengths = ends - starts + 1
    run_id = np.repeat(np.arange(starts.size), lengths)
    rows = _rows_of_runs(starts, lengths)
    order = np.lexsort((rows, -column[rows], run_id))
    first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return rows[order[first]]


def _rows_of_runs(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """All rows of the runs, run after run (index arithmetic, no loop)."""
    total = int(lengths.sum())
    run_first = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    within = np.arange(total) - np.repeat(run_first, lengths)
    return np.repeat(starts, lengths) + within


def instant_events(
    probs: np.ndarray, instant_classes: list[int], gap_rows: int, threshold: float | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One event per run of rows whose argmax is an instant class (runs closer than
    `gap_rows` merged, whichever instant class they show): -> (peak rows, classes, peak
    probabilities). The peak is the row where an instant class is most probable and the event
    takes that class, so an event whose rows flicker between two instant labels stays one
    event (gap_rows comes from the shortest distance between instants in training).
    With a `threshold`, `peak_instants` instead."""
    instant_classes = np.asarray(instant_classes, dtype=np.int64)
    if instant_classes.size == 0:  # range labels only: no argmax over every row
        return instant_classes, instant_classes, np.zeros(0)
    if threshold is not None:
        return peak_instants(probs, instant_classes, threshold, gap_rows)
    mask = close_gaps(np.isin(probs.argmax(axis=1), instant_classes), gap_rows)
    starts, ends, values = runs(mask)
    starts, ends = starts[values], ends[values]
    if starts.size == 0:
        return starts, starts, np.zeros(0)
    instant_probs = probs[:, instant_classes]
    peaks = peak_rows(instant_probs.max(axis=1), starts, ends)
    classes = instant_classes[instant_probs[peaks].argmax(axis=1)]
    return peaks, classes, probs[peaks, classes].astype(np.float64)


def peak_instants(
    probs: np.ndarray, instant_classes: np.ndarray, threshold: float, gap_rows: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Peak picking: candidates are the rows whose summed instant probability reaches
    `threshold`; highest first, each kept peak suppresses the candidates closer than
    `gap_rows` rows (non-maximum suppression). A peak takes its most probable instant class.
    -> (peak rows ascending, classes, their probabilities)."""
    score = probs[:, instant_classes].sum(axis=1)
    candidates = np.flatnonzero(score >= threshold)
    taken = np.zeros(score.size, dtype=bool)
    kept = []
    for row in candidates[np.argsort(-score[candidates], kind="stable")]:
        if not taken[row]:  # one loop step per candidate row: few rows pass the threshold
            kept.append(row)
            taken[max(0, row - gap_rows + 1) : row + gap_rows] = True
    peaks = np.sort(np.asarray(kept, dtype=np.int64))
    classes = instant_classes[probs[peaks][:, instant_classes].argmax(axis=1)]
    return peaks, classes, probs[peaks, classes].astype(np.float64)


def range_segments(probs: np.ndarray, labels: np.ndarray) -> list[Segment]:
    """Non-background runs of `labels`, scored by the mean probability of their class."""
    starts, ends, values = runs(labels)
    keep = values != BACKGROUND_INDEX
    starts, ends, values = starts[keep], ends[keep], values[keep]
    scores = np.zeros(starts.size)
    for k in np.unique(values):  # one pass per class, not per segment
        sel = values == k
        scores[sel] = mean_over_rows(probs[:, k], starts[sel], ends[sel])
    return [
        Segment(int(k), int(s), int(e), bool(s == e), float(p))
        for k, s, e, p in zip(values, starts, ends, scores, strict=True)
    ]


def range_labels(
    probs: np.ndarray, instant_classes: list[int], config: PostprocessConfig
) -> np.ndarray:
    """Row labels of the range classes: argmax of the smoothed probabilities in which the
    instant classes count as background, then short runs absorbed by their neighbours."""
    ranged = np.asarray(probs, dtype=np.float64)
    if instant_classes:
        ranged = ranged.copy()
        ranged[:, BACKGROUND_INDEX] += ranged[:, instant_classes].sum(axis=1)
        ranged[:, instant_classes] = 0.0
    labels = smooth(ranged, config.smooth_rows).argmax(axis=1)
    return absorb_short_runs(labels, config.min_run_rows)


def decode(
    probs: np.ndarray, instant_classes: list[int], config: PostprocessConfig
) -> list[Segment]:
    """Per-row probabilities (rows, classes) -> segments sorted by start row.

    Instant classes: one point per event at the peak of the instant probabilities (runs of
    instant argmax, merged over gaps shorter than instant_gap_rows; see `instant_events`).
    Range classes: see `range_labels`; background is dropped and a one-row range segment is
    marked instant.
    """
    probs = np.asarray(probs, dtype=np.float32)
    if probs.shape[0] == 0:
        return []
    events = instant_events(
        probs, instant_classes, config.instant_gap_rows, config.instant_threshold
    )
    segments = [
        Segment(int(k), int(r), int(r), True, float(p)) for r, k, p in zip(*events, strict=True)
    ]
    segments += range_segments(probs, range_labels(probs, instant_classes, config))
    return sorted(segments, key=lambda s: (s.start_row, s.class_index))


def row_confidence(probs: np.ndarray) -> np.ndarray:
    """How sure the model is of each row: the probability of its most likely class (float32;
    1/classes = a guess, 1 = certain)."""
    probs = np.asarray(probs, dtype=np.float32)
    if probs.shape[0] == 0:
        return np.zeros(0, dtype=np.float32)
    return probs.max(axis=1)


def normalised_entropy(probs: np.ndarray) -> float:
    """Mean per-row entropy divided by log(classes): 0 = certain, 1 = uniform."""
    probs = np.asarray(probs, dtype=np.float64)
    if probs.shape[0] == 0 or probs.shape[1] < 2:
        return 0.0
    p = np.clip(probs, 1e-12, 1.0)
    return float(np.mean(-(p * np.log(p)).sum(axis=1)) / np.log(probs.shape[1]))
