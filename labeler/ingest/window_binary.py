"""The compact binary form of a plot window (docs/data-format.md).

    "TSW1"  uint32 LE header length H  header (H bytes of UTF-8 JSON, space-padded so the
    arrays start at a multiple of 8)  arrays (each at header["arrays"][i]["offset"] bytes
    after the end of the header, 8-aligned, little-endian)

Arrays: ``x`` (float64; the time axis value minus ``x_base``), then one float32 array per
channel in ``channels`` order (NaN where the file has no value).
"""

import json
import struct

import numpy as np

from .window import Window

MAGIC = b"TSW1"
MEDIA_TYPE = "application/octet-stream"
_ALIGN = 8


def window_binary(window: Window, *, header_extra: dict | None = None) -> bytes:
    """The window as the binary body: a JSON header (with ``header_extra``'s keys) and
    little-endian arrays."""
    series = window.series
    x_base = None
    if series.time_kind == "datetime" and window.points:
        base_ns = int(window.axis[0])
        x = (np.asarray(window.axis, dtype=np.int64) - base_ns).astype("<f8")
        x_base = series.format_times(np.array([base_ns], dtype=np.int64))[0]
    else:
        x = np.asarray(window.axis, dtype="<f8")
    arrays = [("x", x)] + [
        (name, np.asarray(values, dtype="<f4")) for name, values in window.values.items()
    ]
    described, offset = [], 0
    for name, values in arrays:
        described.append(
            {"name": name, "dtype": values.dtype.str, "offset": offset, "count": len(values)}
        )
        offset += _padded(values.nbytes)
    times = series.format_times(window.axis[[0, -1]]) if window.points else [None, None]
    header = {
        "format": "tsl-window",
        "version": 1,
        "time_kind": series.time_kind,
        "x_base": x_base,
        "x_unit": "ns" if series.time_kind == "datetime" else "file",
        "channels": list(window.values),
        "points": window.points,
        "aggregated": window.aggregated,
        "downsampled": window.downsampled,
        "rows": window.rows,
        "first_row": window.first_row,
        "last_row": window.last_row,
        "max_points": window.max_points,
        "start": times[0],
        "end": times[-1],
        **(header_extra or {}),
        "arrays": described,
    }
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (_padded(len(MAGIC) + 4 + len(text)) - len(MAGIC) - 4 - len(text))
    parts = [MAGIC, struct.pack("<I", len(text)), text]
    for _, values in arrays:
        parts.append(values.tobytes())
        parts.append(b"\0" * (_padded(values.nbytes) - values.nbytes))
    return b"".join(parts)


def window_binary_read(body: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """The header and the arrays (name -> numpy array) of a binary window body."""
    if body[:4] != MAGIC:
        raise ValueError("not a binary window (no TSW1 magic)")
    (length,) = struct.unpack_from("<I", body, 4)
    header = json.loads(body[8 : 8 + length])
    data = memoryview(body)[8 + length :]
    arrays = {
        item["name"]: np.frombuffer(
            data, dtype=np.dtype(item["dtype"]), count=item["count"], offset=item["offset"]
        )
        for item in header["arrays"]
    }
    return header, arrays


def _padded(size: int) -> int:
    return -(-size // _ALIGN) * _ALIGN
