import uuid

from django.conf import settings
from django.db import models


def _new_storage_key() -> str:
    return uuid.uuid4().hex


class TrainedModel(models.Model):
    """A registered segmenter checkpoint (uploaded or trained here)."""

    class Source(models.TextChoices):
        UPLOADED = "uploaded"
        TRAINED = "trained"
        LABEL_STUDIO = "label_studio"

    name = models.CharField(max_length=200)
    project = models.ForeignKey(
        "labeler.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="models"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    # Checkpoint file: MEDIA_ROOT/models/<storage_key>.pt
    storage_key = models.CharField(max_length=32, unique=True, default=_new_storage_key)
    labels = models.JSONField(default=list)
    label_kinds = models.JSONField(default=dict)
    channels = models.JSONField(default=list)
    time_column = models.CharField(max_length=200, blank=True)
    hyperparameters = models.JSONField(default=dict)
    metrics = models.JSONField(default=dict)
    checksum = models.CharField(max_length=64, blank=True)
    size_bytes = models.BigIntegerField(default=0)
    label_studio_project = models.CharField(max_length=64, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    @property
    def version(self) -> str:
        return f"{self.name}-{self.checksum[:8]}" if self.checksum else self.name


class Job(models.Model):
    class Kind(models.TextChoices):
        TRAIN = "train"
        AUTOLABEL = "autolabel"
        INGEST = "ingest"
        LABEL_STUDIO_TRAIN = "label_studio_train"

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        CANCELLED = "cancelled"

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)

    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.FloatField(default=0)
    metrics = models.JSONField(default=dict)
    params = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    error = models.TextField(blank=True)
    project = models.ForeignKey(
        "labeler.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    file = models.ForeignKey(
        "labeler.SeriesFile", null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    model = models.ForeignKey(
        TrainedModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    task_result_id = models.CharField(max_length=64, blank=True, db_index=True)
    cancel_requested = models.BooleanField(default=False)
    worker = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True)
    finished_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.kind} job {self.pk} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class LabelStudioProject(models.Model):
    """What the Label Studio ML backend knows of one Label Studio project (one model each)."""

    ls_project = models.CharField(max_length=64, unique=True)
    label_config = models.TextField(blank=True)
    # From /setup: Label Studio's address (kept only when LABEL_STUDIO_ALLOWED_HOSTS lists it) and
    # the project creator's token, used when LABEL_STUDIO_URL / LABEL_STUDIO_API_KEY are not set.
    hostname = models.CharField(max_length=500, blank=True)
    access_token = models.CharField(max_length=500, blank=True)
    updates_since_training = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Label Studio project {self.ls_project}"
