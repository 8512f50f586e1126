"""Turning CSV text cells into numbers, the same way on every reading path.

A cell is a number when, trimmed and with the file's thousands separator removed and decimal
mark turned into ".", it matches ``NUMBER`` (what Arrow's float parser reads); it is missing
when it is one of ``NA_TOKENS``; anything else is text ("bad"). Big blocks are converted with
Arrow compute, small samples in Python; both follow these rules.
"""

import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# Cells that mean "no value".
NA_TOKENS = (
    "",
    "NA",
    "N/A",
    "n/a",
    "na",
    "NaN",
    "nan",
    "NAN",
    "-nan",
    "-NaN",
    "NULL",
    "null",
    "Null",
    "None",
    "none",
    "#N/A",
    "#NA",
    "#N/A N/A",
    "<NA>",
    "-",
    "?",
)
_NA_SET = frozenset(NA_TOKENS)
NUMBER = (
    r"(?i)^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?$"
    r"|^[+-]?(?:inf|infinity|nan)$"
)
_NUMBER_RE = re.compile(NUMBER)
_EXP = r"(?:[eE][+-]?[0-9]+)?"
PYTHON_LIMIT = 4096  # cells; fewer are parsed in Python (no Arrow compute start-up cost)


SPACES = (" ", "\u00a0", "\u202f")  # any of these is a space thousands separator


def _separators(thousands: str) -> tuple[str, ...]:
    return SPACES if thousands in SPACES else (thousands,)


def grouping_pattern(*, decimal: str, thousands: str) -> str:
    """A number written with thousands groups, e.g. ``1,234.5`` or ``1.234,5``."""
    sep = "[" + "".join(re.escape(c) for c in _separators(thousands)) + "]"
    dec = re.escape(decimal)
    return rf"^[+-]?[0-9]{{1,3}}(?:{sep}[0-9]{{3}})+(?:{dec}[0-9]*)?{_EXP}$"


def parse_numbers(
    cells, *, decimal: str = ".", thousands: str | None = None, dtype=np.float64
) -> tuple[np.ndarray, np.ndarray]:
    """Parse text cells (a list or an Arrow string array) as numbers.

    Returns ``(values, bad)``: missing cells become NaN and are not bad; cells that are not
    numbers become NaN and are flagged in ``bad``. A cell holding the thousands separator must
    group digits by three (``1,234.5``), else it is bad: a separator is never silently dropped
    from ``1,5``. With a decimal comma, a cell holding a "." is bad.
    """
    if isinstance(cells, pa.ChunkedArray):
        cells = cells.combine_chunks()
    if not isinstance(cells, pa.Array) and len(cells) <= PYTHON_LIMIT:
        return _parse_small(cells, decimal=decimal, thousands=thousands, dtype=dtype)
    text = cells if isinstance(cells, pa.Array) else pa.array(cells, type=pa.string())
    if text.type != pa.string():
        text = text.cast(pa.string())
    text = pc.utf8_trim_whitespace(text)
    missing = pc.fill_null(pc.is_in(text, value_set=pa.array(NA_TOKENS, pa.string())), True)
    refused = None
    if thousands:
        separators = _separators(thousands)
        any_separator = "[" + "".join(re.escape(c) for c in separators) + "]"
        has_sep = pc.match_substring_regex(text, any_separator)
        grouped = pc.match_substring_regex(
            text, grouping_pattern(decimal=decimal, thousands=thousands)
        )
        refused = pc.and_(has_sep, pc.invert(grouped))
        for separator in separators:
            text = pc.replace_substring(text, separator, "")
    if decimal != ".":
        has_dot = pc.match_substring(text, ".")
        refused = has_dot if refused is None else pc.or_(refused, has_dot)
        text = pc.replace_substring(text, decimal, ".")
    valid = pc.and_(pc.match_substring_regex(text, NUMBER), pc.invert(missing))
    if refused is not None:
        valid = pc.and_(valid, pc.invert(refused))
    valid = pc.fill_null(valid, False)
    kept = pc.if_else(valid, text, pa.scalar(None, pa.string()))
    arrow_type = pa.float32() if np.dtype(dtype) == np.float32 else pa.float64()
    values = pc.cast(kept, arrow_type).to_numpy(zero_copy_only=False)
    bad = ~(valid.to_numpy(zero_copy_only=False) | missing.to_numpy(zero_copy_only=False))
    return np.asarray(values, dtype=dtype), bad


def _parse_small(cells, *, decimal, thousands, dtype) -> tuple[np.ndarray, np.ndarray]:
    grouped_re = (
        re.compile(grouping_pattern(decimal=decimal, thousands=thousands)) if thousands else None
    )
    values = np.full(len(cells), np.nan, dtype=np.float64)
    bad = np.zeros(len(cells), dtype=bool)
    for position, cell in enumerate(cells):
        text = (cell or "").strip()
        if text in _NA_SET:
            continue
        if thousands and any(separator in text for separator in _separators(thousands)):
            if not grouped_re.match(text):
                bad[position] = True
                continue
            for separator in _separators(thousands):
                text = text.replace(separator, "")
        if decimal != ".":
            if "." in text:
                bad[position] = True
                continue
            text = text.replace(decimal, ".")
        if _NUMBER_RE.match(text):
            values[position] = float(text)
        else:
            bad[position] = True
    return values.astype(dtype), bad
