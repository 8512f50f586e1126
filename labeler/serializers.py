"""Output shapes of the API (SPEC §4). Plain functions: what a script relies on is visible here."""

from rest_framework import serializers as drf

from labeler import exports
from labeler.models import ProjectMembership
from labeler.working_state import ChangeResult, FileState, WorkingAnnotation
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
        "no_overlap": project.no_overlap,
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
        "display_timezone": series_file.display_timezone,
        "warnings": series_file.warnings,
        "size_bytes": series_file.size_bytes,
        "checksum": series_file.checksum,
        "created_at": series_file.created_at,
        "saved_version": series_file.saved_version,
        "saved_at": series_file.saved_at,
        "saved_label_count": getattr(series_file, "saved_label_count", None),
        "uncertainty": series_file.uncertainty,
        "uncertain_share": series_file.uncertain_share,
    }
    if working_version is not None:
        data["working_version"] = working_version
        data["unsaved_changes"] = working_version not in (0, series_file.saved_version)
    return data


def upload_result_data(outcome) -> dict:
    """One file's answer of an upload or a server-folder import."""
    if outcome.created:
        created = {
            "name": outcome.name,
            "status": "created",
            "file": file_data(outcome.file),
            "warnings": outcome.warnings,
        }
        if outcome.detail:  # the time column was guessed: what the file holds, to choose
            created["detail"] = outcome.detail
        return created
    rejection = {"name": outcome.name, "status": "rejected", "error": outcome.error}
    if outcome.code:  # refused by ingestion: why, and for a column problem what the file holds
        rejection.update(code=outcome.code, detail=outcome.detail)
    return rejection


def annotation_data(annotation: dict) -> dict:
    record = WorkingAnnotation.from_stored(annotation)
    return {
        "id": record.id,
        "label": record.label,
        "start": record.start,
        "end": record.end,
        "instant": record.instant,
        "description": record.description,
        "source": record.source,
        "score": record.score,
        "author": record.author,
        "version": record.version,
        "created_at": record.created_at or None,
        "updated_at": record.updated_at or None,
    }


def change_result_data(result: ChangeResult, *, file_id: int) -> dict:
    """What a batch did: the same shape as the file's websocket message."""
    changed = {
        key: None if annotation is None else annotation_data(annotation)
        for key, annotation in result.changed.items()
    }
    return {"file": file_id, "file_version": result.version, "changed": changed}


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


# The shapes above as the API schema shows them (documentation only: the views answer with the
# functions; tests/api/test_schema_shapes.py keeps both equal).


class ProjectShape(drf.Serializer):
    id = drf.IntegerField()
    name = drf.CharField()
    description = drf.CharField()
    no_overlap = drf.BooleanField(help_text="a new or moved range trims the ranges it covers")
    labels = drf.ListField(child=drf.JSONField(), help_text="name, color and kind of each label")
    label_config = drf.CharField()
    time_column = drf.CharField()
    channels = drf.ListField(child=drf.CharField())
    file_count = drf.IntegerField(allow_null=True)
    role = drf.ChoiceField(ProjectMembership.Role.choices, allow_null=True)
    created_at = drf.DateTimeField()
    updated_at = drf.DateTimeField()


class FileShape(drf.Serializer):
    id = drf.IntegerField()
    project = drf.IntegerField()
    name = drf.CharField()
    rows = drf.IntegerField()
    channels = drf.ListField(child=drf.CharField())
    time_column = drf.CharField(allow_null=True)
    time_kind = drf.CharField()
    time_start = drf.FloatField()
    time_end = drf.FloatField()
    sampling_rate = drf.FloatField(allow_null=True)
    display_timezone = drf.CharField(
        allow_null=True, help_text="the zone the plot shows a date-time file's clock in"
    )
    warnings = drf.ListField(child=drf.CharField())
    size_bytes = drf.IntegerField()
    checksum = drf.CharField()
    created_at = drf.DateTimeField()
    saved_version = drf.IntegerField()
    saved_at = drf.DateTimeField(allow_null=True)
    saved_label_count = drf.IntegerField(allow_null=True)
    uncertainty = drf.FloatField(allow_null=True)
    uncertain_share = drf.FloatField(
        allow_null=True,
        help_text="share of rows (0-1) the last auto-label was less sure of than the threshold",
    )
    working_version = drf.IntegerField(required=False)
    unsaved_changes = drf.BooleanField(required=False)


TIME_VALUE_HELP = "number, or ISO 8601 string for date-time files"


class ConfidenceShape(drf.Serializer):
    """GET /api/files/{id}/confidence/ (JSON): one point per bin, docs/data-format.md."""

    time = drf.ListField(child=drf.JSONField(), help_text="the time of each bin's first row")
    channels = drf.DictField(
        child=drf.ListField(child=drf.FloatField(allow_null=True)),
        help_text='{"confidence": the minimum confidence (0-1) of each bin}',
    )
    downsampled = drf.BooleanField()
    aggregated = drf.BooleanField(help_text="always false: one point per bin")
    rows = drf.IntegerField()
    points = drf.IntegerField(help_text="the number of bins")
    max_points = drf.IntegerField(help_text="the bins asked for")
    first_row = drf.IntegerField()
    last_row = drf.IntegerField()
    start = drf.JSONField(help_text=TIME_VALUE_HELP)
    end = drf.JSONField(help_text=TIME_VALUE_HELP)
    time_kind = drf.CharField()
    bucket_rows = drf.IntegerField(help_text="rows per stored bucket (its minimum is kept)")
    threshold = drf.FloatField(help_text="below this confidence a row counts as uncertain")


class AnnotationShape(drf.Serializer):
    id = drf.CharField()
    label = drf.CharField()
    start = drf.JSONField(help_text=TIME_VALUE_HELP)
    end = drf.JSONField(help_text=TIME_VALUE_HELP)
    instant = drf.BooleanField()
    description = drf.CharField()
    source = drf.CharField(help_text="'manual' or the name of the model that proposed it")
    score = drf.FloatField(allow_null=True)
    author = drf.CharField()
    version = drf.IntegerField()
    created_at = drf.DateTimeField(allow_null=True)
    updated_at = drf.DateTimeField(allow_null=True)


class AnnotationChangeShape(AnnotationShape):
    file_version = drf.IntegerField()


class ChangeResultShape(drf.Serializer):
    file = drf.IntegerField()
    file_version = drf.IntegerField()
    changed = drf.DictField(
        child=AnnotationShape(allow_null=True),
        help_text="every touched label after the batch by id; null where deleted",
    )


class SkippedRecordShape(drf.Serializer):
    id = drf.CharField(allow_null=True)
    reason = drf.CharField()


class FileStateShape(drf.Serializer):
    file = drf.IntegerField()
    version = drf.IntegerField()
    annotations = AnnotationShape(many=True)
    skipped = SkippedRecordShape(
        many=True, help_text="stored records that cannot be shown (malformed), with why"
    )
