"""A model's per-row confidence, kept beside the columnar cache (docs/data-format.md).

An auto-label run gives each row a confidence (the probability of its most likely class). Kept
per row it would be as large as a channel; kept here is the minimum of every bucket of
``BUCKET_ROWS`` rows (float32, ``cache/confidence.npy``: 6 MB for 100M rows), so an uncertain
row is never hidden by its confident neighbours. ``confidence_window`` answers it at a chosen
number of bins as a ``Window`` (one point per bin: the bin's minimum at the time of its first
row), so the data endpoint's serialisers write it.
"""

import os
import tempfile
from pathlib import Path

import numpy as np

from .series import ColumnarSeries
from .window import Window

BUCKET_ROWS = 64
CONFIDENCE_FILE = "confidence.npy"
CHANNEL = "confidence"
# Rows the model is less sure of than this are "uncertain": the strip's threshold line and the
# share that ranks "Label next" (docs/decisions.md, "Review by confidence").
UNCERTAIN_BELOW = 0.8
MAX_BINS = 65_536


def confidence_fields() -> dict:
    """What an answer of the confidence says beside the window: its bucket size and threshold."""
    return {"bucket_rows": BUCKET_ROWS, "threshold": UNCERTAIN_BELOW}


def confidence_buckets(row_confidence: np.ndarray) -> np.ndarray:
    """The minimum of every ``BUCKET_ROWS`` rows (the last bucket may be shorter), float32."""
    values = np.asarray(row_confidence, dtype=np.float32)
    if not len(values):
        return np.zeros(0, dtype=np.float32)
    return np.minimum.reduceat(values, np.arange(0, len(values), BUCKET_ROWS))


def uncertain_share(row_confidence: np.ndarray, threshold: float = UNCERTAIN_BELOW) -> float:
    """The share (0..1) of rows the model is less sure of than ``threshold``."""
    values = np.asarray(row_confidence)
    return float(np.count_nonzero(values < threshold) / len(values)) if len(values) else 0.0


def confidence_path(cache_dir) -> Path:
    return Path(cache_dir) / CONFIDENCE_FILE


def confidence_write(cache_dir, buckets: np.ndarray) -> None:
    """Write the buckets through a temporary file renamed over the last run's: a reader sees
    the old run's or the new one's, never a half."""
    target = confidence_path(cache_dir)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".confidence.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            np.save(out, np.asarray(buckets, dtype="<f4"))
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def confidence_read(cache_dir) -> np.ndarray | None:
    """The buckets of the last auto-label run (memory-mapped), None when there was none."""
    try:
        return np.load(confidence_path(cache_dir), mmap_mode="r")
    except FileNotFoundError:
        return None


def confidence_window(series: ColumnarSeries, buckets: np.ndarray, bins: int) -> Window:
    """The whole file's confidence in at most ``bins`` bins of (about) equal row counts: each
    bin's minimum, at the time of the bin's first row."""
    if isinstance(bins, bool) or not isinstance(bins, int | np.integer) or bins < 1:
        raise ValueError(f"bins must be a whole number of at least 1, not {bins!r}.")
    count = min(len(buckets), -(-series.rows // BUCKET_ROWS))
    if count == 0:
        raise ValueError("The file has no rows.")
    opens = np.unique(np.arange(min(bins, count), dtype=np.int64) * count // min(bins, count))
    minima = np.minimum.reduceat(np.asarray(buckets[:count], dtype=np.float32), opens)
    rows = opens * BUCKET_ROWS
    axis = rows.astype(np.float64) if series.time_kind == "index" else np.asarray(series.time[rows])
    return Window(
        series=series,
        axis=axis,
        values={CHANNEL: minima},
        rows=series.rows,
        first_row=0,
        last_row=series.rows - 1,
        max_points=int(bins),
        downsampled=len(opens) < series.rows,
        aggregated=False,
    )
