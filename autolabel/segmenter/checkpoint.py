"""Checkpoint files: the Label Studio example's format, read safely and validated strictly.

The example writes a dict with `model_state_dict`, `model_params`, `label_map` and `model_class`.
Ours adds keys the example ignores (see `CheckpointContents`); a checkpoint of ours still loads in
the example, and the example's load here. Files are read with `torch.load(weights_only=True)`:
anything but tensors and plain data is refused, so a file never runs code.
"""

import io
import json
import math
import os
import pickle
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import torch

from .model import MODEL_CLASS, NetworkParams, expected_shapes
from .segments import PostprocessConfig

FORMAT_VERSION = 1
BACKGROUND = "__background__"
MODEL_CLASSES = ("TimeSeriesLSTM", "MultiLabelLSTM")  # the example builds the same net for both
LABEL_KINDS = ("range", "instant", "both")
REQUIRED_KEYS = ("model_state_dict", "model_params", "label_map", "model_class")
REQUIRED_PARAMS = ("input_size", "output_size", "fc_size", "hidden_size", "num_layers")
PARAM_LIMITS = {
    "input_size": 4096,
    "output_size": 1024,
    "fc_size": 8192,
    "hidden_size": 4096,
    "num_layers": 16,
    "sequence_size": 1_000_000,
}
PARAM_DEFAULTS = {"sequence_size": 50, "learning_rate": 1e-3, "weight_decay": 1e-5}

_GLOBAL = re.compile(r"GLOBAL ([\w.]+)")
Source = str | os.PathLike | bytes | IO[bytes]


class CheckpointError(ValueError):
    """The file is not a usable segmenter checkpoint; the message says why."""


@dataclass(frozen=True)
class Normalization:
    """Per-channel input mean and std. `folded`: already folded into fc_input (ours always)."""

    mean: tuple[float, ...]
    std: tuple[float, ...]
    folded: bool = True


@dataclass(frozen=True)
class CheckpointContents:
    params: NetworkParams
    state_dict: dict[str, torch.Tensor]
    class_names: tuple[str, ...]  # class index order, "__background__" first
    channels: tuple[str, ...] | None = None  # None: the example's (from the label config)
    time_column: str | None = None
    normalization: Normalization | None = None
    label_kinds: dict[str, str] = field(default_factory=dict)  # label -> range/instant/both
    postprocess: PostprocessConfig = PostprocessConfig()
    training: dict = field(default_factory=dict)
    label_config: str | None = None
    format_version: int = FORMAT_VERSION

    @property
    def labels(self) -> tuple[str, ...]:
        return self.class_names[1:]


# ---------------------------------------------------------------------------- reading


def _torch_load(source: Source):
    if isinstance(source, bytes | bytearray):
        source = io.BytesIO(source)
    elif isinstance(source, str | os.PathLike) and not Path(source).is_file():
        raise CheckpointError(f"no checkpoint file at {os.fspath(source)!r}")
    try:
        return torch.load(source, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        found = _GLOBAL.search(str(exc))
        if found:
            raise CheckpointError(
                f"refused: the file holds a pickled Python object ({found.group(1)}) that is "
                "not a tensor or plain data; loading it could run code"
            ) from None
        raise CheckpointError("not a PyTorch checkpoint file (unreadable pickle data)") from None
    except Exception as exc:  # any failure to read untrusted bytes means "not a checkpoint"
        raise CheckpointError(f"not a PyTorch checkpoint file ({type(exc).__name__})") from None


def read_checkpoint(source: Source) -> CheckpointContents:
    """Load a checkpoint (path, bytes or binary file object) and validate it."""
    return validate_checkpoint(_torch_load(source))


def validate_checkpoint(blob) -> CheckpointContents:
    """Check a loaded checkpoint dict; raise CheckpointError with a clear message if unusable."""
    if not isinstance(blob, dict):
        raise CheckpointError(f"not a segmenter checkpoint: a {type(blob).__name__}, not a dict")
    missing = [key for key in REQUIRED_KEYS if key not in blob]
    if missing:
        raise CheckpointError(f"not a segmenter checkpoint: missing key(s) {', '.join(missing)}")
    _check_format_version(blob.get("format_version", FORMAT_VERSION))
    if blob["model_class"] not in MODEL_CLASSES:
        raise CheckpointError(
            f"unknown model_class {blob['model_class']!r}; expected {MODEL_CLASS!r}"
        )
    params = _params(blob["model_params"])
    class_names = _class_names(blob["label_map"], params.output_size)
    state_dict = _state_dict(blob["model_state_dict"], params)
    return CheckpointContents(
        params=params,
        state_dict=state_dict,
        class_names=class_names,
        channels=_channels(blob.get("channels"), params.input_size),
        time_column=_optional_str(blob.get("time_column"), "time_column"),
        normalization=_normalization(blob.get("input_normalization"), params.input_size),
        label_kinds=_label_kinds(blob.get("label_kinds"), class_names),
        postprocess=_postprocess(blob.get("postprocess")),
        training=blob.get("training") if isinstance(blob.get("training"), dict) else {},
        label_config=_optional_str(blob.get("label_config"), "label_config"),
        format_version=FORMAT_VERSION,
    )


def _check_format_version(version):
    if not isinstance(version, int) or isinstance(version, bool):
        raise CheckpointError("format_version must be an integer")
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"checkpoint format {version} is newer than this program reads ({FORMAT_VERSION})"
        )


def _int_param(params: dict, name: str) -> int:
    value = params.get(name, PARAM_DEFAULTS.get(name))
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise CheckpointError(f"model_params.{name} must be a positive integer, got {value!r}")
    if value > PARAM_LIMITS[name]:
        raise CheckpointError(f"model_params.{name}={value} is larger than {PARAM_LIMITS[name]}")
    return value


def _float_param(params: dict, name: str, default: float) -> float:
    value = params.get(name, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        raise CheckpointError(f"model_params.{name} must be a number, got {value!r}")
    return float(value)


def _params(raw) -> NetworkParams:
    if not isinstance(raw, dict):
        raise CheckpointError("model_params must be a dict")
    missing = [name for name in REQUIRED_PARAMS if raw.get(name) is None]
    if missing:
        raise CheckpointError(f"model_params lacks {', '.join(missing)}")
    ints = {name: _int_param(raw, name) for name in PARAM_LIMITS}
    if ints["output_size"] < 2:
        raise CheckpointError("model_params.output_size must be at least 2 (background + 1)")
    dropout = _float_param(raw, "dropout_rate", 0.3)
    if not 0.0 <= dropout < 1.0:
        raise CheckpointError(f"model_params.dropout_rate must be in [0, 1), got {dropout}")
    return NetworkParams(
        **ints,
        learning_rate=_float_param(raw, "learning_rate", 1e-3),
        weight_decay=_float_param(raw, "weight_decay", 1e-5),
        dropout_rate=dropout,
    )


def _class_names(label_map, output_size: int) -> tuple[str, ...]:
    if not isinstance(label_map, dict) or not label_map:
        raise CheckpointError("label_map must be a non-empty dict of label -> class index")
    if any(not isinstance(k, str) or not k for k in label_map):
        raise CheckpointError("label_map keys must be non-empty strings")
    indices = list(label_map.values())
    if any(not isinstance(i, int) or isinstance(i, bool) for i in indices):
        raise CheckpointError("label_map values must be integer class indices")
    if label_map.get(BACKGROUND) != 0:
        raise CheckpointError(f"label_map must map {BACKGROUND!r} to 0")
    if sorted(indices) != list(range(output_size)):
        raise CheckpointError(
            f"label_map indices {sorted(indices)} do not match the {output_size} outputs "
            f"(expected 0..{output_size - 1}, each once)"
        )
    return tuple(sorted(label_map, key=label_map.__getitem__))


def _state_dict(raw, params: NetworkParams) -> dict[str, torch.Tensor]:
    if not isinstance(raw, dict) or any(not isinstance(v, torch.Tensor) for v in raw.values()):
        raise CheckpointError("model_state_dict must be a dict of tensors")
    shapes = expected_shapes(params)
    missing = sorted(set(shapes) - set(raw))
    unexpected = sorted(set(raw) - set(shapes))
    if missing or unexpected:
        raise CheckpointError(
            "model_state_dict does not fit the network of model_params: "
            f"missing {missing or 'none'}, unexpected {unexpected or 'none'}"
        )
    for key, shape in shapes.items():
        if tuple(raw[key].shape) != shape:
            raise CheckpointError(
                f"wrong shape for {key}: {tuple(raw[key].shape)} in the file, {shape} expected "
                "from model_params"
            )
        if not raw[key].is_floating_point() or not torch.isfinite(raw[key]).all():
            raise CheckpointError(f"{key} holds non-numeric, NaN or infinite weights")
    return {key: raw[key].float() for key in shapes}


def _optional_str(value, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise CheckpointError(f"{name} must be a string")
    return value or None


def _channels(value, input_size: int) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list | tuple) or any(not isinstance(c, str) or not c for c in value):
        raise CheckpointError("channels must be a list of column names")
    if len(value) != input_size:
        raise CheckpointError(f"{len(value)} channel names for input_size {input_size}")
    if len(set(value)) != len(value):
        raise CheckpointError("channel names must be unique")
    return tuple(value)


def _normalization(value, input_size: int) -> Normalization | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        raise CheckpointError("input_normalization must be a dict with mean and std")
    mean, std = value.get("mean"), value.get("std")
    for name, seq in (("mean", mean), ("std", std)):
        ok = isinstance(seq, list | tuple) and len(seq) == input_size
        if not ok or any(not isinstance(v, int | float) or not math.isfinite(v) for v in seq):
            raise CheckpointError(f"input_normalization.{name} must be {input_size} numbers")
    if any(v <= 0 for v in std):
        raise CheckpointError("input_normalization.std must be positive")
    folded = value.get("folded", False)
    return Normalization(tuple(map(float, mean)), tuple(map(float, std)), bool(folded))


def _label_kinds(value, class_names) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CheckpointError("label_kinds must be a dict of label -> range/instant/both")
    for label, kind in value.items():
        if label not in class_names[1:]:
            raise CheckpointError(f"label_kinds names {label!r}, which label_map lacks")
        if kind not in LABEL_KINDS:
            raise CheckpointError(f"label kind {kind!r} of {label!r} is not one of {LABEL_KINDS}")
    return dict(value)


def _postprocess(value) -> PostprocessConfig:
    if value is None:
        return PostprocessConfig()
    if not isinstance(value, dict):
        raise CheckpointError("postprocess must be a dict")
    known = PostprocessConfig.__dataclass_fields__
    kwargs = {k: v for k, v in value.items() if k in known}
    threshold = kwargs.pop("instant_threshold", None)
    for key, number in kwargs.items():
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 100_000:
            raise CheckpointError(f"postprocess.{key} must be an integer from 1 to 100000")
    if threshold is not None and (
        not isinstance(threshold, int | float)
        or isinstance(threshold, bool)
        or not 0.0 < threshold <= 1.0
    ):
        raise CheckpointError("postprocess.instant_threshold must be a probability in (0, 1]")
    return PostprocessConfig(**kwargs, instant_threshold=threshold)


# ---------------------------------------------------------------------------- writing


def checkpoint_dict(contents: CheckpointContents) -> dict:
    """The dict that is saved: the example's four keys plus ours."""
    blob = {
        "model_state_dict": {k: v.detach().cpu() for k, v in contents.state_dict.items()},
        "model_params": contents.params.as_dict(),
        "label_map": {name: i for i, name in enumerate(contents.class_names)},
        "model_class": MODEL_CLASS,
        "format_version": FORMAT_VERSION,
        "label_kinds": dict(contents.label_kinds),
        "postprocess": contents.postprocess.as_dict(),
        "training": _plain_data(contents.training),
    }
    if contents.channels is not None:
        blob["channels"] = list(contents.channels)
    if contents.time_column is not None:
        blob["time_column"] = contents.time_column
    if contents.normalization is not None:
        norm = contents.normalization
        blob["input_normalization"] = {
            "mean": list(norm.mean),
            "std": list(norm.std),
            "folded": norm.folded,
        }
    if contents.label_config is not None:
        blob["label_config"] = contents.label_config
    return blob


def _plain_data(value):
    """JSON-like data only (str subclasses, numpy scalars... become plain types), so that
    torch.load(weights_only=True) accepts the file."""
    return json.loads(json.dumps(value, default=_to_plain))


def _to_plain(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def write_checkpoint(contents: CheckpointContents, destination: str | os.PathLike | IO[bytes]):
    """Save with torch.save; a path is written through a temporary file and renamed."""
    blob = checkpoint_dict(contents)
    if not isinstance(destination, str | os.PathLike):
        torch.save(blob, destination)
        return
    path = Path(destination)
    partial = path.with_name(path.name + ".partial")
    torch.save(blob, partial)
    os.replace(partial, path)


def missing_channels(channels, available_columns) -> list[str]:
    available = set(available_columns)
    return [c for c in channels if c not in available]
