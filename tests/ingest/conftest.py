"""Helpers for the ingest tests: small generated CSV files."""

import numpy as np
import pytest


def numeric_csv_text(rows: int, channels: int = 3, *, rate: float = 100.0, seed: int = 0) -> str:
    """``time,ch1..chN`` with time = row / rate and seeded random values."""
    rng = np.random.default_rng(seed)
    values = rng.normal(size=(rows, channels))
    time = np.arange(rows) / rate
    header = ",".join(["time"] + [f"ch{i + 1}" for i in range(channels)])
    body = "\n".join(
        f"{t:.4f}," + ",".join(f"{v:.6g}" for v in row) for t, row in zip(time, values, strict=True)
    )
    return header + "\n" + body + "\n"


@pytest.fixture
def write_csv(tmp_path):
    def write(name: str, content: str | bytes) -> "Path":  # noqa: F821
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    return write
