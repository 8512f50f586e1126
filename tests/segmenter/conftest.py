"""Shared helpers of the segmenter tests: fixture paths and small synthetic recordings."""

from pathlib import Path

import numpy as np
import pytest
import torch

from autolabel.segmenter import Recording, Region, TrainingConfig

FIXTURES = Path(__file__).parent / "fixtures"


def synthetic_recording(name: str, rows: int, seed: int, instants: bool = False) -> Recording:
    """3 channels of noise with labeled blocks: class "A" raises channel 0, "B" channel 1;
    with instants=True, "Spike" is a one-row jump on channel 2."""
    rng = np.random.default_rng(seed)
    values = rng.normal(0.0, 0.3, (rows, 3)).astype(np.float32)
    regions = []
    for start in range(10, rows - 30, 60):
        label = "A" if (start // 60) % 2 == 0 else "B"
        end = start + 24
        values[start : end + 1, 0 if label == "A" else 1] += 3.0
        regions.append(Region(label, start, end, False))
        if instants:
            values[end + 15, 2] += 6.0
            regions.append(Region("Spike", end + 15, end + 15, True))
    return Recording(name, values, regions)


def tiny_config(**overrides) -> TrainingConfig:
    base = dict(
        train_epochs=3,
        sequence_size=20,
        hidden_size=8,
        fc_size=16,
        batch_size=16,
        seed=0,
        patience=2,
    )
    base.update(overrides)
    return TrainingConfig(**base)


@pytest.fixture
def recordings():
    return [synthetic_recording(f"rec{i}", 240, seed=i) for i in range(4)]


# The segmenter is framework-free: its tests need neither Django settings nor storage services,
# so the project-wide autouse fixtures of tests/conftest.py are replaced by no-ops here.
@pytest.fixture(autouse=True)
def _storage_setup():
    yield


@pytest.fixture(autouse=True)
def _media_root():
    yield


@pytest.fixture(autouse=True)
def _one_torch_thread():
    """The tests use tiny networks: one intra-op thread is as fast and does not stall when the
    machine is busy. Restored afterwards."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
