"""Vectorised windowing and overlap averaging against a naive loop written the example's way."""

import numpy as np
import pytest
import torch

from autolabel.segmenter.model import NetworkParams, TimeSeriesLSTM
from autolabel.segmenter.windows import (
    coverage_counts,
    row_probabilities,
    short_window,
    training_window_starts,
    window_starts,
)


def _model(size: int, channels: int = 3, classes: int = 4) -> TimeSeriesLSTM:
    torch.manual_seed(0)
    params = NetworkParams(channels, classes, fc_size=16, hidden_size=8, sequence_size=size)
    return TimeSeriesLSTM(params).eval()


def naive_starts(n_rows, size):
    step = max(1, int(size * 0.5))
    starts = list(range(0, n_rows - size + 1, step))
    if starts[-1] + size < n_rows:
        starts.append(n_rows - size)
    return starts


def naive_probabilities(model, x, size):
    """The example's predict_with_overlap_averaging, one window at a time (None where the
    example returns fewer rows than the recording has)."""
    x = torch.as_tensor(x)
    n = len(x)
    with torch.no_grad():
        if n < size:
            pad = size - n
            if n > 1:
                window = torch.cat([x.flip(0)[: pad // 2 + pad % 2], x, x.flip(0)[: pad // 2]])
            else:
                window = torch.zeros(size, x.shape[1])
                window[pad // 2 : pad // 2 + n] = x
            out = torch.softmax(model(window[None]), -1)[0][pad // 2 : pad // 2 + n]
            return out if len(out) == n else None
        total = torch.zeros(n, model.fc_output.out_features)
        counts = torch.zeros(n)
        for start in naive_starts(n, size):
            probs = torch.softmax(model(x[start : start + size][None]), -1)[0]
            total[start : start + size] += probs
            counts[start : start + size] += 1
        return total / counts[:, None]


ROWS = [1, 2, 3, 16, 17, 20, 24, 25, 26, 33, 49, 50, 51, 75, 100, 101, 125, 137, 1000]


@pytest.mark.parametrize("size", [50, 7, 2])
@pytest.mark.parametrize("n_rows", ROWS)
def test_window_starts_match_the_example(n_rows, size):
    if n_rows < size:
        with pytest.raises(ValueError):
            window_starts(n_rows, size)
        return
    assert window_starts(n_rows, size).tolist() == naive_starts(n_rows, size)


@pytest.mark.parametrize("size", [50, 7])
@pytest.mark.parametrize("n_rows", ROWS)
def test_probabilities_match_naive_loop(n_rows, size):
    model = _model(size)
    x = np.random.default_rng(n_rows).normal(size=(n_rows, 3)).astype(np.float32)
    ours = row_probabilities(model, x, sequence_size=size, batch_windows=3)
    assert ours.shape == (n_rows, 4) and ours.dtype == torch.float32
    assert torch.allclose(ours.sum(dim=1), torch.ones(n_rows), atol=1e-5)
    expected = naive_probabilities(model, x, size)
    if expected is not None:
        assert torch.allclose(ours, expected, atol=1e-6)


@pytest.mark.parametrize("n_rows", [2, 5, 8, 9])
def test_very_short_recording_is_mirrored_to_a_full_window(n_rows):
    """Where the example returns too few rows, the window is filled by mirroring instead."""
    size = 50
    index, offset = short_window(n_rows, size)
    assert len(index) == size
    assert index[offset : offset + n_rows].tolist() == list(range(n_rows))
    model = _model(size)
    x = np.random.default_rng(1).normal(size=(n_rows, 3)).astype(np.float32)
    with torch.no_grad():
        window = torch.as_tensor(np.pad(x, ((offset, size - n_rows - offset), (0, 0)), "symmetric"))
        expected = torch.softmax(model(window[None]), -1)[0][offset : offset + n_rows]
    assert torch.allclose(row_probabilities(model, x, sequence_size=size), expected, atol=1e-6)


def test_empty_recording():
    assert row_probabilities(_model(50), np.zeros((0, 3)), sequence_size=50).shape == (0, 4)


@pytest.mark.parametrize("batch_windows", [1, 2, 64, 10_000])
def test_batch_size_does_not_change_the_result(batch_windows):
    model = _model(20)
    x = np.random.default_rng(2).normal(size=(333, 3)).astype(np.float32)
    reference = row_probabilities(model, x, sequence_size=20, batch_windows=7)
    ours = row_probabilities(model, x, sequence_size=20, batch_windows=batch_windows)
    assert torch.allclose(ours, reference, atol=1e-6)


def test_model_mode_is_restored():
    model = _model(20).train()
    row_probabilities(model, np.zeros((40, 3), np.float32), sequence_size=20)
    assert model.training


@pytest.mark.parametrize("n_rows, size", [(50, 50), (51, 50), (100, 50), (1000, 50), (37, 7)])
def test_coverage_counts_match_a_loop(n_rows, size):
    starts = window_starts(n_rows, size)
    expected = np.zeros(n_rows, dtype=np.int64)
    for start in starts:
        expected[start : start + size] += 1
    assert coverage_counts(starts, size, n_rows).tolist() == expected.tolist()


@pytest.mark.parametrize("n_rows, offset", [(20, 0), (21, 0), (100, 0), (100, 9), (107, 3)])
def test_training_windows_stay_inside_the_recording(n_rows, offset):
    starts = training_window_starts(n_rows, 20, 10, offset)
    assert starts.min() >= 0 and starts.max() + 20 == n_rows
    covered = np.zeros(n_rows, bool)
    for start in starts:
        covered[start : start + 20] = True
    assert covered[min(offset, n_rows - 20) :].all()
