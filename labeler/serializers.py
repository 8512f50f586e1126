"""Output shapes of the API (SPEC §4). Plain functions: what a script relies on is visible here."""

from labeler import exports
from labeler.working_state import FileState
from labeler.working_state.records import state_usable


def project_data(project, *, role=None) -> dict:
    return {
        "id": project.id,
        "name": project.name,
        "description": project.description,
        "labels": project.labels,
        "label_config": project.label_config,
        "time_column": project.time_column,
        "channels": project.channels,
        "file_count": getattr(project, "file_count", None),
        "role": role,
        "created_at": project.created_at,
        "updated_at": project.updated_at,
    }


def file_data(series_file, *, working_version=None) -> dict:
    data = {
        "id": series_file.id,
        "project": series_file.project_id,
        "name": series_file.name,
        "rows": series_file.rows,
        "channels": series_file.channels,
        "time_column": series_file.time_column or None,
        "time_kind": series_file.time_kind,
        "time_start": series_file.time_start,
        "time_end": series_file.time_end,
        "sampling_rate": series_file.sampling_rate,
        "warnings": series_file.warnings,
        "size_bytes": series_file.size_bytes,
        "checksum": series_file.checksum,
        "created_at": series_file.created_at,
        "saved_version": series_file.saved_version,
        "saved_at": series_file.saved_at,
        "saved_label_count": getattr(series_file, "saved_label_count", None),
        "uncertainty": series_file.uncertainty,
    }
    if working_version is not None:
        data["working_version"] = working_version
        data["unsaved_changes"] = working_version not in (0, series_file.saved_version)
    return data


def annotation_data(annotation: dict) -> dict:
    return {
        "id": annotation["id"],
        "label": annotation["label"],
        "start": annotation["start"],
        "end": annotation["end"],
        "instant": annotation["instant"],
        "description": annotation.get("description", ""),
        "source": annotation.get("source", "manual"),
        "score": annotation.get("score"),
        "author": annotation.get("author", ""),
        "version": annotation["version"],
        "created_at": annotation.get("created_at"),
        "updated_at": annotation.get("updated_at"),
    }


def file_state_data(state: FileState, *, file_id=None) -> dict:
    """Records too malformed to render are left out (labeler.working_state.records)."""
    shown, _ = state_usable(state)
    return {
        "file": file_id,
        "version": state.version,
        "annotations": [annotation_data(a) for a in shown.sorted_annotations()],
    }


def outputs_data(series_file) -> dict:
    files = [
        {"name": path.name, "size": path.stat().st_size}
        for path in exports.output_paths(series_file).values()
        if path.exists()
    ]
    return {
        "file": series_file.id,
        "name": series_file.name,
        "saved_at": series_file.saved_at,
        "saved_version": series_file.saved_version,
        "outputs": files,
    }
