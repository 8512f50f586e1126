"""Reading a CSV file block by block: two Arrow paths and a careful csv-module path.

Every path yields the same thing for the same file: ``(first_data_row, columns)`` with the data
rows in file order (blank lines skipped, the header not counted), so later steps number rows the
same way whichever path read the file.

- Arrow, typed: Arrow parses numbers itself (the fast path for clean files).
- Arrow, text: Arrow splits the rows, the cells come back as text and ``numbers.parse_numbers``
  converts them (thousands separators, text in a number column).
- Careful: Python's csv module (short or long rows, CR-only line ends, odd quoting).

The Arrow paths read UTF-8 bytes without copying; other encodings are transcoded on the way.
"""

import codecs
import csv
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
UTF8 = frozenset({"utf-8", "utf-8-sig"})


class FastPathUnavailable(Exception):
    """An Arrow path met something it does not handle.

    ``kind``: "convert" (a cell Arrow could not read as the asked type: the text path can),
    "structure" (rows, quotes or line ends: only the careful path can), "encoding" (bytes that
    are not valid in the encoding: try the next encoding).
    """

    def __init__(self, reason: str, *, kind: str):
        super().__init__(reason)
        self.kind = kind


class _HashingReader(io.RawIOBase):
    """A raw file that feeds every byte it reads to ``hasher``."""

    def __init__(self, raw, hasher):
        self._raw, self._hasher = raw, hasher

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self._raw.readinto(buffer)
        if count and self._hasher is not None:
            self._hasher.update(memoryview(buffer)[:count])
        return count

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_text(path: Path, dialect: Dialect, hasher=None) -> io.TextIOWrapper:
    raw = io.BufferedReader(_HashingReader(path.open("rb", buffering=0), hasher))
    return io.TextIOWrapper(raw, encoding=dialect.encoding, errors="strict", newline="")


def column_keys(count: int) -> list[str]:
    """Internal unique Arrow column names (file headers may repeat or be blank)."""
    return [f"c{i}" for i in range(count)]


def _utf8_pieces(path: Path, hasher, chunk_bytes: int) -> Iterator[tuple[bytearray, int, int]]:
    """Pieces ``(buffer, start, end)`` of a UTF-8 file that end after a line break.

    The same buffer is reused for every piece (no copies): use a piece before asking for the
    next one.
    """
    buffer = bytearray(chunk_bytes)
    view = memoryview(buffer)
    filled = 0
    first = True
    with path.open("rb") as handle:
        while True:
            count = handle.readinto(view[filled:])
            if count and hasher is not None:
                hasher.update(view[filled : filled + count])
            end = filled + count
            if end == 0:
                return
            if count:
                cut = buffer.rfind(b"\n", 0, end) + 1
                if cut == 0:
                    if end < len(buffer):
                        filled = end
                        continue  # short read: read on
                    raise FastPathUnavailable("a line longer than a piece", kind="structure")
            else:
                cut = end  # end of file: the last line may lack its line break
            start = 3 if first and buffer.startswith(codecs.BOM_UTF8) else 0
            first = False
            ascii_only = np.frombuffer(buffer, np.int8, cut - start, start).min(initial=0) >= 0
            if not ascii_only:
                try:
                    bytes(view[start:cut]).decode("utf-8")  # Arrow checks only text columns
                except UnicodeDecodeError as exc:
                    raise FastPathUnavailable("not UTF-8", kind="encoding") from exc
            yield buffer, start, cut
            rest = end - cut
            buffer[:rest] = buffer[cut:end]
            filled = rest
            if count == 0:
                if rest:
                    continue
                return


def _transcoded_pieces(path: Path, dialect: Dialect, hasher, chunk_bytes: int):
    """Pieces of a file in another encoding, as UTF-8 bytes ending after a line break."""
    rest = ""
    with open_text(path, dialect, hasher) as text:
        while True:
            try:
                block = text.read(chunk_bytes // 2)
            except UnicodeDecodeError as exc:
                raise FastPathUnavailable("undecodable bytes", kind="encoding") from exc
            data = rest + block
            if not data:
                return
            if block:
                cut = data.rfind("\n") + 1
                if cut == 0:
                    rest = data
                    continue
            else:
                cut = len(data)
            if data.startswith("\ufeff"):
                data = data[1:]
                cut -= 1
            piece = data[:cut].encode("utf-8")
            yield piece, 0, len(piece)
            rest = data[cut:]
            if not block:
                return


def arrow_chunks(
    path: Path,
    dialect: Dialect,
    *,
    column_count: int,
    column_types: dict[int, pa.DataType],
    null_values: bool = True,
    hasher=None,
    chunk_bytes: int = CHUNK_BYTES,
) -> Iterator[tuple[int, dict[int, pa.Array]]]:
    """Yield ``(first_row, {column_index: Arrow array})`` for the columns in ``column_types``.

    The file is read in pieces of about ``chunk_bytes`` cut after a line break (never inside a
    quoted cell: a piece with an odd number of quotes goes to the careful path) and each piece
    is parsed by Arrow with several threads. ``null_values``: read ``NA_TOKENS`` as nulls
    (else every cell comes back as its text). ``hasher`` gets every byte of the file.
    """
    if dialect.line_ending == "CR":
        raise FastPathUnavailable("CR line ends", kind="structure")
    keys = column_keys(column_count)
    convert = pacsv.ConvertOptions(
        column_types={keys[i]: kind for i, kind in column_types.items()},
        include_columns=[keys[i] for i in sorted(column_types)],
        null_values=list(NA_TOKENS) if null_values else [],
        strings_can_be_null=null_values,
        quoted_strings_can_be_null=null_values,
        decimal_point=dialect.decimal,
    )
    parse = {
        quotes: pacsv.ParseOptions(
            delimiter=dialect.delimiter,
            quote_char=dialect.quotechar,
            double_quote=True,
            newlines_in_values=quotes,  # slower: only for pieces that have quotes
            ignore_empty_lines=True,
        )
        for quotes in (False, True)
    }
    if dialect.encoding in UTF8:
        pieces = _utf8_pieces(path, hasher, chunk_bytes)
    else:
        pieces = _transcoded_pieces(path, dialect, hasher, chunk_bytes)
    first_row = 0
    first_piece = True
    quote = dialect.quotechar.encode()
    for data, start, end in pieces:
        quotes = data.count(quote, start, end) if data.find(quote, start, end) >= 0 else 0
        if quotes % 2:
            raise FastPathUnavailable("a quoted cell spans two pieces", kind="structure")
        if first_piece and data[start : start + 1] in (b"\n", b"\r"):
            raise FastPathUnavailable("blank lines before the header", kind="structure")
        read = pacsv.ReadOptions(
            column_names=keys,
            skip_rows=1 if first_piece and dialect.has_header else 0,
            block_size=ARROW_BLOCK_BYTES,
            use_threads=True,
        )
        try:
            table = pacsv.read_csv(
                pa.py_buffer(memoryview(data)[start:end]),
                read_options=read,
                parse_options=parse[quotes > 0],
                convert_options=convert,
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as exc:
            kind = "convert" if "conversion error" in str(exc).lower() else "structure"
            raise FastPathUnavailable(str(exc), kind=kind) from exc
        first_piece = False
        if table.num_rows:
            yield first_row, {i: table.column(keys[i]).combine_chunks() for i in column_types}
            first_row += table.num_rows
        del table


@dataclass
class CarefulStats:
    """What the careful path had to fix while reading."""

    short_rows: int = 0
    short_row_examples: list[int] = field(default_factory=list)


def python_rows(path: Path, dialect: Dialect, hasher=None) -> Iterator[list[str]]:
    """Every non-blank row of the file, header included, as text cells."""
    with open_text(path, dialect, hasher) as text:
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
    hasher=None,
    rows_per_chunk: int = CAREFUL_ROWS,
) -> Iterator[tuple[int, dict[int, pa.Array]]]:
    """Yield ``(first_row, {column_index: Arrow string array})`` for every column.

    Short rows are padded with blank cells (counted in ``stats``); rows with more cells than
    the header are refused unless the extra cells are blank (a trailing delimiter).
    """
    rows = python_rows(path, dialect, hasher)
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
                yield first_row, _columns(block)
                first_row += len(block)
                block = []
    except csv.Error as exc:
        row = first_row + len(block) + 1
        if "NUL" in str(exc):
            raise IngestError(
                "This file is not a CSV text file: it looks like binary data "
                f"(it contains NUL bytes near data row {row}). Upload the data as CSV text.",
                code="binary_file",
                detail={"rows": [row]},
            ) from exc
        raise IngestError(
            f"The file could not be read as CSV near data row {row}: {exc}.",
            code="unreadable_csv",
            detail={"rows": [row]},
        ) from exc
    if block:
        yield first_row, _columns(block)


def _columns(block: list[list[str]]) -> dict[int, pa.Array]:
    columns = zip(*block, strict=True)
    return {i: pa.array(column, type=pa.string()) for i, column in enumerate(columns)}
