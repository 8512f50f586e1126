"""A catalogue of awkward CSV uploads and what must happen to each (SPEC §8).

Plain data, no imports from the project: the ingest tests (tests/ingest/) and the upload API
tests both parametrize over ``CSV_CASES``. Each case is one file:

- ``outcome == "created"``: the file is accepted; every string in ``warnings`` is part of
  some warning, and ``rows`` / ``channels`` / ``time_kind`` / ``time_start`` / ``time_end``
  (when not None) equal the result's.
- ``outcome == "rejected"``: the file is refused; ``error`` is part of the message shown to
  the person, and ``code`` is ``IngestError.code``.

``options`` are ``ingest_csv`` keyword arguments (``time_column`` / ``channels``): for the
API they are the project's time-column and channel choice.
"""

import codecs
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class CsvCase:
    id: str
    file_name: str
    content: bytes
    outcome: str  # "created" | "rejected"
    warnings: tuple[str, ...] = ()
    rows: int | None = None
    channels: tuple[str, ...] | None = None
    time_kind: str | None = None
    time_start: float | str | None = None
    time_end: float | str | None = None
    error: str | None = None
    code: str | None = None
    options: dict = field(default_factory=dict)

    def write(self, folder: Path) -> Path:
        path = Path(folder) / self.file_name
        path.write_bytes(self.content)
        return path


def _text(lines: list[str], *, end: str = "\n") -> str:
    return end.join(lines) + end


PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00\x00\x00\x01\x00\x08\x06"

CSV_CASES: list[CsvCase] = [
    # ---------------------------------------------------------------- handled
    CsvCase(
        id="cp1252_text",
        file_name="cp1252.csv",
        content=_text(
            ["time,température,note", "0,1.5,café", "1,2.5,crème brûlée", "2,3.5,déjà vu"]
        ).encode("cp1252"),
        outcome="created",
        warnings=("not UTF-8", "cp1252", "not used as channels"),
        rows=3,
        channels=("température",),
        time_kind="numeric",
        time_start=0.0,
        time_end=2.0,
    ),
    CsvCase(
        id="utf16_bom",
        file_name="utf16.csv",
        content=_text(["time,a,b", "0,1.5,2", "1,2.5,3", "2,3.5,4"]).encode("utf-16"),
        outcome="created",
        warnings=("not UTF-8", "UTF-16"),
        rows=3,
        channels=("a", "b"),
        time_kind="numeric",
    ),
    CsvCase(
        id="semicolon_decimal_comma",
        file_name="semicolon.csv",
        content=_text(["time;a;b", "0,0;1,5;-2,25", "0,5;2,5;3,0", "1,0;3,5;4,75"]).encode(),
        outcome="created",
        warnings=("decimal comma",),
        rows=3,
        channels=("a", "b"),
        time_kind="numeric",
        time_start=0.0,
        time_end=1.0,
    ),
    CsvCase(
        id="tab_delimited",
        file_name="tabs.csv",
        content=_text(["time\ta\tb", "0\t1.5\t2", "1\t2.5\t3", "2\t3.5\t4"]).encode(),
        outcome="created",
        rows=3,
        channels=("a", "b"),
        time_kind="numeric",
    ),
    CsvCase(
        id="utf8_bom_crlf",
        file_name="bom_crlf.csv",
        content=codecs.BOM_UTF8
        + _text(["time,a,b", "0,1,2", "1,2,3", "2,3,4"], end="\r\n").encode(),
        outcome="created",
        rows=3,
        channels=("a", "b"),
        time_kind="numeric",
        time_start=0.0,
        time_end=2.0,
    ),
    CsvCase(
        id="thousands_comma",
        file_name="thousands.csv",
        content=_text(
            [
                "time,price,volume",
                '0,"1,234.5","12,000"',
                '1,"1,300.25","9,500"',
                '2,999.5,"10,250"',
            ]
        ).encode(),
        outcome="created",
        warnings=("thousands separators",),
        rows=3,
        channels=("price", "volume"),
        time_kind="numeric",
    ),
    CsvCase(
        id="thousands_dot_decimal_comma",
        file_name="thousands_eu.csv",
        content=_text(["time;price", "0;1.234,5", "1;2.345,75", "2;999,5"]).encode(),
        outcome="created",
        warnings=("decimal comma", "thousands separators"),
        rows=3,
        channels=("price",),
        time_kind="numeric",
    ),
    CsvCase(
        id="nan_and_blank_cells",
        file_name="gaps.csv",
        content=_text(["time,a,b", "0,1.0,", "1,NaN,2", "2,3.0,NA", "3,4.0,5"]).encode(),
        outcome="created",
        warnings=("kept as gaps", "'a' 1", "'b' 2"),
        rows=4,
        channels=("a", "b"),
        time_kind="numeric",
    ),
    CsvCase(
        id="iso_utc_z",
        file_name="iso_z.csv",
        content=_text(
            [
                "timestamp,a",
                "2024-01-02T03:04:05Z,1",
                "2024-01-02T03:04:06Z,2",
                "2024-01-02T03:04:07Z,3",
            ]
        ).encode(),
        outcome="created",
        rows=3,
        channels=("a",),
        time_kind="datetime",
        time_start="2024-01-02T03:04:05Z",
        time_end="2024-01-02T03:04:07Z",
    ),
    CsvCase(
        id="iso_offset_plus_two",
        file_name="offsets.csv",
        content=_text(
            [
                "time,a",
                "2024-01-02T03:04:05+02:00,1",
                "2024-01-02T03:04:06+02:00,2",
                "2024-01-02T03:04:07+02:00,3",
            ]
        ).encode(),
        outcome="created",
        warnings=("converted to UTC",),
        rows=3,
        channels=("a",),
        time_kind="datetime",
        time_start="2024-01-02T01:04:05Z",
        time_end="2024-01-02T01:04:07Z",
    ),
    CsvCase(
        id="common_datetime_format",
        file_name="datetimes.csv",
        content=_text(
            [
                "date,a",
                "2024-01-02 03:04:05.123,1",
                "2024-01-02 03:04:05.223,2",
                "2024-01-02 03:04:05.323,3",
            ]
        ).encode(),
        outcome="created",
        rows=3,
        channels=("a",),
        time_kind="datetime",
        time_start="2024-01-02T03:04:05.123",
        time_end="2024-01-02T03:04:05.323",
    ),
    CsvCase(
        id="day_first_unambiguous",
        file_name="day_first.csv",
        content=_text(
            ["time,a", "12/01/2024 03:04,1", "13/01/2024 03:04,2", "14/01/2024 03:04,3"]
        ).encode(),
        outcome="created",
        warnings=("day/month/year",),
        rows=3,
        channels=("a",),
        time_kind="datetime",
        time_start="2024-01-12T03:04:00",
        time_end="2024-01-14T03:04:00",
    ),
    CsvCase(
        id="first_column_datetimes_without_time_name",
        file_name="when.csv",
        content=_text(
            ["when,a", "2024-01-02 03:04:05,1", "2024-01-02 03:04:06,2", "2024-01-02 03:04:07,3"]
        ).encode(),
        outcome="created",
        rows=3,
        channels=("a",),
        time_kind="datetime",
        time_start="2024-01-02T03:04:05",
    ),
    CsvCase(
        id="epoch_seconds",
        file_name="epoch_s.csv",
        content=_text(["timestamp,a", "1704164645,1", "1704164646,2", "1704164647,3"]).encode(),
        outcome="created",
        warnings=("epoch seconds",),
        rows=3,
        channels=("a",),
        time_kind="datetime",
        time_start="2024-01-02T03:04:05Z",
        time_end="2024-01-02T03:04:07Z",
    ),
    CsvCase(
        id="epoch_milliseconds",
        file_name="epoch_ms.csv",
        content=_text(
            ["timestamp,a", "1704164645000,1", "1704164645100,2", "1704164645200,3"]
        ).encode(),
        outcome="created",
        warnings=("epoch milliseconds",),
        rows=3,
        channels=("a",),
        time_kind="datetime",
        time_start="2024-01-02T03:04:05.000Z",
        time_end="2024-01-02T03:04:05.200Z",
    ),
    CsvCase(
        id="no_time_column",
        file_name="no_time.csv",
        content=_text(["a,b", "1,2", "3,4", "5,6"]).encode(),
        outcome="created",
        rows=3,
        channels=("a", "b"),
        time_kind="index",
        time_start=0.0,
        time_end=2.0,
    ),
    CsvCase(
        id="one_data_row",
        file_name="one_row.csv",
        content=_text(["time,a,b", "0.5,1,2"]).encode(),
        outcome="created",
        rows=1,
        channels=("a", "b"),
        time_kind="numeric",
        time_start=0.5,
        time_end=0.5,
    ),
    CsvCase(
        id="unsorted_times",
        file_name="unsorted.csv",
        content=_text(["time,a", "0,10", "2,30", "1,20", "3,40"]).encode(),
        outcome="created",
        warnings=("1 row was out of time order", "sorted"),
        rows=4,
        channels=("a",),
        time_kind="numeric",
        time_start=0.0,
        time_end=3.0,
    ),
    CsvCase(
        id="no_header_row",
        file_name="no_header.csv",
        content=_text(["0,1.5,2", "1,2.5,3", "2,3.5,4"]).encode(),
        outcome="created",
        warnings=("no header row",),
        rows=3,
        channels=("column_1", "column_2", "column_3"),
        time_kind="index",
    ),
    CsvCase(
        id="text_later_in_a_numeric_column",
        file_name="late_text.csv",
        content=_text(["time,a,b", "0,1,2", "1,2,3", "2,oops,4", "3,4,5"]).encode(),
        outcome="created",
        warnings=("'a' was not used as a channel", "data row 3 holds text"),
        rows=4,
        channels=("b",),
        time_kind="numeric",
    ),
    CsvCase(
        id="trailing_delimiter",
        file_name="trailing.csv",
        content=_text(["time,a,b,", "0,1,2,", "1,2,3,"]).encode(),
        outcome="created",
        rows=2,
        channels=("a", "b"),
        time_kind="numeric",
    ),
    CsvCase(
        id="chosen_channels",
        file_name="chosen.csv",
        content=_text(["time,a,b,c", "0,1,2,3", "1,2,3,4"]).encode(),
        outcome="created",
        rows=2,
        channels=("c", "a"),
        time_kind="numeric",
        options={"channels": ["c", "a"]},
    ),
    CsvCase(
        id="forced_row_index",
        file_name="forced_index.csv",
        content=_text(["time,a", "5,1", "7,2"]).encode(),
        outcome="created",
        rows=2,
        channels=("time", "a"),
        time_kind="index",
        options={"time_column": ""},
    ),
    # ---------------------------------------------------------------- refused
    CsvCase(
        id="empty_file",
        file_name="empty.csv",
        content=b"",
        outcome="rejected",
        error="The file is empty.",
        code="empty_file",
    ),
    CsvCase(
        id="blank_lines_only",
        file_name="blank.csv",
        content=b"\r\n\n  \n",
        outcome="rejected",
        error="The file is empty.",
        code="empty_file",
    ),
    CsvCase(
        id="header_only",
        file_name="header_only.csv",
        content=b"time,a,b\n",
        outcome="rejected",
        error="The file has a header row but no data rows.",
        code="header_only",
    ),
    CsvCase(
        id="no_numeric_channel",
        file_name="words.csv",
        content=_text(["time,name,city", "0,ann,paris", "1,bob,rome"]).encode(),
        outcome="rejected",
        error="The file has no numeric column to use as a channel",
        code="no_numeric_channel",
    ),
    CsvCase(
        id="binary_png",
        file_name="picture.csv",
        content=PNG_HEADER + bytes(range(256)) * 4,
        outcome="rejected",
        error="This file is not a CSV text file: it looks like a PNG image.",
        code="binary_file",
    ),
    CsvCase(
        id="binary_nul_bytes",
        file_name="binary.csv",
        content=b"time,a\n0,1\n" + b"\x00\x01\x02\x03\xfe\xff" * 64,
        outcome="rejected",
        error="This file is not a CSV text file",
        code="binary_file",
    ),
    CsvCase(
        id="excel_workbook",
        file_name="workbook.csv",
        content=b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"\x00" * 64,
        outcome="rejected",
        error="Excel workbook",
        code="binary_file",
    ),
    CsvCase(
        id="duplicate_times",
        file_name="duplicates.csv",
        content=_text(["time,a", "0,1", "1,2", "1,3", "2,4"]).encode(),
        outcome="rejected",
        error="data rows 2 and 3 both have 1",
        code="duplicate_times",
    ),
    CsvCase(
        id="duplicate_times_unsorted",
        file_name="duplicates_unsorted.csv",
        content=_text(["time,a", "2,1", "0,2", "2,3", "1,4"]).encode(),
        outcome="rejected",
        error="data rows 1 and 3 both have 2",
        code="duplicate_times",
    ),
    CsvCase(
        id="unparseable_time",
        file_name="bad_time.csv",
        content=_text(
            [
                "time,a",
                "2024-01-02 03:04:05,1",
                "2024-01-02 03:04:06,2",
                "not a time,3",
                "2024-01-02 03:04:08,4",
            ]
        ).encode(),
        outcome="rejected",
        error="cannot be read as a date-time at data row 3 ('not a time')",
        code="unparseable_time",
    ),
    CsvCase(
        id="unparseable_numeric_time",
        file_name="bad_number_time.csv",
        content=_text(["time,a", "0,1", "1,2", "two,3", "3,4", ",5"]).encode(),
        outcome="rejected",
        error="cannot be read as a number at data rows 3, 5",
        code="unparseable_time",
    ),
    CsvCase(
        id="mixed_date_formats",
        file_name="mixed_formats.csv",
        content=_text(
            [
                "time,a",
                "2024-01-02 03:04:05,1",
                "2024-01-02 03:04:06,2",
                "2024-01-02 03:04:07,3",
                "02/01/2024 03:04:08,4",
            ]
        ).encode(),
        outcome="rejected",
        error="mixes date formats",
        code="mixed_date_formats",
    ),
    CsvCase(
        id="mixed_offsets",
        file_name="mixed_offsets.csv",
        content=_text(
            [
                "time,a",
                "2024-01-02T03:04:05Z,1",
                "2024-01-02T03:04:06Z,2",
                "2024-01-02T03:04:07,3",
            ]
        ).encode(),
        outcome="rejected",
        error="mixes times with and without a UTC offset",
        code="mixed_date_formats",
    ),
    CsvCase(
        id="ambiguous_day_month",
        file_name="ambiguous.csv",
        content=_text(
            ["time,a", "02/01/2024 03:04,1", "03/01/2024 03:04,2", "04/01/2024 03:04,3"]
        ).encode(),
        outcome="rejected",
        error="can be read as day/month/year or as month/day/year",
        code="ambiguous_dates",
    ),
    CsvCase(
        id="ragged_row",
        file_name="ragged.csv",
        content=_text(["time,a,b", "0,1,2", "1,2,3,4", "2,3,4"]).encode(),
        outcome="rejected",
        error="Data row 2 has 4 cells but the header has 3 columns",
        code="ragged_rows",
    ),
    CsvCase(
        id="missing_channel",
        file_name="missing_channel.csv",
        content=_text(["time,a,b", "0,1,2", "1,2,3"]).encode(),
        outcome="rejected",
        error="The channel is not in the file: 'zzz'.",
        code="missing_channels",
        options={"channels": ["a", "zzz"]},
    ),
    CsvCase(
        id="missing_time_column",
        file_name="missing_time.csv",
        content=_text(["time,a,b", "0,1,2", "1,2,3"]).encode(),
        outcome="rejected",
        error="The time column 'when' is not in the file.",
        code="missing_time_column",
        options={"time_column": "when"},
    ),
    CsvCase(
        id="chosen_channel_not_numeric",
        file_name="chosen_text.csv",
        content=_text(["time,a,note", "0,1,x", "1,2,y"]).encode(),
        outcome="rejected",
        error="The channel 'note' is not numeric",
        code="channel_not_numeric",
        options={"channels": ["a", "note"]},
    ),
]

CASES_BY_ID = {case.id: case for case in CSV_CASES}
assert len(CASES_BY_ID) == len(CSV_CASES), "case ids must be unique"
