"""Reads, always scoped to what the user may see."""

import math

from django.db.models import Count, F, Q, QuerySet

from labeler import storage, time_axis
from labeler.errors import InvalidInput, NotFound
from labeler.ingest import Window, confidence_read, confidence_window, window_select
from labeler.models import Project, ProjectMembership, SeriesFile


def project_list_for_user(*, user) -> QuerySet[Project]:
    return Project.objects.filter(memberships__user=user).annotate(
        file_count=Count("files", distinct=True)
    )


def project_get_for_user(*, project_id, user) -> Project:
    project = Project.objects.filter(pk=project_id, memberships__user=user).first()
    if project is None:
        raise NotFound(f"Project {project_id} does not exist or you are not a member.")
    return project


def project_role(*, project, user) -> str | None:
    membership = ProjectMembership.objects.filter(project=project, user=user).first()
    return membership.role if membership else None


def file_list_for_project(*, project) -> QuerySet[SeriesFile]:
    return project.files.annotate(
        saved_label_count=Count("annotations"),
    ).order_by("name")


def file_get_for_user(*, file_id, user) -> SeriesFile:
    series_file = (
        SeriesFile.objects.select_related("project")
        .filter(pk=file_id, project__memberships__user=user)
        .first()
    )
    if series_file is None:
        raise NotFound(f"File {file_id} does not exist or you are not a member of its project.")
    return series_file


def files_to_label_next(*, project) -> QuerySet[SeriesFile]:
    """Files without saved labels, the ones with the largest share of rows the model was unsure
    of first (then by mean entropy: files auto-labeled before the share was kept)."""
    return (
        project.files.annotate(saved=Count("annotations"))
        .filter(Q(saved=0))
        .order_by(
            F("uncertain_share").desc(nulls_last=True),
            F("uncertainty").desc(nulls_last=True),
            "name",
        )
    )


def file_axis_ticks(*, series_file, view: list) -> dict:
    """The x axis' tick values and texts for a visible range of the file ({} leaves them to
    Plotly)."""
    meta = {
        "time_kind": series_file.time_kind,
        "display_timezone": series_file.display_timezone,
        "time_end": series_file.time_end,
    }
    try:
        if series_file.time_kind != "datetime" and not all(math.isfinite(float(v)) for v in view):
            raise ValueError("not finite")
        return time_axis.axis_ticks(view, meta)
    except (ValueError, TypeError, OverflowError) as error:
        raise InvalidInput(f"view_start/view_end are not times of this file: {error}") from error


def file_confidence_get(*, series_file, bins: int) -> Window:
    """The model's confidence over the whole file in at most ``bins`` bins (minimum per bin);
    NotFound before the file's first auto-label run."""
    series = storage.series_of(series_file)
    buckets = confidence_read(series.cache_dir)
    if buckets is None:
        raise NotFound(f"File {series_file.id} has no model confidence yet: auto-label it first.")
    try:
        return confidence_window(series, buckets, bins)
    except ValueError as error:
        raise InvalidInput(str(error)) from error


def file_window_get(*, series_file, start, end, max_points, channels) -> Window:
    """The points of ``series_file`` between two API time values (None = open end) to plot;
    ``channels``: names, or None for every channel."""
    series = storage.series_of(series_file)
    unknown = sorted(set(channels or []) - set(series.channels))
    if unknown:
        raise InvalidInput("Unknown channels: " + ", ".join(unknown))
    try:
        return window_select(series, start=start, end=end, max_points=max_points, channels=channels)
    except ValueError as error:
        raise InvalidInput(str(error)) from error
