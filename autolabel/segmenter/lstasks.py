"""Label Studio tasks and CSV files -> recordings (for the command line and the LS backend).

A data folder holds CSV files, `annotations.json` (a list of Label Studio tasks whose
`data.<value key>` names the CSV; only its base name is used) and `label_config.xml`.
"""

import json
import posixpath
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import pandas as pd

from .labelconfig import LabelConfig, parse_label_config
from .recording import Recording, Region


class DataError(ValueError):
    """A data folder, task or CSV that cannot be used; the message says why."""


@dataclass
class SeriesTable:
    """Channel values plus the time axis of one CSV.

    times: what predictions report (numbers, ISO strings, or None for the row index);
    time_kind: "index", "numeric" or "datetime"; time_numbers: float64 positions used to map
    annotation times to rows (nanoseconds for date-times).
    """

    values: np.ndarray
    times: np.ndarray | None
    time_kind: str
    time_numbers: np.ndarray


def _datetime_numbers(strings) -> np.ndarray:
    for fmt in ("ISO8601", "mixed"):
        try:
            stamps = pd.to_datetime(pd.Series(strings), utc=True, format=fmt)
        except (ValueError, TypeError):
            continue
        if not stamps.isna().any():
            return stamps.dt.as_unit("ns").astype("int64").to_numpy(dtype=np.float64)
    raise DataError("time values are neither numbers nor readable date-times")


def read_series_csv(path, channels, time_column: str | None) -> SeriesTable:
    """Read the channels (float32) and the time column of a CSV file."""
    path = Path(path)
    try:
        frame = pd.read_csv(path)
    except FileNotFoundError:
        raise DataError(f"CSV file not found: {path}") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise DataError(f"{path.name}: not a readable CSV file ({exc})") from None
    wanted = list(channels) + ([time_column] if time_column else [])
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise DataError(f"{path.name}: missing column(s) {', '.join(missing)}")
    try:
        values = frame[list(channels)].to_numpy(dtype=np.float32)
    except (ValueError, TypeError):
        raise DataError(f"{path.name}: channel columns must be numeric") from None
    if time_column is None:
        rows = np.arange(len(frame), dtype=np.float64)
        return SeriesTable(values, None, "index", rows)
    column = frame[time_column]
    if pd.api.types.is_numeric_dtype(column):
        table = SeriesTable(values, column.to_numpy(), "numeric", column.to_numpy(np.float64))
    else:
        strings = column.astype(str).to_numpy()
        table = SeriesTable(values, strings, "datetime", _datetime_numbers(strings))
    if np.any(np.diff(table.time_numbers) < 0):
        raise DataError(f"{path.name}: the time column {time_column!r} is not sorted")
    return table


def select_annotation(task: dict) -> dict | None:
    """The annotation that trains: a ground-truth one if any, else the most recent; cancelled
    annotations never count."""
    usable = [
        a
        for a in task.get("annotations") or []
        if isinstance(a, dict) and not a.get("was_cancelled") and isinstance(a.get("result"), list)
    ]
    if not usable:
        return None
    ground_truth = [a for a in usable if a.get("ground_truth")]
    pool = ground_truth or usable
    return max(
        pool,
        key=lambda a: (
            str(a.get("updated_at") or a.get("created_at") or ""),
            _as_number(a.get("id")),
        ),
    )


def _as_number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


def _time_number(value, time_kind: str) -> float:
    """Annotation time -> the units of SeriesTable.time_numbers. For date-time files a string
    is a date-time and a number is Label Studio's milliseconds since the epoch."""
    if time_kind != "datetime":
        return float(value)
    if isinstance(value, str):
        return float(pd.Timestamp(value).as_unit("ns").value)  # naive = UTC, as the column
    return float(value) * 1e6


def rows_of_region(value: dict, table: SeriesTable) -> tuple[int, int, bool]:
    """A Label Studio region value -> (first row, last row, instant).

    A range covers the rows whose time lies in [start, end]; an instant (start == end, or a
    range between two samples) is the nearest row.
    """
    times = table.time_numbers
    start = _time_number(value["start"], table.time_kind)
    end = _time_number(value.get("end", value["start"]), table.time_kind)
    start, end = min(start, end), max(start, end)
    instant = bool(value.get("instant")) or start == end
    steps = np.diff(times)
    eps = abs(float(np.median(steps))) * 1e-6 if steps.size else 1e-9
    first = int(np.searchsorted(times, start - eps, side="left"))
    last = int(np.searchsorted(times, end + eps, side="right")) - 1
    if instant or first > last:
        row = int(np.clip(np.searchsorted(times, start), 0, len(times) - 1))
        if row > 0 and abs(times[row - 1] - start) <= abs(times[row] - start):
            row -= 1
        return row, row, instant
    return first, last, False


def task_regions(task: dict, config: LabelConfig, table: SeriesTable) -> list[Region] | None:
    """Regions of the selected annotation of a task (None when it has no annotation)."""
    annotation = select_annotation(task)
    if annotation is None:
        return None
    regions = []
    for result in annotation["result"]:
        if not isinstance(result, dict) or result.get("type", "timeserieslabels") != (
            "timeserieslabels"
        ):
            continue
        if result.get("from_name", config.from_name) != config.from_name:
            continue
        value = result.get("value") or {}
        names = value.get("timeserieslabels") or []
        if not names or names[0] not in config.labels or "start" not in value:
            continue
        try:
            first, last, instant = rows_of_region(value, table)
        except (TypeError, ValueError):
            raise DataError(f"task {task.get('id')}: unreadable region times {value}") from None
        regions.append(Region(names[0], first, last, instant))
    return regions


def csv_name(task: dict, config: LabelConfig) -> str:
    """Base name of the task's CSV (`data.csv_url` may be a file name, a path or a URL)."""
    data = task.get("data") or {}
    ref = data.get(config.value_key)
    if not isinstance(ref, str) or not ref:
        raise DataError(f"task {task.get('id')}: no data.{config.value_key}")
    name = posixpath.basename(unquote(urlparse(ref).path))
    if not name:
        raise DataError(f"task {task.get('id')}: cannot tell a file name from {ref!r}")
    return name


def read_folder(folder) -> tuple[LabelConfig, str, list[dict]]:
    """-> (parsed label config, its XML text, tasks) of a data folder."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"not a folder: {folder}")
    config_path, tasks_path = folder / "label_config.xml", folder / "annotations.json"
    for required in (config_path, tasks_path):
        if not required.is_file():
            raise DataError(f"{folder}: missing {required.name}")
    xml_text = config_path.read_text(encoding="utf-8")
    try:
        tasks = json.loads(tasks_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{tasks_path}: not valid JSON ({exc})") from None
    if not isinstance(tasks, list) or any(not isinstance(t, dict) for t in tasks):
        raise DataError(f"{tasks_path}: expected a list of Label Studio tasks")
    return parse_label_config(xml_text), xml_text, tasks


def recordings_from_tasks(
    folder, tasks: list[dict], config: LabelConfig, channels
) -> list[Recording]:
    """One recording per task with an annotation (unannotated tasks are skipped)."""
    recordings = []
    for task in tasks:
        path = Path(folder) / csv_name(task, config)
        table = read_series_csv(path, channels, config.time_column)
        regions = task_regions(task, config, table)
        if regions is not None:
            recordings.append(Recording(path.name, table.values, regions))
    return recordings
