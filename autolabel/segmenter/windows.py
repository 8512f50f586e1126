"""Windows over a recording and per-row probabilities averaged over the windows covering a row.

The window starts are exactly the Label Studio example's (so a checkpoint of the example gives
the same probabilities here): windows of `sequence_size` rows, a step of half a window, the last
window aligned to the end of the recording. Every window is gathered by index arithmetic, the
network runs on a bounded number of windows at a time and the softmax outputs are summed into the
rows with `index_add_`, so memory stays flat as recordings grow.
"""

import numpy as np
import torch
from torch import nn

PAD = -1  # row index of a zero row in a padded short window


def window_step(sequence_size: int) -> int:
    return max(1, sequence_size // 2)


def window_starts(n_rows: int, sequence_size: int) -> np.ndarray:
    """Start rows of the windows of a recording with at least `sequence_size` rows."""
    if n_rows < sequence_size:
        raise ValueError(f"{n_rows} rows is shorter than one window of {sequence_size}")
    starts = np.arange(0, n_rows - sequence_size + 1, window_step(sequence_size))
    if starts[-1] + sequence_size < n_rows:
        starts = np.append(starts, n_rows - sequence_size)
    return starts


def coverage_counts(starts: np.ndarray, sequence_size: int, n_rows: int) -> np.ndarray:
    """How many windows cover each row (difference array, no loop)."""
    delta = np.bincount(starts, minlength=n_rows + 1)
    delta = delta - np.bincount(starts + sequence_size, minlength=n_rows + 1)
    return np.cumsum(delta)[:n_rows]


def short_window(n_rows: int, sequence_size: int) -> tuple[np.ndarray, int]:
    """Row indices of the single window of a recording shorter than a window, and the offset
    of the recording's first output row in it.

    One row: zero padding around it (PAD entries), as the example does. Otherwise the example's
    padding: the last rows in reverse order before and after the recording, its output taken
    from `pad // 2` (which for an odd pad reads one row early; kept for identical results).
    When the recording is so short that the example would return fewer rows than it has, the
    window is filled by repeated mirroring instead and read at the recording's own position.
    """
    pad = sequence_size - n_rows
    if n_rows == 1:
        index = np.full(sequence_size, PAD, dtype=np.int64)
        index[pad // 2] = 0
        return index, pad // 2
    backwards = np.arange(n_rows - 1, -1, -1)
    index = np.concatenate(
        [backwards[: pad // 2 + pad % 2], np.arange(n_rows), backwards[: pad // 2]]
    )
    if pad // 2 + n_rows <= len(index):
        return index, pad // 2
    before = pad // 2 + pad % 2
    return np.pad(np.arange(n_rows), (before, pad // 2), mode="symmetric"), before


def _forward_probabilities(model: nn.Module, windows: torch.Tensor) -> torch.Tensor:
    return torch.softmax(model(windows), dim=-1)


def _short_probabilities(model, values, sequence_size):
    index, offset = short_window(values.shape[0], sequence_size)
    rows = torch.as_tensor(index, device=values.device)
    window = values[rows.clamp(min=0)] * (rows >= 0).unsqueeze(1)
    probs = _forward_probabilities(model, window.unsqueeze(0))[0]
    return probs[offset : offset + values.shape[0]]


def _long_probabilities(model, values, sequence_size, batch_windows):
    n_rows = values.shape[0]
    starts = window_starts(n_rows, sequence_size)
    offsets = torch.arange(sequence_size, device=values.device)
    starts_t = torch.as_tensor(starts, device=values.device)
    total = None
    for first in range(0, len(starts), batch_windows):  # one pass per batch of windows
        rows = starts_t[first : first + batch_windows, None] + offsets
        probs = _forward_probabilities(model, values[rows])
        if total is None:
            total = torch.zeros((n_rows, probs.shape[-1]), dtype=probs.dtype, device=probs.device)
        total.index_add_(0, rows.reshape(-1), probs.reshape(-1, probs.shape[-1]))
    counts = torch.as_tensor(coverage_counts(starts, sequence_size, n_rows), device=total.device)
    return total / counts.unsqueeze(1).to(total.dtype)


def row_probabilities(
    model: nn.Module,
    values: np.ndarray | torch.Tensor,
    *,
    sequence_size: int,
    batch_windows: int = 64,
    device: torch.device | str | None = None,
) -> torch.Tensor:
    """Per-row class probabilities (rows, classes), float32 on the CPU.

    `values` are the model's input rows (rows, channels). The model runs in eval mode on
    `device` (default: where its parameters are) and is put back in its previous mode.
    """
    device = torch.device(device) if device else next(model.parameters()).device
    x = torch.as_tensor(values, dtype=torch.float32).to(device)
    n_classes = model.fc_output.out_features
    if x.shape[0] == 0:
        return torch.zeros((0, n_classes), dtype=torch.float32)
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            if x.shape[0] < sequence_size:
                probs = _short_probabilities(model, x, sequence_size)
            else:
                probs = _long_probabilities(model, x, sequence_size, batch_windows)
    finally:
        model.train(was_training)
    return probs.float().cpu()


def training_window_starts(
    n_rows: int, sequence_size: int, step: int, offset: int = 0
) -> np.ndarray:
    """Start rows of training windows inside one recording of `n_rows` >= sequence_size rows:
    every `step` rows from `offset`, plus one window aligned to the end."""
    last = n_rows - sequence_size
    starts = np.arange(min(offset, last), last + 1, step)
    if starts[-1] != last:
        starts = np.append(starts, last)
    return starts
