"""Outputs of a saved file: <id>~<stem>_labels.csv, _labeled.csv, _labels.json.

The file's id makes the names unique (two names can reduce to the same safe stem); `~` is
never in a safe stem, so these names are never confused with the older `<stem>_labels.csv`.
"""

import csv
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from labeler import storage
from labeler.ingest import write_labeled_csv
from labeler.ingest.export import FORMULA_STARTS, NUMBER_PATTERN
from labeler.label_config import LabelSet, label_config_parse
from labeler.working_state.base import MANUAL_SOURCE, is_model_made

OUTPUT_SUFFIXES = ("_labels.csv", "_labeled.csv", "_labels.json")
FILE_ID_END = "~"  # never in a safe stem
LABELS_CSV_COLUMNS = ["start", "end", "instant", "label", "description", "source", "score"]


def spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula gets a leading quote; numbers stay numbers."""
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return value
    return value if NUMBER_PATTERN.match(value) else "'" + value


def output_paths(series_file) -> dict[str, Path]:
    folder = storage.outputs_dir(series_file.project_id)
    stem = f"{series_file.id}{FILE_ID_END}{storage.safe_stem(series_file.name)}"
    return {suffix: folder / f"{stem}{suffix}" for suffix in OUTPUT_SUFFIXES}


def output_file_id(name: str) -> int | None:
    """The id of the file an output name belongs to (None: not a name output_paths gives)."""
    file_id, separator, _rest = name.partition(FILE_ID_END)
    return int(file_id) if separator and file_id.isdecimal() else None


def legacy_output_paths(series_file) -> dict[str, Path]:
    """Where outputs were written before their names carried the file's id."""
    folder = storage.outputs_dir(series_file.project_id)
    stem = storage.safe_stem(series_file.name)
    return {suffix: folder / f"{stem}{suffix}" for suffix in OUTPUT_SUFFIXES}


def outputs_write(series_file, annotations: list[dict]) -> list[Path]:
    """Write the three outputs together: all of them are replaced, or none (storage)."""
    paths = output_paths(series_file)
    ordered = sorted(annotations, key=lambda a: (_sort_key(a["start"]), a["id"]))
    storage.write_together(
        {
            paths["_labels.csv"]: lambda tmp: _write_labels_csv(tmp, ordered),
            paths["_labeled.csv"]: lambda tmp: _write_labeled_csv(tmp, series_file, ordered),
            paths["_labels.json"]: lambda tmp: _write_labels_json(tmp, series_file, ordered),
        }
    )
    return list(paths.values())


def _sort_key(value):
    return (0, value, "") if isinstance(value, int | float) else (1, 0, str(value))


def _write_labels_csv(path: Path, annotations: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(LABELS_CSV_COLUMNS)
        for annotation in annotations:
            writer.writerow(
                [
                    annotation["start"],
                    annotation["end"],
                    "true" if annotation["instant"] else "false",
                    spreadsheet_safe(annotation["label"]),
                    spreadsheet_safe(annotation.get("description", "")),
                    spreadsheet_safe(annotation.get("source") or MANUAL_SOURCE),
                    "" if annotation.get("score") is None else annotation["score"],
                ]
            )


def row_label_names(series, annotations: list[dict]) -> pd.Categorical:
    """Label per row (cache order), "" where unlabeled, as codes into the label names (no
    per-row strings for 10M-row files). Ranges first, then instants, so an instant inside a
    range names its own row; later starts win where ranges overlap."""
    names = ["", *sorted({a["label"] for a in annotations})]
    codes = np.zeros(series.rows, dtype=np.int32)
    for annotation in sorted(annotations, key=lambda a: a["instant"]):
        first, last = series.rows_between(annotation["start"], annotation["end"])
        if first <= last:
            codes[first : last + 1] = names.index(annotation["label"])
    return pd.Categorical.from_codes(codes, categories=names)


def _write_labeled_csv(path: Path, series_file, annotations: list[dict]) -> None:
    series = storage.series_of(series_file)
    write_labeled_csv(
        storage.source_path(series_file.storage_key),
        storage.cache_dir(series_file.storage_key),
        path,
        row_label_names(series, annotations),
    )


def label_studio_task(series_file, annotations: list[dict]) -> dict:
    """The file's labels as a Label Studio task with one annotation, importable as is."""
    project = series_file.project
    label_set = (
        label_config_parse(project.label_config)
        if project.label_config
        else LabelSet(project.labels, project.time_column, project.channels)
    )
    results = []
    for annotation in annotations:
        region = {
            "id": annotation["id"][:10],
            "from_name": label_set.from_name,
            "to_name": label_set.to_name,
            "type": "timeserieslabels",
            "origin": "prediction" if is_model_made(annotation) else "manual",
            "value": {
                "start": annotation["start"],
                "end": annotation["end"],
                "instant": annotation["instant"],
                "timeserieslabels": [annotation["label"]],
            },
        }
        if annotation.get("description"):
            region["meta"] = {"text": [annotation["description"]]}
        if annotation.get("score") is not None:
            region["score"] = annotation["score"]
        results.append(region)
    return {
        "data": {label_set.value_key: series_file.name},
        "annotations": [{"result": results, "ground_truth": False}],
        "meta": {
            "source": "time-series-labeler",
            "project": project.name,
            "file_id": series_file.id,
            "time_kind": series_file.time_kind,
        },
    }


def _write_labels_json(path: Path, series_file, annotations: list[dict]) -> None:
    task = label_studio_task(series_file, annotations)
    path.write_text(json.dumps([task], indent=1, default=str), encoding="utf-8")


def outputs_zip(target, series_files) -> None:
    """ZIP of the chosen files' saved outputs; entry names are generated, never from a client,
    and unique (they carry the file id)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for series_file in series_files:
            for path in output_paths(series_file).values():
                if path.exists():
                    archive.write(path, arcname=path.name)
