"""Checkpoint loading is safe and strict: every bad file is refused with a clear message."""

import io
import os
import pickle
import zipfile

import pytest
import torch

from autolabel.segmenter import CheckpointError, load_checkpoint, read_checkpoint
from autolabel.segmenter.checkpoint import missing_channels

from .conftest import FIXTURES

REFERENCE = FIXTURES / "ls_example_instants.pt"


def _reference_blob() -> dict:
    return torch.load(REFERENCE, map_location="cpu", weights_only=True)


def _write(tmp_path, blob, name="model.pt"):
    path = tmp_path / name
    torch.save(blob, path)
    return path


def _refused(path, *fragments):
    with pytest.raises(CheckpointError) as error:
        load_checkpoint(path)
    for fragment in fragments:
        assert fragment in str(error.value)
    return error.value


def test_reference_checkpoint_loads_from_path_bytes_and_file_object():
    by_path = load_checkpoint(REFERENCE)
    by_bytes = load_checkpoint(REFERENCE.read_bytes())
    with open(REFERENCE, "rb") as handle:
        by_file = load_checkpoint(handle)
    assert by_path.class_names == by_bytes.class_names == by_file.class_names
    assert by_path.class_names == ("__background__", "Fall", "Stumble")
    assert by_path.channels is None  # the example's files name no channels
    assert by_path.version == by_bytes.version


def test_checkpoint_error_is_a_value_error():
    assert issubclass(CheckpointError, ValueError)


def test_missing_file(tmp_path):
    _refused(tmp_path / "nothing.pt", "no checkpoint file")


@pytest.mark.parametrize(
    "content",
    [b"", b"hello, this is a CSV\n1,2,3\n", b"\x89PNG\r\n\x1a\n" + bytes(200)],
    ids=["empty", "text", "binary"],
)
def test_not_a_torch_file(tmp_path, content):
    path = tmp_path / "model.pth"
    path.write_bytes(content)
    _refused(path, "not a PyTorch checkpoint")


def test_zip_that_is_not_a_torch_file(tmp_path):
    path = tmp_path / "model.pth"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hi")
    _refused(path, "not a PyTorch checkpoint")


class _RunsCode:
    """Unpickling this object calls os.system (what a malicious .pth does)."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
@pytest.mark.parametrize("container", ["torch.save", "pickle protocol 2", "pickle protocol 4"])
def test_pickled_code_is_refused_and_never_runs(tmp_path, container):
    marker = tmp_path / "MARKER"
    blob = _reference_blob()
    blob["payload"] = _RunsCode(marker)
    path = tmp_path / "evil.pth"
    if container == "torch.save":
        torch.save(blob, path)
    else:
        path.write_bytes(pickle.dumps(blob, protocol=int(container[-1])))
    error = _refused(path)
    if container == "torch.save":
        assert "refused" in str(error) and "system" in str(error)
    assert not marker.exists()


def test_not_a_dict(tmp_path):
    _refused(_write(tmp_path, [1, 2, 3]), "not a segmenter checkpoint")


@pytest.mark.parametrize("key", ["model_state_dict", "model_params", "label_map", "model_class"])
def test_missing_key(tmp_path, key):
    blob = _reference_blob()
    del blob[key]
    _refused(_write(tmp_path, blob), "missing key", key)


def test_unknown_model_class(tmp_path):
    blob = _reference_blob()
    blob["model_class"] = "TransformerSegmenter"
    _refused(_write(tmp_path, blob), "unknown model_class", "TransformerSegmenter")


def test_missing_model_param(tmp_path):
    blob = _reference_blob()
    del blob["model_params"]["hidden_size"]
    _refused(_write(tmp_path, blob), "hidden_size")


def test_absurd_model_param(tmp_path):
    blob = _reference_blob()
    blob["model_params"]["hidden_size"] = 10**9
    _refused(_write(tmp_path, blob), "hidden_size")


def test_shapes_that_do_not_fit_model_params(tmp_path):
    blob = _reference_blob()
    blob["model_params"]["hidden_size"] = 32
    _refused(_write(tmp_path, blob), "wrong shape", "lstm.")


def test_wrong_input_size(tmp_path):
    blob = _reference_blob()
    blob["model_params"]["input_size"] = 6
    _refused(_write(tmp_path, blob), "wrong shape for fc_input.weight")


def test_missing_and_unexpected_weights(tmp_path):
    blob = _reference_blob()
    blob["model_state_dict"]["extra.weight"] = torch.zeros(3)
    del blob["model_state_dict"]["fc_output.bias"]
    _refused(_write(tmp_path, blob), "fc_output.bias", "extra.weight")


def test_nan_weights(tmp_path):
    blob = _reference_blob()
    blob["model_state_dict"]["fc_output.bias"][0] = float("nan")
    _refused(_write(tmp_path, blob), "NaN")


@pytest.mark.parametrize(
    "label_map, fragment",
    [
        ({"Fall": 0, "__background__": 1, "Stumble": 2}, "__background__"),
        ({"__background__": 0, "Fall": 1}, "do not match the 3 outputs"),
        ({"__background__": 0, "Fall": 1, "Stumble": 1}, "do not match"),
        ({"__background__": 0, "Fall": 1, "Stumble": 5}, "do not match"),
        ({"__background__": 0, "Fall": "1", "Stumble": 2}, "integer"),
        ([], "non-empty dict"),
    ],
)
def test_inconsistent_label_map(tmp_path, label_map, fragment):
    blob = _reference_blob()
    blob["label_map"] = label_map
    _refused(_write(tmp_path, blob), fragment)


def test_channel_names_must_match_input_size(tmp_path):
    blob = _reference_blob()
    blob["channels"] = ["acc_x", "acc_y"]
    _refused(_write(tmp_path, blob), "channel names")


def test_newer_format_is_refused(tmp_path):
    blob = _reference_blob()
    blob["format_version"] = 99
    _refused(_write(tmp_path, blob), "newer")


def test_channels_the_file_lacks(tmp_path):
    blob = _reference_blob()
    blob["channels"] = ["acc_x", "acc_y", "acc_z"]
    segmenter = load_checkpoint(_write(tmp_path, blob))
    segmenter.require_columns(["time", "acc_x", "acc_y", "acc_z", "other"])
    with pytest.raises(CheckpointError, match="acc_z"):
        segmenter.require_columns(["time", "acc_x", "acc_y"])
    assert missing_channels(["a", "b", "c"], ["b"]) == ["a", "c"]


def test_checkpoint_without_channels_needs_a_label_config():
    with pytest.raises(CheckpointError, match="label config"):
        load_checkpoint(REFERENCE).require_columns(["acc_x", "acc_y", "acc_z"])


def test_round_trip_keeps_everything_and_loads_weights_only(tmp_path):
    segmenter = load_checkpoint(REFERENCE)
    buffer = io.BytesIO()
    segmenter.save(buffer)
    blob = torch.load(io.BytesIO(buffer.getvalue()), weights_only=True)
    assert blob["model_class"] == "TimeSeriesLSTM"
    assert set(blob["model_params"]) == {
        "input_size",
        "output_size",
        "fc_size",
        "hidden_size",
        "num_layers",
        "sequence_size",
        "learning_rate",
        "weight_decay",
        "dropout_rate",
    }
    again = read_checkpoint(buffer.getvalue())
    assert again.class_names == segmenter.class_names
    for key, value in segmenter.contents.state_dict.items():
        assert torch.equal(again.state_dict[key], value)


def test_instant_threshold_round_trips_and_is_checked(tmp_path):
    blob = _reference_blob()
    assert load_checkpoint(_write(tmp_path, blob)).contents.postprocess.instant_threshold is None
    blob["postprocess"] = {"instant_gap_rows": 3, "instant_threshold": 0.6}
    segmenter = load_checkpoint(_write(tmp_path, blob))
    assert segmenter.contents.postprocess.instant_threshold == 0.6
    buffer = io.BytesIO()
    segmenter.save(buffer)
    assert read_checkpoint(buffer.getvalue()).postprocess.instant_threshold == 0.6
    for bad in (0, 1.5, "0.6", True):
        blob["postprocess"] = {"instant_threshold": bad}
        _refused(_write(tmp_path, blob), "instant_threshold")
