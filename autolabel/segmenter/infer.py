"""A loaded segmenter: per-row probabilities, segments, Label Studio predictions."""

import copy
import hashlib
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import torch

from .checkpoint import (
    BACKGROUND,
    CheckpointContents,
    CheckpointError,
    Source,
    missing_channels,
    read_checkpoint,
    write_checkpoint,
)
from .labelconfig import LabelConfig
from .model import TimeSeriesLSTM
from .segments import PostprocessConfig, decode, normalised_entropy, row_confidence
from .windows import row_probabilities

TIME_KINDS = ("index", "numeric", "datetime")


@dataclass(frozen=True)
class PredictedRegion:
    label: str
    start_row: int
    end_row: int
    start: object  # in the file's time units: row index, number or ISO 8601 string
    end: object
    instant: bool
    score: float  # mean probability of the label over the region's rows


@dataclass(frozen=True)
class Prediction:
    regions: list[PredictedRegion]
    uncertainty: float  # mean per-row entropy / log(classes), 0..1
    score: float  # mean region score; 1 - uncertainty when there is no region
    model_version: str
    rows: int
    # Per row: the probability of the most likely class (float32), see `row_confidence`.
    confidence: np.ndarray | None = field(default=None, compare=False, repr=False)

    def to_labelstudio(self, *, from_name: str = "label", to_name: str = "ts") -> dict:
        """A Label Studio prediction: {"result": [timeserieslabels...], "score", ...}."""
        result = [
            {
                "id": f"seg{i}",
                "from_name": from_name,
                "to_name": to_name,
                "type": "timeserieslabels",
                "value": {
                    "start": region.start,
                    "end": region.end,
                    "instant": region.instant,
                    "timeserieslabels": [region.label],
                },
                "score": region.score,
            }
            for i, region in enumerate(self.regions)
        ]
        return {
            "result": result,
            "score": self.score,
            "model_version": self.model_version,
            "uncertainty": self.uncertainty,
        }


def pick_device(device: str | torch.device | None = None) -> torch.device:
    """The device asked for, else CUDA when available, else the CPU. On CUDA, cuDNN's TF32
    math is switched off for the process: its LSTM would otherwise run in TF32 (torch's default
    for cuDNN), which on an H200 moved the example checkpoints' probabilities by up to 3.2e-4,
    over the 1e-4 the compatibility tests allow (docs/BENCHMARKS_segmenter.md)."""
    chosen = torch.device(
        device if device is not None else "cuda" if torch.cuda.is_available() else "cpu"
    )
    if chosen.type == "cuda":
        torch.backends.cudnn.allow_tf32 = False  # the legacy switch: sets conv and RNN alike
    return chosen


def fill_gaps(values: np.ndarray) -> np.ndarray:
    """Non-finite cells take the previous finite value of their channel (the next one at the
    start; 0 for a channel with none)."""
    finite = np.isfinite(values)
    if finite.all():
        return values
    rows = np.arange(values.shape[0])[:, None]
    last = np.maximum.accumulate(np.where(finite, rows, -1), axis=0)
    upcoming = np.minimum.accumulate(np.where(finite, rows, values.shape[0])[::-1], axis=0)[::-1]
    source = np.where(last >= 0, last, upcoming)
    cols = np.broadcast_to(np.arange(values.shape[1]), values.shape)
    valid = source < values.shape[0]
    filled = np.zeros_like(values)
    filled[valid] = values[source[valid], cols[valid]]
    return filled


def time_values(rows: np.ndarray, times, time_kind: str | None) -> list:
    """Row numbers -> the file's own time values (row index when there is no time column)."""
    if times is None or time_kind == "index":
        return [int(r) for r in rows]
    picked = np.asarray(times)[rows]
    if time_kind == "datetime" or np.issubdtype(picked.dtype, np.datetime64):
        if np.issubdtype(picked.dtype, np.datetime64):
            return [pd.Timestamp(t).isoformat() for t in picked]
        return [str(t) for t in picked]
    return picked.tolist()


class Segmenter:
    """A segmenter checkpoint ready to predict. Build with `load_checkpoint` or `train`."""

    def __init__(self, contents: CheckpointContents, device: str | torch.device | None = None):
        self.contents = contents
        self.device = pick_device(device)
        with torch.device("meta"):  # no random initialisation: the weights come from the file
            self.model = TimeSeriesLSTM(contents.params)
        self.model.load_state_dict(contents.state_dict, strict=True, assign=True)
        self.model.to(self.device).eval()
        self.version = "segmenter-" + _digest(contents.state_dict)

    # --------------------------------------------------------------- description
    @property
    def class_names(self) -> tuple[str, ...]:
        return self.contents.class_names

    @property
    def labels(self) -> tuple[str, ...]:
        return self.contents.labels

    @property
    def channels(self) -> tuple[str, ...] | None:
        return self.contents.channels

    @property
    def time_column(self) -> str | None:
        return self.contents.time_column

    @property
    def sequence_size(self) -> int:
        return self.contents.params.sequence_size

    @property
    def label_kinds(self) -> dict[str, str]:
        return {label: self.contents.label_kinds.get(label, "range") for label in self.labels}

    @property
    def training(self) -> dict:
        return self.contents.training

    def require_columns(self, columns) -> None:
        """Raise CheckpointError when the file lacks channels the model needs."""
        if self.channels is None:
            raise CheckpointError("the checkpoint names no channels; give a label config")
        missing = missing_channels(self.channels, columns)
        if missing:
            raise CheckpointError(f"the file lacks the model's channel(s): {', '.join(missing)}")

    def with_label_config(self, config: LabelConfig) -> "Segmenter":
        """Take channels and time column from a label config where the checkpoint has none
        (the example's checkpoints); check that the config offers the model's labels."""
        unknown = [label for label in self.labels if label not in config.labels]
        if unknown:
            raise CheckpointError(f"the label config lacks the model's label(s) {unknown}")
        if self.channels is not None:
            return self
        if len(config.channels) != self.contents.params.input_size:
            raise CheckpointError(
                f"the label config has {len(config.channels)} channels, the model takes "
                f"{self.contents.params.input_size}"
            )
        updated = replace(
            self.contents, channels=tuple(config.channels), time_column=config.time_column
        )
        clone = copy.copy(self)
        clone.contents = updated
        return clone

    # --------------------------------------------------------------- prediction
    def proba(self, values: np.ndarray, *, batch_windows: int | None = None) -> np.ndarray:
        """Per-row class probabilities, float32 (rows, classes), columns in class order."""
        x = np.asarray(values, dtype=np.float32)
        if x.ndim != 2 or x.shape[1] != self.contents.params.input_size:
            raise ValueError(
                f"values must be (rows, {self.contents.params.input_size}) channels, "
                f"got shape {x.shape}"
            )
        x = fill_gaps(x)
        norm = self.contents.normalization
        if norm is not None and not norm.folded:
            x = (x - np.asarray(norm.mean, np.float32)) / np.asarray(norm.std, np.float32)
        if batch_windows is None:
            batch_windows = 1024 if self.device.type == "cuda" else 64
        probs = row_probabilities(
            self.model,
            x,
            sequence_size=self.sequence_size,
            batch_windows=batch_windows,
            device=self.device,
        )
        return probs.numpy().astype(np.float32, copy=False)

    def predict(
        self,
        values: np.ndarray,
        times=None,
        time_kind: str | None = None,
        *,
        postprocess: PostprocessConfig | None = None,
    ) -> Prediction:
        """Segments of one recording; times in the file's units (see `time_values`)."""
        if time_kind is not None and time_kind not in TIME_KINDS:
            raise ValueError(f"time_kind must be one of {TIME_KINDS}")
        if times is not None and len(times) != len(values):
            raise ValueError(f"{len(times)} time values for {len(values)} rows")
        probs = self.proba(values)
        return self.prediction_from_proba(probs, times, time_kind, postprocess=postprocess)

    def prediction_from_proba(self, probs, times=None, time_kind=None, *, postprocess=None):
        config = postprocess or self.contents.postprocess
        kinds = self.label_kinds
        instant_classes = [
            i + 1 for i, label in enumerate(self.labels) if kinds[label] == "instant"
        ]
        segments = decode(probs, instant_classes, config)
        starts = np.array([s.start_row for s in segments], dtype=np.int64)
        ends = np.array([s.end_row for s in segments], dtype=np.int64)
        start_times = time_values(starts, times, time_kind)
        end_times = time_values(ends, times, time_kind)
        regions = [
            PredictedRegion(
                self.class_names[s.class_index], s.start_row, s.end_row, t0, t1, s.instant, s.score
            )
            for s, t0, t1 in zip(segments, start_times, end_times, strict=True)
        ]
        uncertainty = normalised_entropy(probs)
        score = float(np.mean([r.score for r in regions])) if regions else 1.0 - uncertainty
        return Prediction(
            regions,
            uncertainty,
            score,
            self.version,
            int(probs.shape[0]),
            confidence=row_confidence(probs),
        )

    # --------------------------------------------------------------- storage
    def save(self, destination) -> None:
        """Write the checkpoint (the example's format plus our keys)."""
        state = {k: v.detach().cpu() for k, v in self.model.state_dict().items()}
        write_checkpoint(replace(self.contents, state_dict=state), destination)


def _digest(state_dict: dict[str, torch.Tensor]) -> str:
    h = hashlib.sha256()
    for key in sorted(state_dict):
        h.update(key.encode())
        h.update(state_dict[key].detach().cpu().contiguous().numpy().tobytes())
    return h.hexdigest()[:12]


def load_checkpoint(source: Source, *, device: str | torch.device | None = None) -> Segmenter:
    """Read and validate a checkpoint (path, bytes or binary file object) -> Segmenter.

    Raises CheckpointError with a clear message for anything that is not a usable checkpoint.
    """
    contents = read_checkpoint(source)
    if contents.class_names[0] != BACKGROUND:
        raise CheckpointError(f"class 0 must be {BACKGROUND!r}")
    return Segmenter(contents, device)
