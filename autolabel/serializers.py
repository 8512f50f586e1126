from datetime import datetime

from rest_framework import serializers as drf

from autolabel.models import Job


def job_data(job: Job) -> dict:
    """The job as the API answers it and as its progress broadcasts carry it: plain JSON types
    only, since a network channel layer (msgpack) cannot carry datetimes or numpy numbers."""
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "progress": round(float(job.progress), 1),
        "metrics": job.metrics,
        "result": job.result,
        "error": job.error or None,
        "project": job.project_id,
        "file": job.file_id,
        "model": job.model_id,
        "params": job.params,
        "cancel_requested": job.cancel_requested,
        "created_at": _iso(job.created_at),
        "started_at": _iso(job.started_at),
        "finished_at": _iso(job.finished_at),
    }


def _iso(moment: datetime | None) -> str | None:
    """ISO 8601 as DRF writes datetimes (UTC as "Z"), so API answers keep their format."""
    if moment is None:
        return None
    text = moment.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class JobShape(drf.Serializer):
    """job_data as the API schema shows it (tests/api/test_schema_shapes.py keeps both equal)."""

    id = drf.IntegerField()
    kind = drf.ChoiceField(Job.Kind.choices)
    status = drf.ChoiceField(Job.Status.choices)
    progress = drf.FloatField(help_text="percent")
    metrics = drf.JSONField()
    result = drf.JSONField(allow_null=True)
    error = drf.CharField(allow_null=True)
    project = drf.IntegerField(allow_null=True)
    file = drf.IntegerField(allow_null=True)
    model = drf.IntegerField(allow_null=True)
    params = drf.JSONField()
    cancel_requested = drf.BooleanField()
    created_at = drf.DateTimeField()
    started_at = drf.DateTimeField(allow_null=True)
    finished_at = drf.DateTimeField(allow_null=True)
