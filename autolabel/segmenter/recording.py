"""Recordings in memory: channel values plus labeled regions given in rows."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .segments import BACKGROUND_INDEX, PostprocessConfig, runs

IGNORE_INDEX = -1  # row label of padding rows (no loss, no metric)


@dataclass(frozen=True)
class Region:
    """A labeled region: rows start_row..end_row inclusive; an instant has start == end."""

    label: str
    start_row: int
    end_row: int
    instant: bool = False


@dataclass
class Recording:
    """One recording: float32 values (rows, channels) and its labeled regions (rows)."""

    name: str
    values: np.ndarray
    regions: list[Region] = field(default_factory=list)

    def __post_init__(self):
        self.values = np.ascontiguousarray(self.values, dtype=np.float32)
        if self.values.ndim == 1:
            self.values = self.values[:, None]
        if self.values.ndim != 2:
            raise ValueError(f"{self.name}: values must be (rows, channels)")
        self.regions = [as_region(r) for r in self.regions]

    @property
    def n_rows(self) -> int:
        return self.values.shape[0]


def as_region(item) -> Region:
    """A Region from a Region or a tuple (label, start_row, end_row[, instant])."""
    if isinstance(item, Region):
        return item
    label, start, end, *rest = item
    instant = bool(rest[0]) if rest else start == end
    return Region(str(label), int(start), int(end), instant)


def row_labels(recording: Recording, class_index: dict[str, int]) -> np.ndarray:
    """Class index per row (0 = background); later regions overwrite earlier ones. Regions with
    labels outside `class_index` are ignored; rows are clipped to the recording."""
    labels = np.zeros(recording.n_rows, dtype=np.int64)
    for region in recording.regions:
        k = class_index.get(region.label)
        if k is None:
            continue
        start = max(0, min(region.start_row, region.end_row))
        end = min(recording.n_rows - 1, max(region.start_row, region.end_row))
        labels[start : end + 1] = k
    return labels


def label_kinds(recordings: Iterable[Recording], labels: Sequence[str]) -> dict[str, str]:
    """range / instant / both for each label, from how the regions use it (range by default)."""
    seen: dict[str, set[bool]] = {label: set() for label in labels}
    for recording in recordings:
        for region in recording.regions:
            if region.label in seen:
                seen[region.label].add(region.instant)
    kinds = {}
    for label, flags in seen.items():
        kinds[label] = (
            "both" if flags == {True, False} else "instant" if flags == {True} else "range"
        )
    return kinds


def _inner_run_lengths(labels: np.ndarray) -> np.ndarray:
    """Lengths of the runs that do not touch either end of the recording (complete runs)."""
    starts, ends, _ = runs(labels)
    inner = (starts > 0) & (ends < labels.size - 1)
    return (ends - starts + 1)[inner]


def derive_postprocess(
    row_label_arrays: Sequence[np.ndarray], instant_classes: Sequence[int], sequence_size: int
) -> PostprocessConfig:
    """Smoothing and minimum durations learned from the training labels.

    min_run_rows: half the shortest complete run (labeled range or background between ranges)
    seen in training, at most one window; smooth_rows: about half of that (odd);
    instant_gap_rows: half the shortest distance between two instants, at most one window.
    """
    range_runs, instant_gaps = [], []
    for labels in row_label_arrays:
        ranged = np.where(np.isin(labels, instant_classes), BACKGROUND_INDEX, labels)
        if (ranged != BACKGROUND_INDEX).any():
            range_runs.append(_inner_run_lengths(ranged))
        instant_rows = np.flatnonzero(np.isin(labels, instant_classes))
        instant_gaps.append(np.diff(instant_rows)[np.diff(instant_rows) > 1])
    shortest_run = _smallest(range_runs)
    shortest_gap = _smallest(instant_gaps)
    min_run = 1 if shortest_run is None else int(np.clip(shortest_run // 2, 1, sequence_size))
    gap = 1 if shortest_gap is None else int(np.clip(shortest_gap // 2, 1, sequence_size))
    return PostprocessConfig(
        smooth_rows=max(1, min_run // 2) | 1, min_run_rows=min_run, instant_gap_rows=gap
    )


def _smallest(arrays: list[np.ndarray]) -> int | None:
    values = np.concatenate(arrays) if arrays else np.zeros(0, dtype=np.int64)
    return int(values.min()) if values.size else None
