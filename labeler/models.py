import uuid

from django.conf import settings
from django.db import models

LABEL_KINDS = ("range", "instant", "both")


class Project(models.Model):
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # [{"name", "color", "hotkey", "kind"}], in display order
    labels = models.JSONField(default=list)
    # The Label Studio XML the labels came from, when given that way (kept verbatim).
    label_config = models.TextField(blank=True)
    time_column = models.CharField(max_length=200, blank=True)
    # Chosen channel names; empty means every numeric column except time.
    channels = models.JSONField(default=list, blank=True)
    # A new or moved range trims the ranges it covers: at most one range label per row.
    no_overlap = models.BooleanField(default=False)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ProjectMembership", related_name="projects"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name

    @property
    def label_names(self) -> list[str]:
        return [label["name"] for label in self.labels]


class ProjectMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner"
        ANNOTATOR = "annotator"
        REVIEWER = "reviewer"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.ANNOTATOR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="unique_project_member")
        ]

    def __str__(self):
        return f"{self.user} in {self.project} ({self.role})"


def _new_storage_key() -> str:
    return uuid.uuid4().hex


class SeriesFile(models.Model):
    class TimeKind(models.TextChoices):
        NUMERIC = "numeric"
        DATETIME = "datetime"
        INDEX = "index"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="files")
    # Display name (as sent, reduced to a base name; made unique in the project).
    name = models.CharField(max_length=255)
    # Uploaded bytes and columnar cache live under MEDIA_ROOT/files/<storage_key>/.
    storage_key = models.CharField(max_length=32, unique=True, default=_new_storage_key)
    size_bytes = models.BigIntegerField(default=0)
    checksum = models.CharField(max_length=64, blank=True)
    rows = models.BigIntegerField(default=0)
    channels = models.JSONField(default=list)
    time_column = models.CharField(max_length=200, blank=True)
    time_kind = models.CharField(max_length=10, choices=TimeKind.choices)
    time_start = models.JSONField(null=True)
    time_end = models.JSONField(null=True)
    sampling_rate = models.FloatField(null=True)
    warnings = models.JSONField(default=list)
    ingest_info = models.JSONField(default=dict)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Working-state version written by the last Save (None: never saved).
    saved_version = models.BigIntegerField(null=True)
    saved_at = models.DateTimeField(null=True)
    # Mean per-row entropy of the last auto-label run (for "Label next").
    uncertainty = models.FloatField(null=True)
    # Share of rows (0-1) the last auto-label run was less sure of than UNCERTAIN_BELOW: what
    # ranks "Label next" (its per-row confidence is kept in cache/confidence.npy).
    uncertain_share = models.FloatField(null=True)
    uncertainty_model = models.ForeignKey(
        "autolabel.TrainedModel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["project_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="unique_file_name_in_project")
        ]

    def __str__(self):
        return self.name

    @property
    def display_timezone(self) -> str | None:
        """The zone whose clock the plot shows (date-time files): see IngestResult.display_tz."""
        return self.ingest_info.get("display_tz")


class Annotation(models.Model):
    """A saved label: what the last Save copied from the working state."""

    file = models.ForeignKey(SeriesFile, on_delete=models.CASCADE, related_name="annotations")
    # Id of the annotation in the working state (stable across saves).
    key = models.CharField(max_length=64)
    label = models.CharField(max_length=200)
    # In the file's time units: numbers, or ISO 8601 strings for date-time files.
    start = models.JSONField()
    end = models.JSONField()
    instant = models.BooleanField(default=False)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=200, default="manual")
    score = models.FloatField(null=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["file_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["file", "key"], name="unique_annotation_key_in_file")
        ]

    def __str__(self):
        return f"{self.label} [{self.start}, {self.end}]"


class WorkingStateRecord(models.Model):
    """Database backend of the working state: one row per file, changed atomically."""

    file = models.OneToOneField(SeriesFile, on_delete=models.CASCADE, related_name="working_state")
    version = models.BigIntegerField(default=0)
    # {annotation id: annotation dict}
    annotations = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"working state of file {self.file_id} v{self.version}"
