"""Turning CSV text cells into numbers, the same way on every reading path."""

import re

import numpy as np
import pandas as pd

# Cells that mean "no value". Shared by the fast (Arrow) and the careful (csv module) path so
# both read a file the same way.
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

_EXP = r"(?:[eE][+-]?\d+)?"


def grouping_pattern(*, decimal: str, thousands: str) -> re.Pattern:
    """A number written with thousands groups, e.g. ``1,234.5`` or ``1.234,5``."""
    sep = re.escape(thousands)
    dec = re.escape(decimal)
    return re.compile(rf"^[+-]?\d{{1,3}}(?:{sep}\d{{3}})+(?:{dec}\d*)?{_EXP}$")


def is_na(cell: str) -> bool:
    return cell.strip() in _NA_SET


def parse_numbers(
    cells, *, decimal: str = ".", thousands: str | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Parse text cells as float64.

    Returns ``(values, bad)``: missing cells (``NA_TOKENS``, blank) become NaN and are not bad;
    cells that are not numbers become NaN and are flagged in ``bad``. A cell that contains the
    thousands separator must group digits by three (``1,234.5``), otherwise it is bad: a
    separator is never silently dropped from ``1,5``.
    """
    # object dtype on purpose: pandas' Arrow-backed "str" dtype costs memory on first use
    text = pd.Series(cells, dtype=object).fillna("").str.strip()
    missing = text.isin(_NA_SET).to_numpy()
    cleaned = text
    grouped_bad = np.zeros(len(text), dtype=bool)
    if thousands:
        has_sep = cleaned.str.contains(thousands, regex=False).to_numpy()
        if has_sep.any():
            pattern = grouping_pattern(decimal=decimal, thousands=thousands)
            grouped_ok = cleaned.str.match(pattern).to_numpy()
            grouped_bad = has_sep & ~grouped_ok
        cleaned = cleaned.str.replace(thousands, "", regex=False)
    if decimal != ".":
        # a dot in a decimal-comma file is not a decimal point
        grouped_bad |= cleaned.str.contains(".", regex=False).to_numpy()
        cleaned = cleaned.str.replace(decimal, ".", regex=False)
    values = np.array(
        pd.to_numeric(cleaned.where(~missing, None), errors="coerce"), dtype=np.float64
    )
    bad = (np.isnan(values) & ~missing) | (grouped_bad & ~missing)
    values[bad] = np.nan
    return values, bad
