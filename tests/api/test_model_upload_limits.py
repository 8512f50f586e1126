"""Uploaded model checkpoints are bounded: the archive's unpacked size and compression ratio are
checked from its zip directory before torch.load, and the free-form metadata is plain data of
bounded depth and size (autolabel.services.model_upload)."""

import io
import math
import sys
import zipfile

import pytest
import torch

from autolabel.models import TrainedModel
from tests.api.test_models import as_bytes, checkpoint_blob, post_model

pytestmark = [pytest.mark.answers_server_errors]


def with_extra_entry(content: bytes, name: str, data: bytes, compression) -> bytes:
    buffer = io.BytesIO(content)
    with zipfile.ZipFile(buffer, "a", compression=compression) as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


def refused(response, *words):
    assert response.status_code == 400, (response.status_code, response.content[:300])
    error = response.json()["error"]
    for word in words:
        assert word in error, error
    assert not TrainedModel.objects.exists()


def test_a_zip_bomb_checkpoint_is_refused_from_its_directory(client, tmp_path):
    checkpoint = as_bytes(checkpoint_blob())
    prefix = zipfile.ZipFile(io.BytesIO(checkpoint)).namelist()[0].split("/")[0]
    bomb = with_extra_entry(
        checkpoint, f"{prefix}/data/99", bytes(64 * 2**20 + 1), zipfile.ZIP_DEFLATED
    )
    assert len(bomb) < 200_000  # 0.1 MB on the wire, 64 MiB unpacked
    refused(post_model(client, bomb), "compressed", "decompression bomb")
    assert not list((tmp_path / "media" / "models").glob("*"))


def test_an_archive_over_the_unpacked_limit_is_refused(client, settings):
    settings.MODEL_MAX_UNPACKED_MB = 1
    checkpoint = as_bytes(checkpoint_blob())
    prefix = zipfile.ZipFile(io.BytesIO(checkpoint)).namelist()[0].split("/")[0]
    big = with_extra_entry(checkpoint, f"{prefix}/data/99", bytes(2 * 2**20), zipfile.ZIP_STORED)
    refused(post_model(client, big), "MODEL_MAX_UNPACKED_MB", "1 MB")
    settings.MODEL_MAX_UNPACKED_MB = 512
    assert post_model(client, big).status_code == 201  # the same file fits a larger limit


def nested(depth):
    value = {"leaf": 1}
    for _ in range(depth):
        value = {"inner": value}
    return value


@pytest.mark.parametrize(
    "training, words",
    [
        ({"validation": {"macro_f1": math.nan}}, ["nan", "finite"]),
        ({"validation": float("inf")}, ["inf", "finite"]),
        ({"wall_s": -math.inf}, ["finite"]),
        ({"validation": torch.zeros(3)}, ["Tensor"]),
        ({"validation": nested(3000)}, ["deeper"]),
        ({"class_rows": [10**30]}, ["finite number"]),
        ({"validation": ["x" * 1000] * 20_000}, ["characters"]),
    ],
    ids=["nan", "inf", "minus-inf", "tensor", "deep", "huge-int", "huge-text"],
)
def test_checkpoint_metadata_must_be_plain_bounded_data(client, training, words):
    blob = checkpoint_blob()
    blob["training"] = training
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(20_000)  # pickling 3000 levels needs it; reading them must not
    try:
        content = as_bytes(blob)
    finally:
        sys.setrecursionlimit(limit)
    refused(post_model(client, content), *words)


def test_plain_metadata_is_kept(client):
    blob = checkpoint_blob()
    blob["training"] = {"validation": {"macro_f1": 0.9, "per_class": [0.8, 1]}, "wall_s": 3.5}
    response = post_model(client, as_bytes(blob))
    assert response.status_code == 201, response.content
    assert response.json()["metrics"]["validation"]["macro_f1"] == 0.9
