"""Finding out how a CSV file is written, from a sample of its first bytes."""

import codecs
import csv
import io
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import IngestError
from .numbers import NA_TOKENS, parse_numbers
from .timeparse import ISO_PATTERN

SAMPLE_BYTES = 256 * 1024
MAX_SAMPLE_BYTES = 16 * 1024 * 1024  # grown until it holds a line break
SAMPLE_ROWS = 2000
MAX_COLUMNS = 10_000
DELIMITERS = (",", ";", "\t", "|")

ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 (little-endian, no BOM)",
    "utf-16-be": "UTF-16 (big-endian, no BOM)",
    "utf-32": "UTF-32",
    "cp1252": "Windows-1252 (cp1252)",
    "latin-1": "Latin-1 (ISO-8859-1)",
}

_BINARY_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive or an Excel workbook (.xlsx)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls) or another Office file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"SQLite format 3", "an SQLite database"),
    (b"PAR1", "a Parquet file"),
)
_NA_SET = frozenset(NA_TOKENS)
_ISO_DATETIME = re.compile(ISO_PATTERN)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
NUMBER_FORMAT_ROWS = 300  # rows looked at to find the decimal mark and thousands separator
_DEC_COMMA = re.compile(r"^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$")
_DEC_DOT = re.compile(r"^[+-]?\d*\.\d+(?:[eE][+-]?\d+)?$")
_DOT_GROUPS = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_DOT_GROUPS_ONLY = re.compile(r"^[+-]?\d{1,3}(?:\.\d{3})+$")
_SPACE_GROUPS = re.compile(r"^[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:,\d+)?$")
_COMMA_GROUPS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$")
_COMMA_GROUPS_ONLY = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+$")


@dataclass(frozen=True)
class Dialect:
    """How the file is written. ``encoding`` is the Python codec used to decode it."""

    encoding: str = "utf-8"
    has_bom: bool = False
    delimiter: str = ","
    quotechar: str = '"'
    decimal: str = "."
    thousands: str | None = None
    has_header: bool = True
    line_ending: str = "LF"

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> "Dialect":
        return cls(**{key: values[key] for key in cls.__dataclass_fields__ if key in values})

    @property
    def encoding_name(self) -> str:
        return ENCODING_NAMES.get(self.encoding, self.encoding)


@dataclass
class Sample:
    """The start of a file, decoded and split into cells."""

    dialect: Dialect
    header: list[str]  # as written (empty list when the file has no header row)
    rows: list[list[str]]  # data rows of the sample, padded / cut to the header width
    complete: bool  # the sample is the whole file
    warnings: list[str] = field(default_factory=list)


def _read_sample(path: Path) -> tuple[bytes, bool]:
    size = SAMPLE_BYTES
    with path.open("rb") as handle:
        raw = handle.read(size)
        while (
            len(raw) == size and size < MAX_SAMPLE_BYTES and b"\n" not in raw and b"\r" not in raw
        ):
            more = handle.read(size)
            raw += more
            size *= 2
            if not more:
                break
        complete = not handle.read(1)
    return raw, complete


def _refuse_binary(what: str) -> IngestError:
    return IngestError(
        f"This file is not a CSV text file: it looks like {what}. Upload the data as CSV text.",
        code="binary_file",
        detail={"looks_like": what},
    )


def detect_encoding(raw: bytes) -> tuple[str, bool]:
    """``(codec, has_bom)`` from the first bytes; refuses binary files."""
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", True
    if raw.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32", True
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", True
    for magic, what in _BINARY_MAGIC:
        if raw.startswith(magic):
            raise _refuse_binary(what)
    if b"\x00" in raw:
        even, odd = raw[0::2], raw[1::2]
        if odd and odd.count(0) > 0.4 * len(odd) and even.count(0) == 0:
            return "utf-16-le", False
        if even and even.count(0) > 0.4 * len(even) and odd.count(0) == 0:
            return "utf-16-be", False
        raise _refuse_binary("binary data (it contains NUL bytes)")
    return "utf-8", False


def _decode_sample(raw: bytes, encoding: str, complete: bool) -> tuple[str, str]:
    """Decode with ``encoding``; falls back from UTF-8 to cp1252, then Latin-1."""
    tries = [encoding] if encoding != "utf-8" else ["utf-8", "cp1252", "latin-1"]
    for codec in tries:
        decoder = codecs.getincrementaldecoder(codec)()
        try:
            return decoder.decode(raw, final=complete), codec
        except UnicodeDecodeError:
            continue
    raise _refuse_binary(f"text in an unknown encoding (not {ENCODING_NAMES[encoding]})")


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise _refuse_binary("binary data (it contains NUL bytes)")
    head = text[:65536]
    if len(_CONTROL.findall(head)) > max(8, len(head) // 100):
        raise _refuse_binary("binary data (it contains many control characters)")


def _line_ending(text: str) -> str:
    if "\r\n" in text:
        return "CRLF"
    if "\r" in text and "\n" not in text:
        return "CR"
    return "LF"


def _parse_rows(text: str, delimiter: str, limit: int) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"')
    rows = []
    try:
        for row in reader:
            if row:
                rows.append(row)
                if len(rows) >= limit:
                    break
    except csv.Error as exc:
        if "field limit" in str(exc):
            raise IngestError(
                f"A cell of this file is longer than {csv.field_size_limit()} characters; "
                "no CSV cell can be read that long.",
                code="cell_too_long",
            ) from exc
        raise _refuse_binary(f"binary data ({exc})") from exc
    return rows


def _check_width(header: list[str]) -> None:
    if len(header) > MAX_COLUMNS:
        raise IngestError(
            f"This file has {len(header):,} columns; at most {MAX_COLUMNS:,} can be read. "
            "Split it into files with fewer columns.",
            code="too_many_columns",
            detail={"columns": len(header), "limit": MAX_COLUMNS},
        )


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the header and most rows into the same number (> 1) of cells."""
    best, best_score = ",", (0.0, 0, 0)
    for rank, delimiter in enumerate(DELIMITERS):
        try:
            rows = _parse_rows(text, delimiter, 200)
        except IngestError:
            continue  # a line too long for one cell: split by another delimiter
        if not rows:
            continue
        width = len(rows[0])
        if width < 2:
            continue
        agreeing = sum(1 for row in rows if len(row) == width) / len(rows)
        score = (agreeing, width, -rank)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _numeric_cells(rows: list[list[str]]) -> list[str]:
    cells = []
    for row in rows[:NUMBER_FORMAT_ROWS]:
        for cell in row:
            cell = cell.strip()
            if cell and cell not in _NA_SET and cell[-1:].isdigit():
                cells.append(cell)
    return cells


def detect_number_format(rows: list[list[str]], delimiter: str) -> tuple[str, str | None]:
    """``(decimal, thousands)`` from the numeric-looking cells of the data rows."""
    cells = _numeric_cells(rows)
    comma_decimals = sum(
        1
        for c in cells
        if _DEC_COMMA.match(c) or "," in c and (_DOT_GROUPS.match(c) or _SPACE_GROUPS.match(c))
    )
    dot_decimals = sum(1 for c in cells if _DEC_DOT.match(c) and not _DOT_GROUPS_ONLY.match(c))
    comma_groups = sum(1 for c in cells if _COMMA_GROUPS.match(c))
    comma_groups_only = sum(1 for c in cells if _COMMA_GROUPS_ONLY.match(c))
    # "1,234" alone is a decimal comma in a ';' file but thousands in a ',' file
    if delimiter == ",":
        comma_decimals -= comma_groups_only
        if comma_groups and comma_decimals <= 0:
            return ".", ","
        if comma_decimals > 0 and dot_decimals == 0 and comma_groups == 0:
            return ",", None
        return ".", None
    if comma_decimals > 0 and dot_decimals == 0:
        if any(_DOT_GROUPS.match(c) for c in cells if "." in c):
            return ",", "."
        spaced = next((c for c in cells if _SPACE_GROUPS.match(c)), None)
        if spaced is not None:  # a space, no-break space or narrow no-break space
            return ",", next(ch for ch in spaced.lstrip("+-") if not ch.isdigit())
        return ",", None
    if comma_groups and dot_decimals:
        return ".", ","
    return ".", None


def _looks_like_value(cell: str, decimal: str, thousands: str | None) -> bool:
    cell = cell.strip()
    if not cell:
        return True
    _, bad = parse_numbers([cell], decimal=decimal, thousands=thousands)
    if not bad[0] and cell not in _NA_SET:
        return True
    return bool(_ISO_DATETIME.match(cell))


def sniff(path: Path) -> Sample:
    """Read the start of ``path`` and work out its dialect, header and sample rows."""
    raw, complete = _read_sample(path)
    body = raw[len(codecs.BOM_UTF8) :] if raw.startswith(codecs.BOM_UTF8) else raw
    if not body.strip(b" \t\r\n\x0c"):
        raise IngestError("The file is empty.", code="empty_file")
    encoding, has_bom = detect_encoding(raw)
    text, encoding = _decode_sample(raw, encoding, complete)
    _check_text(text)
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise IngestError("The file is empty.", code="empty_file")
    if not complete:
        cut = max(text.rfind("\n"), text.rfind("\r"))
        text = text[: cut + 1] if cut >= 0 else text
    warnings = []
    if encoding not in ("utf-8", "utf-8-sig"):
        warnings.append(
            f"The file is not UTF-8; it was read as {ENCODING_NAMES.get(encoding, encoding)}."
        )
    delimiter = detect_delimiter(text)
    rows = _parse_rows(text, delimiter, SAMPLE_ROWS + 1)
    if not rows:
        raise IngestError("The file is empty.", code="empty_file")
    _check_width(rows[0])
    decimal, thousands = detect_number_format(rows[1:] or rows, delimiter)
    first = rows[0]
    has_header = not all(_looks_like_value(cell, decimal, thousands) for cell in first) or all(
        not cell.strip() for cell in first
    )
    header = first if has_header else []
    data_rows = rows[1:] if has_header else rows
    if decimal == ",":
        warnings.append("Numbers were read with a decimal comma (1,5 = 1.5).")
    if thousands:
        shown = "spaces" if thousands.isspace() else f"'{thousands}'"
        warnings.append(
            f"Numbers were read with thousands separators ({shown}), e.g. 1{thousands}234."
        )
    dialect = Dialect(
        encoding=encoding,
        has_bom=has_bom,
        delimiter=delimiter,
        decimal=decimal,
        thousands=thousands,
        has_header=has_header,
        line_ending=_line_ending(text),
    )
    return Sample(
        dialect=dialect, header=header, rows=data_rows, complete=complete, warnings=warnings
    )
