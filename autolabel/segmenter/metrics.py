"""Per-row classification metrics in numpy (confusion matrix, balanced accuracy, F1)."""

from collections.abc import Sequence

import numpy as np


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Rows: true class, columns: predicted class; entries with y_true < 0 are ignored."""
    keep = np.asarray(y_true) >= 0
    t, p = np.asarray(y_true)[keep], np.asarray(y_pred)[keep]
    return np.bincount(t * n_classes + p, minlength=n_classes * n_classes).reshape(
        n_classes, n_classes
    )


def classification_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, class_names: Sequence[str]
) -> dict:
    """Balanced accuracy (mean recall over the classes present in y_true), F1 per class, and
    the worst and mean F1 over the classes present in y_true or y_pred. A class that is present
    but never predicted correctly counts with F1 = 0."""
    n = len(class_names)
    cm = confusion_matrix(y_true, y_pred, n)
    tp = np.diag(cm).astype(np.float64)
    support, predicted = cm.sum(axis=1), cm.sum(axis=0)
    present = support > 0
    counted = present | (predicted > 0)
    recall = np.divide(tp, support, out=np.zeros(n), where=present)
    f1 = np.divide(2 * tp, support + predicted, out=np.zeros(n), where=counted)
    return {
        "rows": int(cm.sum()),
        "accuracy": float(tp.sum() / max(1, cm.sum())),
        "balanced_accuracy": float(recall[present].mean()) if present.any() else 0.0,
        "macro_f1": float(f1[counted].mean()) if counted.any() else 0.0,
        "min_class_f1": float(f1[counted].min()) if counted.any() else 0.0,
        "per_class_f1": {
            name: (float(f1[k]) if counted[k] else None) for k, name in enumerate(class_names)
        },
    }
