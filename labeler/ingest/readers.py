"""Reading a CSV file block by block: a fast Arrow path and a careful csv-module path.

Both yield the same thing for the same file: ``(first_data_row, columns)`` with the data rows
of the file in order (blank lines skipped, the header row not counted), so every later step
numbers rows the same way whichever path read the file.
"""

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from .dialect import Dialect
from .errors import IngestError
from .numbers import NA_TOKENS

CHUNK_BYTES = 4 * 1024 * 1024  # bytes of CSV text per Arrow call: bounds memory
ARROW_BLOCK_BYTES = 1024 * 1024  # Arrow parses blocks of this size in parallel
CAREFUL_ROWS = 50_000  # rows per block on the careful path
FAST_ENCODINGS = frozenset({"utf-8", "utf-8-sig", "cp1252", "latin-1"})  # ASCII-compatible


class FastPathUnavailable(Exception):
    """The Arrow path met something it does not handle; the careful path must read the file."""


def column_keys(count: int) -> list[str]:
    """Internal unique Arrow column names (file headers may repeat or be blank)."""
    return [f"c{i}" for i in range(count)]


def arrow_chunks(
    path: Path,
    dialect: Dialect,
    *,
    column_count: int,
    column_types: dict[int, pa.DataType],
    null_values: bool = True,
    hasher: "hashlib._Hash | None" = None,
    chunk_bytes: int = CHUNK_BYTES,
) -> Iterator[tuple[int, dict[int, pa.Array]]]:
    """Yield ``(first_row, {column_index: arrow array})`` for the columns in ``column_types``.

    The file is read in pieces of about ``chunk_bytes`` cut after a line break (never inside a
    quoted cell: a piece with an odd number of quotes sends the file to the careful path),
    transcoded to UTF-8 when needed, and each piece is parsed by Arrow with several threads.
    ``hasher`` is fed every byte of the file as it is read.
    """
    if dialect.encoding not in FAST_ENCODINGS or dialect.line_ending == "CR":
        raise FastPathUnavailable(
            f"encoding {dialect.encoding} / line ending {dialect.line_ending}"
        )
    if dialect.thousands:
        raise FastPathUnavailable("thousands separators")
    keys = column_keys(column_count)
    include = [keys[i] for i in sorted(column_types)]
    convert = pacsv.ConvertOptions(
        column_types={keys[i]: kind for i, kind in column_types.items()},
        include_columns=include,
        null_values=list(NA_TOKENS) if null_values else [],
        strings_can_be_null=null_values,
        quoted_strings_can_be_null=null_values,
        decimal_point=dialect.decimal,
    )
    plain = pacsv.ParseOptions(
        delimiter=dialect.delimiter,
        quote_char=dialect.quotechar,
        double_quote=True,
        newlines_in_values=False,
        ignore_empty_lines=True,
    )
    # slower, for pieces with quotes: a quoted cell may hold a line break
    quoted = pacsv.ParseOptions(
        delimiter=dialect.delimiter,
        quote_char=dialect.quotechar,
        double_quote=True,
        newlines_in_values=True,
        ignore_empty_lines=True,
    )
    buffer = bytearray(chunk_bytes)
    view = memoryview(buffer)
    filled = 0
    first_row = 0
    first_piece = True
    transcode = dialect.encoding in ("cp1252", "latin-1")
    with path.open("rb") as handle:
        while True:
            count = handle.readinto(view[filled:])
            if count and hasher is not None:
                hasher.update(view[filled : filled + count])
            end = filled + count
            if end == 0:
                break
            if count:
                cut = buffer.rfind(b"\n", 0, end) + 1
                if cut == 0:
                    if end < len(buffer):
                        filled = end
                        continue  # short read: read on
                    raise FastPathUnavailable("a line longer than a chunk")
            else:
                cut = end  # end of file: the last line may lack its line break
            start = 0
            if first_piece:
                if buffer.startswith(b"\xef\xbb\xbf"):
                    start = 3
                if buffer[start : start + 1] in (b"\r", b"\n"):
                    raise FastPathUnavailable("blank lines before the header")
            piece = view[start:cut]  # no copy
            has_quotes = buffer.find(b'"', start, cut) >= 0
            if has_quotes and buffer.count(b'"', start, cut) % 2:
                raise FastPathUnavailable("a quoted cell spans the end of a piece")
            try:
                if transcode:
                    piece = bytes(piece).decode(dialect.encoding).encode("utf-8")
                elif np.frombuffer(piece, dtype=np.int8).min(initial=0) < 0:  # not ASCII
                    bytes(piece).decode("utf-8")  # Arrow checks only the text columns it reads
            except UnicodeDecodeError as exc:
                raise FastPathUnavailable("bytes that are not valid in the encoding") from exc
            read = pacsv.ReadOptions(
                column_names=keys,
                skip_rows=1 if first_piece and dialect.has_header else 0,
                block_size=ARROW_BLOCK_BYTES,
                use_threads=True,
            )
            try:
                table = pacsv.read_csv(
                    pa.py_buffer(piece),
                    read_options=read,
                    parse_options=quoted if has_quotes else plain,
                    convert_options=convert,
                )
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
                raise FastPathUnavailable(str(exc)) from exc
            first_piece = False
            if table.num_rows:
                columns = {
                    index: table.column(keys[index]).combine_chunks() for index in column_types
                }
                yield first_row, columns
                first_row += table.num_rows
            del table
            rest = end - cut
            buffer[:rest] = buffer[cut:end]
            filled = rest
            if count == 0:
                break


@dataclass
class CarefulStats:
    """What the careful path had to fix while reading."""

    short_rows: int = 0
    short_row_examples: list[int] = field(default_factory=list)


def open_text(path: Path, dialect: Dialect) -> io.TextIOWrapper:
    return io.TextIOWrapper(path.open("rb"), encoding=dialect.encoding, errors="strict", newline="")


def python_rows(path: Path, dialect: Dialect) -> Iterator[list[str]]:
    """Every non-blank row of the file, header included, as text cells."""
    with open_text(path, dialect) as text:
        reader = csv.reader(text, delimiter=dialect.delimiter, quotechar=dialect.quotechar)
        first = True
        for row in reader:
            if first and row and row[0].startswith("\ufeff"):
                row[0] = row[0][1:]
            first = False
            if row:
                yield row


def python_chunks(
    path: Path,
    dialect: Dialect,
    *,
    column_count: int,
    stats: CarefulStats,
    rows_per_chunk: int = CAREFUL_ROWS,
) -> Iterator[tuple[int, list[list[str]]]]:
    """Yield ``(first_row, columns)`` with every column as a list of text cells.

    Short rows are padded with blank cells (counted in ``stats``); rows with more cells than
    the header are refused unless the extra cells are blank (a trailing delimiter).
    """
    rows = python_rows(path, dialect)
    if dialect.has_header:
        next(rows, None)
    block: list[list[str]] = []
    first_row = 0
    try:
        for number, row in enumerate(rows, start=1):
            width = len(row)
            if width < column_count:
                stats.short_rows += 1
                if len(stats.short_row_examples) < 10:
                    stats.short_row_examples.append(number)
                row = row + [""] * (column_count - width)
            elif width > column_count:
                if any(cell.strip() for cell in row[column_count:]):
                    raise IngestError(
                        f"Data row {number} has {width} cells but the header has "
                        f"{column_count} columns. Check the delimiter and quoting of that row.",
                        code="ragged_rows",
                        detail={"rows": [number], "cells": width, "columns": column_count},
                    )
                row = row[:column_count]
            block.append(row)
            if len(block) >= rows_per_chunk:
                yield first_row, [list(column) for column in zip(*block, strict=True)]
                first_row += len(block)
                block = []
    except csv.Error as exc:
        if "NUL" in str(exc):
            raise IngestError(
                "This file is not a CSV text file: it looks like binary data "
                f"(it contains NUL bytes near data row {first_row + len(block) + 1}). "
                "Upload the data as CSV text.",
                code="binary_file",
                detail={"rows": [first_row + len(block) + 1]},
            ) from exc
        raise IngestError(
            f"The file could not be read as CSV near data row {first_row + len(block) + 1}: {exc}.",
            code="unreadable_csv",
            detail={"rows": [first_row + len(block) + 1]},
        ) from exc
    if block:
        yield first_row, [list(column) for column in zip(*block, strict=True)]
