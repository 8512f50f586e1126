"""Save: the working state becomes the saved labels (database + outputs folder)."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from labeler import exports
from labeler.models import Annotation
from labeler.services.annotations import working_state_checked
from labeler.working_state import working_state_store


def file_save(*, series_file, user) -> dict:
    state, skipped = working_state_checked(series_file=series_file)
    annotations = state.sorted_annotations()
    exports.outputs_write(series_file, annotations)
    authors = _users_by_name({a.get("author", "") for a in annotations})
    with transaction.atomic():
        series_file.annotations.all().delete()
        Annotation.objects.bulk_create(
            [_saved_annotation(series_file, a, authors) for a in annotations]
        )
        series_file.saved_version = state.version
        series_file.saved_at = timezone.now()
        series_file.save(update_fields=["saved_version", "saved_at"])
    return {
        "file": series_file.id,
        "name": series_file.name,
        "saved_version": state.version,
        "annotations": len(annotations),
        "outputs": [path.name for path in exports.output_paths(series_file).values()],
        "skipped": skipped,
    }


def project_save_all(*, project, user) -> list[dict]:
    """Save every file whose working state changed since its last Save."""
    store = working_state_store()
    return [
        file_save(series_file=series_file, user=user)
        for series_file in project.files.all()
        if store.version(series_file.id) not in (0, series_file.saved_version)
    ]


def _users_by_name(usernames) -> dict:
    users = get_user_model().objects.filter(username__in=[n for n in usernames if n])
    return {user.get_username(): user for user in users}


def _saved_annotation(series_file, annotation, authors) -> Annotation:
    created = _parse_time(annotation.get("created_at"))
    return Annotation(
        file=series_file,
        key=annotation["id"],
        label=annotation["label"],
        start=annotation["start"],
        end=annotation["end"],
        instant=annotation["instant"],
        description=annotation.get("description", ""),
        source=annotation.get("source", "manual"),
        score=annotation.get("score"),
        author=authors.get(annotation.get("author", "")),
        created_at=created,
        updated_at=_parse_time(annotation.get("updated_at")) or created,
    )


def _parse_time(value) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return timezone.now()
