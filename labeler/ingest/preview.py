"""What a file holds, for choosing its time column and channels by hand (the column mapping)."""

from pathlib import Path

from .dialect import sniff
from .errors import IngestError
from .plan import _classify, _datetime_cells_ok, _unique_names, make_plan
from .timeparse import TIME_FORMAT_LABELS, TIME_FORMATS

EXAMPLE_VALUES = 3

# Refusals a person fixes by choosing the time column, its format or the channels.
MAPPING_CODES = frozenset(
    {
        "missing_time_column",
        "missing_channels",
        "channel_is_time",
        "channel_not_numeric",
        "no_numeric_channel",
        "unparseable_time",
        "ambiguous_dates",
        "mixed_date_formats",
        "duplicate_times",
        "ambiguous_local_time",
    }
)


def columns_preview(source_path) -> dict:
    """``{"columns": [{"name", "kind", "examples"}], "delimiter", "time_column",
    "time_formats": [{"key", "label"}]}``.

    ``kind`` is numeric, datetime, text or empty (from the first rows); ``time_column`` is the
    column detection would take as time (None: the row number); ``time_formats`` are the
    readings an uploader may force (the upload's ``time_format`` field).
    """
    sample = sniff(Path(source_path))
    width = len(sample.header) if sample.header else max(len(row) for row in sample.rows)
    names, _, _, _ = _unique_names(sample.header, width)
    columns = []
    for position, name in enumerate(names):
        cells = [row[position] if position < len(row) else "" for row in sample.rows]
        kind = _classify(cells, sample.dialect)[0]
        if kind == "text" and _datetime_cells_ok(cells):
            kind = "datetime"
        examples = [cell.strip() for cell in cells if cell.strip()][:EXAMPLE_VALUES]
        columns.append({"name": name, "kind": kind, "examples": examples})
    try:
        detected = make_plan(sample, time_column=None, channels=None).time_name
    except IngestError:
        detected = None
    return {
        "columns": columns,
        "delimiter": sample.dialect.delimiter,
        "time_column": detected,
        "time_formats": [{"key": key, "label": TIME_FORMAT_LABELS[key]} for key in TIME_FORMATS],
    }
