"""Validation metrics in numpy: per-row counts for ranges and background, events for instants.

Counts are per class: true positives, false positives, false negatives. Balanced accuracy is the
mean recall over the classes present in the ground truth; the worst-class F1 and macro F1 are
taken over the classes present in the ground truth or the output (a class present but never
found counts with F1 = 0).
"""

from collections.abc import Sequence

import numpy as np

from .segments import BACKGROUND_INDEX, PostprocessConfig, instant_events, range_labels, runs


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Rows: true class, columns: predicted class; entries with y_true < 0 are ignored."""
    keep = np.asarray(y_true) >= 0
    t, p = np.asarray(y_true)[keep], np.asarray(y_pred)[keep]
    return np.bincount(t * n_classes + p, minlength=n_classes * n_classes).reshape(
        n_classes, n_classes
    )


def row_counts(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(3, classes): tp, fp, fn per class over rows."""
    cm = confusion_matrix(y_true, y_pred, n_classes)
    tp = np.diag(cm)
    return np.stack([tp, cm.sum(axis=0) - tp, cm.sum(axis=1) - tp])


def matched_events(true_rows: np.ndarray, pred_rows: np.ndarray, tolerance: int) -> int:
    """One-to-one matches between true and predicted event rows within +-tolerance rows,
    closest pairs first."""
    true_rows, pred_rows = np.sort(true_rows), np.sort(pred_rows)
    lo = np.searchsorted(true_rows, pred_rows - tolerance, side="left")
    hi = np.searchsorted(true_rows, pred_rows + tolerance, side="right")
    per_pred = hi - lo
    pred_idx = np.repeat(np.arange(pred_rows.size), per_pred)
    first = np.concatenate([[0], np.cumsum(per_pred)[:-1]]) if per_pred.size else per_pred
    true_idx = np.repeat(lo, per_pred) + np.arange(per_pred.sum()) - np.repeat(first, per_pred)
    distance = np.abs(true_rows[true_idx] - pred_rows[pred_idx])
    used_true, used_pred = set(), set()
    for k in np.argsort(distance, kind="stable"):  # candidate pairs only, few
        t, p = int(true_idx[k]), int(pred_idx[k])
        if t not in used_true and p not in used_pred:
            used_true.add(t)
            used_pred.add(p)
    return len(used_true)


def _event_rows(mask: np.ndarray) -> np.ndarray:
    starts, ends, values = runs(mask)
    return (starts[values] + ends[values]) // 2


def output_counts(
    truth: np.ndarray,
    probs: np.ndarray,
    instant_classes: Sequence[int],
    postprocess: PostprocessConfig,
    tolerance: int,
) -> np.ndarray:
    """(3, classes) counts of what prediction delivers for one recording: rows of the decoded
    ranges (instants count as background there) and events of the instant classes."""
    n_classes = probs.shape[1]
    instant_classes = list(instant_classes)
    ranged_truth = np.where(np.isin(truth, instant_classes), BACKGROUND_INDEX, truth)
    counts = row_counts(ranged_truth, range_labels(probs, instant_classes, postprocess), n_classes)
    peaks, classes, _ = instant_events(probs, instant_classes, postprocess.instant_gap_rows)
    for k in instant_classes:
        true_rows = _event_rows(truth == k)
        pred_rows = peaks[classes == k]
        tp = matched_events(true_rows, pred_rows, tolerance)
        counts[:, k] = [tp, pred_rows.size - tp, true_rows.size - tp]
    return counts


def metrics_from_counts(counts: np.ndarray, class_names: Sequence[str]) -> dict:
    tp, fp, fn = (np.asarray(c, dtype=np.float64) for c in counts)
    present = tp + fn > 0
    counted = present | (tp + fp > 0)
    recall = np.divide(tp, tp + fn, out=np.zeros_like(tp), where=present)
    f1 = np.divide(2 * tp, 2 * tp + fp + fn, out=np.zeros_like(tp), where=counted)
    return {
        "balanced_accuracy": float(recall[present].mean()) if present.any() else 0.0,
        "macro_f1": float(f1[counted].mean()) if counted.any() else 0.0,
        "min_class_f1": float(f1[counted].min()) if counted.any() else 0.0,
        "per_class_f1": {
            name: (float(f1[k]) if counted[k] else None) for k, name in enumerate(class_names)
        },
    }


def classification_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str]
) -> dict:
    """Per-row metrics of two label arrays (rows with y_true < 0 ignored)."""
    return metrics_from_counts(row_counts(y_true, y_pred, len(class_names)), class_names)
