"""Writing ``.npy`` files row block by row block, and reading them back in blocks."""

import struct
from pathlib import Path

import numpy as np

HEADER_BYTES = 128  # fixed, so the header can be rewritten once the row count is known
_MAGIC = b"\x93NUMPY\x01\x00"


def _header(dtype: np.dtype, rows: int) -> bytes:
    described = {
        "descr": np.lib.format.dtype_to_descr(np.dtype(dtype)),
        "fortran_order": False,
        "shape": (rows,),
    }
    text = repr(described).encode("latin1")
    room = HEADER_BYTES - len(_MAGIC) - 2
    if len(text) + 1 > room:
        raise ValueError("npy header too long")
    return _MAGIC + struct.pack("<H", room) + text.ljust(room - 1) + b"\n"


class NpyAppender:
    """A one-dimensional ``.npy`` file that grows as blocks are appended."""

    def __init__(self, path: Path, dtype):
        self.path = Path(path)
        self.dtype = np.dtype(dtype)
        self.rows = 0
        self._file = self.path.open("wb")
        self._file.write(_header(self.dtype, 0))

    def append(self, values: np.ndarray) -> None:
        block = np.ascontiguousarray(values, dtype=self.dtype)
        self._file.write(block.data)
        self.rows += block.shape[0]

    def close(self) -> None:
        if self._file.closed:
            return
        self._file.seek(0)
        self._file.write(_header(self.dtype, self.rows))
        self._file.close()

    def discard(self) -> None:
        self._file.close()
        self.path.unlink(missing_ok=True)


def write_npy(path: Path, values: np.ndarray) -> None:
    appender = NpyAppender(path, values.dtype)
    appender.append(values)
    appender.close()


def iter_npy_blocks(path: Path, dtype, rows: int, block_rows: int = 1 << 20):
    """Yield ``(first_row, block)`` read with plain reads (nothing stays mapped)."""
    dtype = np.dtype(dtype)
    with Path(path).open("rb") as handle:
        for first in range(0, rows, block_rows):
            count = min(block_rows, rows - first)
            handle.seek(HEADER_BYTES + first * dtype.itemsize)
            yield first, np.fromfile(handle, dtype=dtype, count=count)
