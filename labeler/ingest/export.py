"""``write_labeled_csv``: the uploaded rows, in their original order, plus a label column."""

import hashlib
import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .dialect import Dialect
from .numbers import SPACES
from .readers import CarefulStats, arrow_chunks, python_chunks
from .series import open_series

LABEL_COLUMN = "label"
# A text cell a spreadsheet would run as a formula: it starts with one of these and is not a
# number. Such cells get a leading ' so the spreadsheet shows them as text. The full-width
# forms count too: some spreadsheets read them as = + - @.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
FORMULA_START = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in FORMULA_STARTS) + "]"
NUMBER = r"(?i)^[+-]?(\d[\d.,]*|[.,]\d+)([eE][+-]?\d+)?$|^[+-]?(inf|infinity|nan)$"
NUMBER_PATTERN = re.compile(NUMBER, re.ASCII)  # \d as Arrow's RE2 reads it: ASCII digits
NEEDS_QUOTES = '[",\r\n]'


def neutralise_formulas(cells: pa.Array) -> pa.Array:
    """Prefix ' to text cells a spreadsheet would run as formulas (numbers are left alone)."""
    risky = pc.and_(
        pc.match_substring_regex(cells, FORMULA_START),
        pc.invert(pc.match_substring_regex(cells, NUMBER)),
    )
    if not pc.any(risky).as_py():
        return cells
    return pc.if_else(risky, pc.binary_join_element_wise("'", cells, ""), cells)


def _csv_cells(cells: pa.Array) -> pa.Array:
    needs = pc.match_substring_regex(cells, NEEDS_QUOTES)
    if not pc.any(needs).as_py():
        return cells
    quoted = pc.binary_join_element_wise('"', pc.replace_substring(cells, '"', '""'), '"', "")
    return pc.if_else(needs, quoted, cells)


def _plain_numbers(cells: pa.Array, dialect: Dialect) -> pa.Array:
    """``1.234,5`` -> ``1234.5``: the text of a number column, written with a decimal point."""
    if dialect.thousands:
        for separator in SPACES if dialect.thousands in SPACES else (dialect.thousands,):
            cells = pc.replace_substring(cells, separator, "")
    if dialect.decimal != ".":
        cells = pc.replace_substring(cells, dialect.decimal, ".")
    return cells


def _lines(columns: list[pa.Array], *, numbers: frozenset[int] = frozenset()) -> memoryview:
    """One CSV line per row (UTF-8, LF), built with Arrow compute.

    Columns at the ``numbers`` positions hold only numbers (already written with a decimal
    point) and missing-value marks: never formulas, never a comma, quote or line break, so
    they skip both checks.
    """
    cells = [
        column if index in numbers else _csv_cells(neutralise_formulas(column))
        for index, column in enumerate(columns)
    ]
    joined = pc.binary_join_element_wise(*cells, ",") if len(cells) > 1 else cells[0]
    lines = pc.binary_join_element_wise(joined, "\n", "")
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)
    offsets = offsets[lines.offset : lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]]


def _label_codes(row_labels, rows: int, order) -> tuple[np.ndarray, pa.Array]:
    """Label codes in file order, and the label names they index."""
    if len(row_labels) != rows:
        raise ValueError(f"row_labels has {len(row_labels)} entries but the file has {rows} rows.")
    if isinstance(row_labels, pd.Categorical):  # cheapest for big files: no per-row strings
        names = list(row_labels.categories) + [""]
        codes = np.where(row_labels.codes < 0, len(names) - 1, row_labels.codes)
    elif isinstance(row_labels, np.ndarray) and row_labels.dtype.kind == "U":
        names, codes = np.unique(row_labels, return_inverse=True)
    else:
        codes, names = pd.factorize(np.asarray(row_labels, dtype=object), sort=False)
        codes = codes.astype(np.int32)
        names = [*names, ""]
        codes[codes < 0] = len(names) - 1  # None / NaN labels (code -1) become ""
    codes = np.asarray(codes, dtype=np.int32).reshape(-1)
    if order is not None:  # labels come in time order; the file is written in its own order
        in_file_order = np.empty_like(codes)
        in_file_order[np.asarray(order)] = codes
        codes = in_file_order
    return codes, pa.array([str(name) for name in names], type=pa.string())


def write_labeled_csv(source_path, cache_dir, out_path, row_labels) -> None:
    """Write the source file's rows in their original order plus a ``label`` column.

    ``row_labels`` holds one label name per cache row (time order), "" for none. The output is
    UTF-8, comma-separated, LF line ends; the header is the file's own (or the generated names
    when it had none) plus ``label`` (``label_2`` ... if the file already has that column).
    Cells are the file's text as decoded with its dialect; number columns (channels and a
    numeric time column) are rewritten with a decimal point and no thousands separators when
    the file used others. Text cells starting with = + - @ tab or CR that are not numbers are
    prefixed with '. Written to a temporary file beside ``out_path`` and renamed into place.
    Raises ValueError when the source no longer matches the cache.
    """
    source = Path(source_path)
    out = Path(out_path)
    series = open_series(cache_dir)
    meta = series.meta
    if meta.get("reader") not in ("arrow", "python"):
        raise ValueError("This cache was not made from a CSV file, so it has no rows to export.")
    dialect = Dialect.from_dict(meta["result"]["dialect"])
    header = list(meta["columns"])
    width = len(header)
    number_columns = set(meta["channel_indexes"].values())
    if series.time_kind == "numeric" or series.result.get("epoch_unit"):
        number_columns.add(meta["time_index"])
    number_columns = frozenset(number_columns)
    codes, label_names = _label_codes(row_labels, series.rows, series.order)
    label_name = LABEL_COLUMN
    taken = {name.strip() for name in header}
    copy = 2
    while label_name in taken:
        label_name, copy = f"{LABEL_COLUMN}_{copy}", copy + 1

    hasher = hashlib.sha256()
    if meta["reader"] == "arrow":
        chunks = arrow_chunks(
            source,
            dialect,
            column_count=width,
            column_types={index: pa.string() for index in range(width)},
            null_values=False,
            hasher=hasher,
        )
    else:
        chunks = python_chunks(
            source, dialect, column_count=width, stats=CarefulStats(), hasher=hasher
        )

    partial = out.with_name(f".{out.name}.part")
    written = 0
    try:
        with partial.open("wb") as handle:
            handle.write(_lines([pa.array([name]) for name in [*header, label_name]]))
            for first_row, columns in chunks:
                cells = [columns[index] for index in range(width)]
                count = len(cells[0])
                if first_row + count > series.rows:
                    raise ValueError("The source file has more rows than its cache.")
                cells = [
                    _plain_numbers(column, dialect) if index in number_columns else column
                    for index, column in enumerate(cells)
                ]
                labels = pc.take(label_names, pa.array(codes[first_row : first_row + count]))
                handle.write(_lines([*cells, labels], numbers=number_columns))
                written = first_row + count
        if written != series.rows or hasher.hexdigest() != series.checksum:
            raise ValueError(
                "The source file does not match its cache (it changed after upload); "
                "ingest it again before exporting."
            )
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
