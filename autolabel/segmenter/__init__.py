"""Time-series segmenter: the Label Studio example's LSTM, trained and run without a framework.

Imports torch, numpy and pandas only (never Django) and keeps no global model cache. It reads no
environment variables; it sets one default before torch is first imported: OMP_WAIT_POLICY=PASSIVE
(unless already set), because with OpenMP's default busy-waiting a training on a machine whose
cores are also busy with other processes ran 20-200x slower (docs/decisions.md).

The API the app and the Label Studio backend use:

    segmenter = train(recordings, labels, TrainingConfig(...), progress=..., should_cancel=...)
    segmenter.save(path)
    segmenter = load_checkpoint(path_or_bytes_or_file)        # CheckpointError if unusable
    probs = segmenter.proba(values)                           # (rows, classes) float32
    prediction = segmenter.predict(values, times, time_kind)  # regions, uncertainty, score
    prediction.to_labelstudio(from_name=..., to_name=...)     # Label Studio prediction dict
"""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .checkpoint import CheckpointContents, CheckpointError, Normalization, read_checkpoint
from .infer import PredictedRegion, Prediction, Segmenter, load_checkpoint
from .labelconfig import LabelConfig, LabelConfigError, parse_label_config
from .lstasks import DataError, SeriesTable, read_series_csv, select_annotation
from .model import NetworkParams, TimeSeriesLSTM
from .progress import TrainingProgress
from .recording import Recording, Region
from .segments import PostprocessConfig
from .train import TrainingCancelled, TrainingConfig, TrainingDataError, train

__all__ = [
    "CheckpointContents",
    "CheckpointError",
    "DataError",
    "LabelConfig",
    "LabelConfigError",
    "NetworkParams",
    "Normalization",
    "PostprocessConfig",
    "PredictedRegion",
    "Prediction",
    "Recording",
    "Region",
    "Segmenter",
    "SeriesTable",
    "TimeSeriesLSTM",
    "TrainingCancelled",
    "TrainingConfig",
    "TrainingDataError",
    "TrainingProgress",
    "load_checkpoint",
    "parse_label_config",
    "read_checkpoint",
    "read_series_csv",
    "select_annotation",
    "train",
]
