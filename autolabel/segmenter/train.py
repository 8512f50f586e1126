"""Training: windows per recording, class weights, validation by recording, early stop.

Decisions (see docs/segmenter.md):
- Validation data are whole recordings (a seeded choice of about `validation_fraction` of them
  that leaves every class in training); with one recording, its last `validation_fraction` of
  rows. Windows never cross recordings, nor the train/validation cut.
- Each epoch trains on every window that holds a labeled row and a fresh random share
  (`background_window_share`, a quarter) of the windows of pure background; the class weights
  come from the rows an epoch is expected to draw, so the loss keeps its class balance.
- Early stop: after each epoch the validation recordings are predicted like any file (same
  windows, averaging and postprocessing) and scored on what is delivered (rows for ranges,
  events for instants). Training may stop only once the validation balanced accuracy and
  worst-class F1 reach their thresholds; it then goes on while the validation result improves
  (macro F1; within `f1_tolerance` of the best F1, the lower balanced validation loss) and
  stops `patience` epochs after the best epoch, whose weights are kept; no epoch before
  `min_best_epoch` is kept. The kept network then trains on every recording for a quarter of
  the best epoch count (final fit "continue"; "refit": a fresh network for that many epochs).
- Inputs are centred per channel and scaled by one pooled std of the training rows, widened
  for spiky data so that the LayerNorm after the first layer keeps the spikes' size; the
  class weights' prior shift is partly removed (logit adjustment, share chosen on validation).
  Both are folded into `fc_input` / `fc_output`, so the checkpoint takes raw values and
  predicts the same in the Label Studio example.
"""

import copy
import dataclasses
import platform
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from .checkpoint import BACKGROUND, CheckpointContents, Normalization
from .infer import Segmenter, fill_gaps, pick_device
from .metrics import metrics_from_counts, output_counts
from .model import NetworkParams, TimeSeriesLSTM
from .progress import FINAL_FIT, TRAINING, VALIDATING, ProgressCallback, ProgressPlan
from .recording import IGNORE_INDEX, Recording, derive_postprocess, label_kinds, row_labels
from .windows import row_probabilities, training_window_starts, window_starts, window_step

CancelCheck = Callable[[], bool] | threading.Event


class TrainingCancelled(Exception):
    """Raised by `train` when the cancel check answered True."""


class TrainingDataError(ValueError):
    """The recordings or labels cannot be trained on; the message says why."""


@dataclass(frozen=True)
class TrainingConfig:
    """Training parameters; the first six carry the names of the example's settings."""

    train_epochs: int = 100
    sequence_size: int = 50
    hidden_size: int = 64
    balanced_accuracy_threshold: float = 0.85
    min_class_f1_threshold: float = 0.70
    use_class_weights: bool = True
    seed: int = 0
    learning_rate: float = 1e-3
    weight_decay: float = 1e-5
    dropout_rate: float = 0.3
    fc_size: int = 128
    num_layers: int = 2
    batch_size: int = 16
    validation_fraction: float = 0.2
    patience: int = 10
    # validation macro F1 within this of the best so far counts as equal: the lower validation
    # loss then decides (one validation recording's F1 moves by this much from epoch to epoch)
    f1_tolerance: float = 0.005
    train_window_step: int | None = None  # rows between training windows; None: half a window
    # share of the windows without any labeled row that an epoch trains on (drawn anew each
    # epoch); windows with a labeled row are always used. 1.0: every window.
    background_window_share: float = 0.25
    input_scaling: str = "global"  # "channel", "global" or "none" (see input_normalization)
    # the scale is widened until at most 0.1 % of the scaled values exceed this size (spiky
    # data; see input_normalization); None: the standard deviation alone
    input_peak_limit: float | None = 4.0
    # share of the class weights' prior shift removed at prediction (logit adjustment):
    # 0 = none, 1 = calibrated probabilities, None = chosen on the validation recordings
    logit_adjustment: float | None = None
    refit: bool = True  # after validation, a final fit on every recording (see final_fit)
    # "continue": the kept network trains on, for `continue_share` of the best epoch count (at
    # least one epoch); "refit": a fresh network for the best epoch count
    final_fit: str = "continue"
    continue_share: float = 0.25
    # validation: epochs before this one are never kept as the best (a validation set that is
    # already perfect after a few epochs says nothing about the recordings it does not hold)
    min_best_epoch: int = 20
    # prediction of instant labels: peak picking at this summed instant probability (stored in
    # the checkpoint's postprocess; validation keeps the argmax runs); None: argmax runs
    instant_threshold: float | None = 0.6
    instant_tolerance_rows: int = 2  # validation: an instant found within this many rows counts
    grad_clip: float = 1.0
    device: str | None = None  # None: CUDA when available, else CPU

    def __post_init__(self):
        positive = ("train_epochs", "sequence_size", "hidden_size", "fc_size", "num_layers")
        for name in (*positive, "batch_size", "patience"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive integer")
        if self.sequence_size < 2:
            raise ValueError("sequence_size must be at least 2")
        if self.train_window_step is not None and self.train_window_step < 1:
            raise ValueError("train_window_step must be a positive integer (or None)")
        if not 0.0 < self.validation_fraction < 1.0:
            raise ValueError("validation_fraction must be between 0 and 1")
        if self.logit_adjustment is not None and not 0.0 <= self.logit_adjustment <= 1.0:
            raise ValueError("logit_adjustment must be between 0 and 1 (or None)")
        if self.input_scaling not in ("channel", "global", "none"):
            raise ValueError("input_scaling must be 'channel', 'global' or 'none'")
        if self.input_peak_limit is not None and not self.input_peak_limit > 0:
            raise ValueError("input_peak_limit must be positive (or None)")
        if not 0.0 < self.background_window_share <= 1.0:
            raise ValueError("background_window_share must be in (0, 1]")
        if not 0.0 <= self.f1_tolerance < 1.0:
            raise ValueError("f1_tolerance must be in [0, 1)")
        if not 0.0 <= self.dropout_rate < 1.0:
            raise ValueError("dropout_rate must be in [0, 1)")
        if self.final_fit not in ("refit", "continue"):
            raise ValueError("final_fit must be 'refit' or 'continue'")
        if not 0.0 < self.continue_share <= 1.0:
            raise ValueError("continue_share must be in (0, 1]")
        if not isinstance(self.min_best_epoch, int) or self.min_best_epoch < 0:
            raise ValueError("min_best_epoch must be a non-negative integer")
        if self.instant_threshold is not None and not 0.0 < self.instant_threshold <= 1.0:
            raise ValueError("instant_threshold must be in (0, 1] (or None)")


@dataclass
class _Part:
    """Rows (normalised later) and row labels of one recording or a block of it."""

    name: str
    values: np.ndarray
    labels: np.ndarray


@dataclass
class _Split:
    train: list[_Part]
    validation: list[_Part]
    method: str  # "recordings", "tail" or "none"


# ------------------------------------------------------------------------ data preparation


def _check_inputs(recordings: Sequence[Recording], labels: Sequence[str]) -> None:
    if not recordings:
        raise TrainingDataError("no recordings to train on")
    if not labels or len(set(labels)) != len(labels) or BACKGROUND in labels:
        raise TrainingDataError(f"labels must be unique, non-empty and not {BACKGROUND!r}")
    widths = {r.values.shape[1] for r in recordings}
    if len(widths) != 1:
        raise TrainingDataError(f"recordings have different channel counts: {sorted(widths)}")
    if all(r.n_rows == 0 for r in recordings):
        raise TrainingDataError("the recordings have no rows")


def _classes(labels: np.ndarray) -> set[int]:
    return set(np.unique(labels[labels > 0]).tolist())


def _choose_validation(parts: list[_Part], n_val: int, seed: int) -> list[int]:
    """Indices of validation recordings: of 32 seeded draws, the first that keeps every class
    in training and puts the most classes into validation."""
    rng = np.random.default_rng(seed)
    every = set().union(*(_classes(p.labels) for p in parts))
    best, best_key = None, None
    for _ in range(32):
        chosen = sorted(rng.permutation(len(parts))[:n_val].tolist())
        train_classes = set().union(
            *(_classes(p.labels) for i, p in enumerate(parts) if i not in chosen)
        )
        val_classes = set().union(*(_classes(parts[i].labels) for i in chosen))
        key = (train_classes == every, len(val_classes))
        if best_key is None or key > best_key:
            best, best_key = chosen, key
    return best


def split_recordings(parts: list[_Part], config: TrainingConfig) -> _Split:
    """Validation by recording; a single recording gives its tail block (see module doc)."""
    if len(parts) >= 2:
        n_val = min(len(parts) - 1, max(1, round(config.validation_fraction * len(parts))))
        chosen = _choose_validation(parts, n_val, config.seed)
        train = [p for i, p in enumerate(parts) if i not in chosen]
        return _Split(train, [parts[i] for i in chosen], "recordings")
    only = parts[0]
    n_tail = int(round(config.validation_fraction * len(only.values)))
    if n_tail < config.sequence_size or len(only.values) - n_tail < config.sequence_size:
        return _Split([only], [], "none")
    cut = len(only.values) - n_tail
    head = _Part(only.name, only.values[:cut], only.labels[:cut])
    tail = _Part(only.name + " (tail)", only.values[cut:], only.labels[cut:])
    return _Split([head], [tail], "tail")


PEAK_PERCENTILE = 99.9


def input_normalization(
    parts: list[_Part], scaling: str, peak_limit: float | None
) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel mean and a scale from the training rows.

    "channel": each channel's own std; "global": one pooled std for all channels (keeps the
    channels' relative sizes, e.g. three axes of one accelerometer); "none": identity.

    With `peak_limit`, the scale is then widened, if needed, so that the 99.9th percentile of
    the scaled |values| is at most `peak_limit`. The network's first layer is Linear, ReLU,
    LayerNorm: an input many times larger than the layer's bias reaches the LSTM as its
    direction only, so a 2 g and a 4 g spike of 10-17 std look alike. Data with Gaussian-like
    tails (99.9th percentile at 3.3 std) keep their std; spiky data are scaled down until
    their peaks stay in the range where size is kept.
    """
    n_channels = parts[0].values.shape[1]
    if scaling == "none":
        return np.zeros(n_channels), np.ones(n_channels)
    rows = np.concatenate([p.values for p in parts]).astype(np.float64)
    mean = rows.mean(axis=0)
    std = rows.std(axis=0)
    if scaling == "global":
        std = np.full(n_channels, np.sqrt(np.mean(std**2)))
    std = np.where(std > 1e-6 * np.maximum(1.0, np.abs(mean)), std, 1.0)
    if peak_limit is not None:
        rows -= mean
        rows /= std
        np.abs(rows, out=rows)  # in place: training sets may hold millions of rows
        peak = float(np.percentile(rows, PEAK_PERCENTILE, overwrite_input=True))
        std = std * max(1.0, peak / peak_limit)
    return mean, std


def _stack_for_windows(parts: list[_Part], size: int):
    """Concatenate the parts, each padded to at least one window (pad rows: value 0, label
    IGNORE_INDEX) -> (values, labels, first row of each part, rows of each part)."""
    values, labels, bases, lengths, base = [], [], [], [], 0
    for part in parts:
        pad = max(0, size - len(part.values))
        values.append(np.pad(part.values, ((0, pad), (0, 0))))
        labels.append(np.pad(part.labels, (0, pad), constant_values=IGNORE_INDEX))
        bases.append(base)
        lengths.append(len(part.values) + pad)
        base += lengths[-1]
    return np.concatenate(values), np.concatenate(labels), np.array(bases), np.array(lengths)


def class_weights(labels: np.ndarray, n_classes: int) -> np.ndarray:
    """Inverse row frequency: total / (classes present * rows of the class); 0 if absent."""
    return _inverse_frequency(np.bincount(labels[labels >= 0], minlength=n_classes))


def _inverse_frequency(counts: np.ndarray) -> np.ndarray:
    counts = np.asarray(counts, dtype=np.float64)
    present = counts > 0
    weights = np.zeros(len(counts))
    weights[present] = counts.sum() / (present.sum() * counts[present])
    return weights


# ------------------------------------------------------------------------ the loop


def _cancelled(should_cancel: CancelCheck | None) -> bool:
    if should_cancel is None:
        return False
    if isinstance(should_cancel, threading.Event):
        return should_cancel.is_set()
    return bool(should_cancel())


def _epoch_windows(bases, lengths, rng, config: TrainingConfig, labeled_rows):
    """Window starts (global rows) of one epoch: per part, a random offset then every
    `train_window_step` rows (half a window), plus one window at the part's end; windows with
    no labeled row are kept with probability `background_window_share`; shuffled.

    labeled_rows: cumulative count of labeled rows (`_labeled_rows`, length rows + 1).
    """
    size = config.sequence_size
    step = config.train_window_step or window_step(size)
    starts = _stacked_window_starts(bases, lengths, size, step, lambda: int(rng.integers(0, step)))
    share = config.background_window_share
    if share < 1.0:
        labeled = labeled_rows[starts + size] - labeled_rows[starts] > 0
        starts = starts[labeled | (rng.random(len(starts)) < share)]
    return rng.permutation(starts)


def _stacked_window_starts(bases, lengths, size, step, offset) -> np.ndarray:
    return np.concatenate(
        [
            base + training_window_starts(int(n), size, step, offset())
            for base, n in zip(bases, lengths, strict=True)
        ]
    )


def _labeled_rows(labels: np.ndarray) -> np.ndarray:
    return np.concatenate([[0], np.cumsum(labels > 0)])


def sampled_class_weights(
    labels: np.ndarray, labeled_rows, bases, lengths, config: TrainingConfig, n_classes: int
) -> np.ndarray:
    """Class weights (as `class_weights`) from the rows an epoch is expected to train on when
    only a share of the background-only windows is drawn, so the loss keeps its class balance.
    The random phase of each epoch makes every window start equally likely."""
    size = config.sequence_size
    starts = _stacked_window_starts(bases, lengths, size, 1, lambda: 0)
    has_label = labeled_rows[starts + size] - labeled_rows[starts] > 0
    keep = np.where(has_label, 1.0, config.background_window_share)
    counts = np.zeros(n_classes)
    for c in range(n_classes):
        rows_of_c = np.concatenate([[0], np.cumsum(labels == c)])
        counts[c] = keep @ (rows_of_c[starts + size] - rows_of_c[starts])
    return _inverse_frequency(counts)


def _run_epoch(model, optimizer, criterion, data, starts, config, device, should_cancel, on_batch):
    """One pass over `starts`; on_batch(done, batches) after every batch -> mean loss."""
    x_all, y_all = data
    offsets = torch.arange(config.sequence_size, device=device)
    model.train()
    total, batches = 0.0, 0
    n_batches = -(-len(starts) // config.batch_size)
    for first in range(0, len(starts), config.batch_size):
        if _cancelled(should_cancel):
            raise TrainingCancelled("training was cancelled")
        rows = torch.as_tensor(starts[first : first + config.batch_size], device=device)
        rows = rows[:, None] + offsets
        logits = model(x_all[rows])
        loss = criterion(logits.reshape(-1, logits.shape[-1]), y_all[rows].reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), max_norm=config.grad_clip)
        optimizer.step()
        total += float(loss.detach())
        batches += 1
        on_batch(batches, n_batches)
    return total / max(1, batches)


ADJUSTMENT_GRID = (0.0, 0.25, 0.5, 0.75, 1.0)


def logit_offsets(weights: np.ndarray, config: TrainingConfig, scale: float) -> np.ndarray:
    """-scale * log(class weight) per class: added to the output bias, it removes that share of
    the prior shift the weighted loss causes (logit adjustment); 0 for absent classes."""
    if not config.use_class_weights:
        return np.zeros(len(weights))
    return -scale * np.log(np.where(weights > 0, weights, 1.0))


def _epoch_scale(config: TrainingConfig) -> float:
    return 0.5 if config.logit_adjustment is None else config.logit_adjustment


def _tuned_scale(fit: "_Fit", problem: "_Problem") -> float:
    """The fixed share, or the grid value with the best validation macro F1 (ties: nearest to
    0.5). Without validation data: 0.5."""
    config = problem.config
    if config.logit_adjustment is not None:
        return config.logit_adjustment
    if not fit.val_parts or not config.use_class_weights:
        return 0.5
    scores = {
        scale: _validate(
            fit.model, fit.val_parts, problem, logit_offsets(fit.weights, config, scale)
        )["macro_f1"]
        for scale in ADJUSTMENT_GRID
    }
    best = max(scores.values())
    return min((abs(s - 0.5), s) for s, v in scores.items() if v >= best - 1e-9)[1]


@contextmanager
def _output_bias_shifted(model: TimeSeriesLSTM, offsets: np.ndarray):
    shift = torch.as_tensor(
        offsets, dtype=model.fc_output.bias.dtype, device=model.fc_output.bias.device
    )
    with torch.no_grad():
        model.fc_output.bias += shift
    try:
        yield model
    finally:
        with torch.no_grad():
            model.fc_output.bias -= shift


def _prediction_windows(n_rows: int, size: int) -> int:
    return len(window_starts(n_rows, size)) if n_rows >= size else 1


def _validate(model, parts, problem, offsets) -> dict | None:
    """Score what prediction delivers on the validation parts (see metrics.output_counts)."""
    if not parts:
        return None
    config = problem.config
    n_classes = len(problem.class_names)
    counts = np.zeros((3, n_classes), dtype=np.int64)
    nll_sum, nll_rows = np.zeros(n_classes), np.zeros(n_classes)
    for part in parts:
        problem.forward_windows += _prediction_windows(len(part.values), config.sequence_size)
        with _output_bias_shifted(model, offsets):
            probs = row_probabilities(
                model, part.values, sequence_size=config.sequence_size, device=problem.device
            ).numpy()
        rows = part.labels >= 0
        truth = part.labels[rows]
        nll = -np.log(np.clip(probs[rows][np.arange(truth.size), truth], 1e-12, 1.0))
        nll_sum += np.bincount(truth, weights=nll, minlength=n_classes)
        nll_rows += np.bincount(truth, minlength=n_classes)
        counts += output_counts(
            part.labels,
            probs,
            problem.instant_classes,
            problem.postprocess,
            config.instant_tolerance_rows,
        )
    metrics = metrics_from_counts(counts, problem.class_names)
    present = nll_rows > 0
    metrics["balanced_nll"] = float(np.mean(nll_sum[present] / nll_rows[present]))
    return metrics


class _EarlyStop:
    """Best-epoch tracking and the stop rule described in the module docstring."""

    def __init__(self, config: TrainingConfig):
        self.config = config
        self.best_epoch = 0
        self.best_state = None
        self.best_metrics = None
        self.top_f1 = 0.0  # the highest validation macro F1 so far
        self.thresholds_met = False

    def update(self, epoch: int, metrics: dict | None, model: nn.Module) -> bool:
        """Record this epoch; True when training should stop."""
        if metrics is None:  # no validation data: keep the last epoch
            self.best_epoch, self.best_state = epoch, None
            return False
        met = (
            metrics["balanced_accuracy"] >= self.config.balanced_accuracy_threshold
            and metrics["min_class_f1"] >= self.config.min_class_f1_threshold
        )
        self.thresholds_met = self.thresholds_met or met
        if epoch < min(self.config.min_best_epoch, self.config.train_epochs):
            return False
        self.top_f1 = max(self.top_f1, metrics["macro_f1"])
        if self._is_best(metrics["macro_f1"], metrics["balanced_nll"]):
            self.best_epoch, self.best_metrics = epoch, metrics
            self.best_state = copy.deepcopy(model.state_dict())
        return self.thresholds_met and epoch - self.best_epoch >= self.config.patience

    def _is_best(self, f1: float, nll: float) -> bool:
        """Epochs whose macro F1 is within `f1_tolerance` of the highest so far are equals (F1
        differences that small are noise); among them the lower validation loss wins. An epoch
        in that band also wins when a higher F1 has left the kept epoch outside it."""
        if self.best_metrics is None:
            return True
        floor = self.top_f1 - self.config.f1_tolerance - 1e-9
        if f1 < floor:
            return False
        return self.best_metrics["macro_f1"] < floor or nll < self.best_metrics["balanced_nll"]


# ------------------------------------------------------------------------ entry point


def load_training_runtime() -> None:
    """Import what a training otherwise imports on its first optimizer: torch's Adam pulls in
    torch._dynamo, 3-7 s on a busy 2-core machine, which delayed the first epoch's progress
    report. A worker that trains calls this once when it starts."""
    torch.optim.Adam([nn.Parameter(torch.zeros(1))])


def _network_params(config: TrainingConfig, n_channels: int, n_classes: int) -> NetworkParams:
    return NetworkParams(
        input_size=n_channels,
        output_size=n_classes,
        fc_size=config.fc_size,
        hidden_size=config.hidden_size,
        num_layers=config.num_layers,
        sequence_size=config.sequence_size,
        learning_rate=config.learning_rate,
        weight_decay=config.weight_decay,
        dropout_rate=config.dropout_rate,
    )


def fold_normalization(state: dict, mean: np.ndarray, std: np.ndarray) -> dict:
    """fc_input(x - mean) / std) == fc_input'(x): scale the weights, shift the bias."""
    weight = state["fc_input.weight"].double() / torch.as_tensor(std)[None, :]
    bias = state["fc_input.bias"].double() - weight @ torch.as_tensor(mean)
    folded = dict(state)
    folded["fc_input.weight"] = weight.float()
    folded["fc_input.bias"] = bias.float()
    return folded


@dataclass
class _Problem:
    """What every fit of one training run shares."""

    config: TrainingConfig
    class_names: tuple[str, ...]
    instant_classes: list[int]
    postprocess: object
    device: torch.device
    progress: ProgressPlan
    should_cancel: CancelCheck | None
    forward_windows: int = 0  # windows run forward only, for validation (cost accounting)


@dataclass
class _Fit:
    model: TimeSeriesLSTM
    mean: np.ndarray
    std: np.ndarray
    stopper: "_EarlyStop"
    epochs_run: int
    stopped: bool
    weights: np.ndarray
    class_rows: np.ndarray
    history: list
    val_parts: list
    train_windows: int  # training window passes (forward + backward), all epochs


def _normalised(parts: list[_Part], mean, std) -> list[_Part]:
    return [_Part(p.name, ((p.values - mean) / std).astype(np.float32), p.labels) for p in parts]


def _fit(
    problem: _Problem,
    train_parts,
    val_parts,
    epochs: int,
    first_epoch: int = 0,
    note: str = "",
    start: "_Fit | None" = None,
) -> _Fit:
    """Train a fresh network (seeded), or go on training `start`'s network with its input
    scaling, for up to `epochs` epochs; with validation parts, stop by the early-stop rule and
    keep the best epoch's weights. `note`: why the phase has its length (shown with the final
    fit's progress)."""
    config, device = problem.config, problem.device
    if start is not None:
        mean, std = start.mean, start.std
    else:
        mean, std = input_normalization(train_parts, config.input_scaling, config.input_peak_limit)
    train_parts, val_parts = _normalised(train_parts, mean, std), _normalised(val_parts, mean, std)
    x_all, y_all, bases, lengths = _stack_for_windows(train_parts, config.sequence_size)
    n_classes = len(problem.class_names)
    labeled_rows = _labeled_rows(y_all)
    if config.background_window_share < 1.0:
        weights = sampled_class_weights(y_all, labeled_rows, bases, lengths, config, n_classes)
    else:
        weights = class_weights(y_all, n_classes)
    offsets = logit_offsets(weights, config, _epoch_scale(config))
    data = (torch.as_tensor(x_all, device=device), torch.as_tensor(y_all, device=device))
    rng = np.random.default_rng(config.seed)
    stopper, history, epoch, stop, n_windows = _EarlyStop(config), [], 0, False, 0
    plan = problem.progress
    phase = VALIDATING if val_parts else (FINAL_FIT if first_epoch else TRAINING)
    plan.start_phase(phase, epochs, note)
    with torch.random.fork_rng(devices=[device.index or 0] if device.type == "cuda" else []):
        torch.manual_seed(config.seed)
        if start is not None:
            model = start.model
        else:
            model = TimeSeriesLSTM(_network_params(config, x_all.shape[1], n_classes)).to(device)
        optimizer = torch.optim.Adam(
            model.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
        )
        loss_weights = weights if config.use_class_weights else np.ones(n_classes)
        criterion = nn.CrossEntropyLoss(
            weight=torch.as_tensor(loss_weights, dtype=torch.float32, device=device),
            ignore_index=IGNORE_INDEX,
        )
        while epoch < epochs and not stop:
            epoch += 1
            starts = _epoch_windows(bases, lengths, rng, config, labeled_rows)
            loss = _run_epoch(
                model,
                optimizer,
                criterion,
                data,
                starts,
                config,
                device,
                problem.should_cancel,
                lambda done, batches, epoch=epoch: plan.batch(epoch, done, batches),
            )
            n_windows += len(starts)
            metrics = _validate(model, val_parts, problem, offsets)
            stop = stopper.update(epoch, metrics, model)
            history.append(_history_entry(first_epoch + epoch, loss, metrics, phase))
            last = stop or epoch == epochs
            plan.epoch_end(epoch, loss, dict(metrics or {}), stopper.best_epoch, last)
    if stopper.best_state is not None:
        model.load_state_dict(stopper.best_state)
    class_rows = np.bincount(y_all[y_all >= 0], minlength=n_classes)
    return _Fit(
        model, mean, std, stopper, epoch, stop, weights, class_rows, history, val_parts, n_windows
    )


def train(
    recordings: Sequence[Recording],
    labels: Sequence[str],
    config: TrainingConfig = TrainingConfig(),
    *,
    progress: ProgressCallback | None = None,
    should_cancel: CancelCheck | None = None,
    channels: Sequence[str] | None = None,
    time_column: str | None = None,
    label_config: str | None = None,
) -> Segmenter:
    """Train a segmenter on labeled recordings; class 0 is background, then `labels` in order.

    progress(TrainingProgress) is called while preparing, within each epoch (at most every
    `progress.REPORT_INTERVAL_S`) and after each epoch, with the phase and a share done that
    never decreases (see autolabel/segmenter/progress.py); should_cancel (a callable or
    threading.Event) is checked before every batch and stops training by raising
    TrainingCancelled. `channels`, `time_column` and `label_config` are
    stored in the checkpoint for later prediction.
    """
    started = time.perf_counter()
    plan = ProgressPlan(progress, config.train_epochs)
    plan.preparing(f"preparing {len(recordings)} recording(s)")
    parts = _prepare(recordings, labels, channels)
    class_index = {label: i + 1 for i, label in enumerate(labels)}
    kinds = label_kinds(recordings, labels)
    instant_classes = [class_index[k] for k, v in kinds.items() if v == "instant"]
    split = split_recordings(parts, config)
    refits = config.refit and bool(split.validation)
    plan.plan_final_fit(
        _rows(parts) / max(1, _rows(split.train)) if refits else None,
        config.continue_share if config.final_fit == "continue" else 1.0,
    )
    plan.preparing(
        f"preparing windows: {len(split.train)} recording(s) to train on, "
        f"{len(split.validation)} to validate on"
    )
    postprocess = derive_postprocess(
        [p.labels for p in split.train], instant_classes, config.sequence_size
    )
    problem = _Problem(
        config,
        (BACKGROUND, *labels),
        instant_classes,
        postprocess,
        pick_device(config.device),
        plan,
        should_cancel,
    )
    fit = _fit(problem, split.train, split.validation, config.train_epochs)
    scale = _tuned_scale(fit, problem)
    final = fit
    if refits and fit.stopper.best_epoch > 0:
        final = _final_fit(problem, fit, parts)
    training = _training_record(fit, final, split, problem, started)
    training["logit_adjustment"] = scale
    state = {k: v.detach().cpu() for k, v in final.model.state_dict().items()}
    contents = CheckpointContents(
        params=final.model.params,
        state_dict=_folded(state, final, logit_offsets(final.weights, config, scale)),
        class_names=problem.class_names,
        channels=tuple(channels) if channels is not None else None,
        time_column=time_column,
        normalization=Normalization(tuple(final.mean.tolist()), tuple(final.std.tolist())),
        label_kinds=kinds,
        postprocess=_delivered(postprocess, instant_classes, config),
        training=training,
        label_config=label_config,
    )
    return Segmenter(contents, device=config.device)


def _final_fit(problem: _Problem, fit: _Fit, parts: list[_Part]) -> _Fit:
    """After validation, train on every recording: a fresh network for the best epoch count,
    or the kept network for a share of it (config.final_fit)."""
    best, run = fit.stopper.best_epoch, fit.epochs_run
    why = f"validation stopped at epoch {run}"
    if not fit.stopped:
        why = f"validation ran all {run} epochs"
    if problem.config.final_fit == "continue":
        epochs = max(1, round(problem.config.continue_share * best))
        note = f"{why}, best epoch {best}; it goes on with all {len(parts)} recordings"
        return _fit(problem, parts, [], epochs, first_epoch=run, note=note, start=fit)
    note = f"{why}, best epoch {best}; now on all {len(parts)} recordings"
    return _fit(problem, parts, [], best, first_epoch=run, note=note)


def _delivered(postprocess, instant_classes: list[int], config: TrainingConfig):
    """The checkpoint's postprocessing: the validated one, with peak picking for instants."""
    if not instant_classes:
        return postprocess
    return dataclasses.replace(postprocess, instant_threshold=config.instant_threshold)


def _folded(state: dict, fit: "_Fit", offsets: np.ndarray) -> dict:
    """Input standardisation and logit adjustment folded into the first and last layers, so
    the checkpoint takes raw values and needs no extra step (also in the example)."""
    state = fold_normalization(state, fit.mean, fit.std)
    shift = torch.as_tensor(offsets, dtype=torch.float32)
    state["fc_output.bias"] = state["fc_output.bias"] + shift
    return state


def _prepare(recordings, labels, channels) -> list[_Part]:
    _check_inputs(recordings, labels)
    class_index = {label: i + 1 for i, label in enumerate(labels)}
    parts = [
        _Part(r.name, fill_gaps(r.values), row_labels(r, class_index))
        for r in recordings
        if r.n_rows > 0
    ]
    if channels is not None and len(channels) != parts[0].values.shape[1]:
        raise TrainingDataError(
            f"{len(channels)} channel names for {parts[0].values.shape[1]} columns"
        )
    if not any(_classes(p.labels) for p in parts):
        raise TrainingDataError("no labeled region in the recordings")
    return parts


def _training_record(fit: _Fit, final: _Fit, split: _Split, problem: _Problem, started) -> dict:
    refit = final is not fit
    return {
        "epochs_run": fit.epochs_run,
        "best_epoch": fit.stopper.best_epoch,
        "stopped_early": bool(fit.stopped),
        "thresholds_met": fit.stopper.thresholds_met,
        "refit_epochs": final.epochs_run if refit else 0,
        "validation": _plain(fit.stopper.best_metrics),
        "validation_split": split.method,
        "train_recordings": [p.name for p in split.train],
        "validation_recordings": [p.name for p in split.validation],
        "final_fit_recordings": len(split.train) + (len(split.validation) if refit else 0),
        "class_rows": {
            n: int(c) for n, c in zip(problem.class_names, final.class_rows, strict=True)
        },
        "class_weights": [float(w) for w in final.weights],
        "history": fit.history + (final.history if refit else []),
        "window_passes": {
            "train": fit.train_windows + (final.train_windows if refit else 0),
            "validation_forward": problem.forward_windows,
        },
        "config": asdict(problem.config),
        "wall_s": round(time.perf_counter() - started, 3),
        "torch": str(torch.__version__),
        "python": platform.python_version(),
    }


def _rows(parts: list[_Part]) -> int:
    return sum(len(p.values) for p in parts)


def _history_entry(epoch: int, loss: float, metrics: dict | None, phase: str) -> dict:
    entry = {"epoch": epoch, "phase": phase, "train_loss": round(loss, 6)}
    for key in ("balanced_accuracy", "min_class_f1", "macro_f1", "balanced_nll"):
        if metrics is not None:
            entry[key] = round(metrics[key], 6)
    return entry


def _plain(metrics: dict | None) -> dict | None:
    return None if metrics is None else copy.deepcopy(metrics)
