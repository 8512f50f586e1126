from rest_framework import serializers as drf

from autolabel.models import Job


def job_data(job: Job) -> dict:
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "progress": round(job.progress, 1),
        "metrics": job.metrics,
        "result": job.result,
        "error": job.error or None,
        "project": job.project_id,
        "file": job.file_id,
        "model": job.model_id,
        "params": job.params,
        "cancel_requested": job.cancel_requested,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


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
