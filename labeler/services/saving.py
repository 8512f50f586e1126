"""Save: the working state becomes the saved labels (database + outputs folder)."""

import json
import logging
import os
from collections import defaultdict
from datetime import datetime
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from labeler import exports, storage
from labeler.errors import Unavailable
from labeler.models import Annotation, SeriesFile
from labeler.services.access import Action, project_permission_check
from labeler.services.annotations import (
    annotation_from_saved,
    working_state_checked,
)
from labeler.working_state import MANUAL_SOURCE, working_state_store

logger = logging.getLogger(__name__)


def file_save(*, series_file, user) -> dict:
    project_permission_check(project=series_file.project, user=user, action=Action.SAVE)
    return _file_save(series_file)


def _file_save(series_file) -> dict:
    state, skipped = working_state_checked(series_file=series_file)
    annotations = state.sorted_annotations()
    _outputs_write(series_file, annotations)
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
    project_permission_check(project=project, user=user, action=Action.SAVE)
    store = working_state_store()
    return [
        _file_save(series_file)
        for series_file in project.files.all()
        if store.version(series_file.id) not in (0, series_file.saved_version)
    ]


def _outputs_write(series_file, annotations) -> None:
    """Write the outputs before the database: a folder that cannot be written fails the Save
    with its reason and changes nothing (no output is half replaced, no labels are saved)."""
    try:
        exports.outputs_write(series_file, annotations)
    except OSError as error:
        if error.filename is not None and not _is_under(error.filename, storage.outputs_root()):
            raise
        logger.error("outputs of file %s could not be written: %s", series_file.id, error)
        raise Unavailable(
            f"The outputs of {series_file.name} could not be written "
            f"({error.strerror or error}); nothing was saved. The outputs folder must be "
            "writable and have free space.",
            {"file": series_file.id, "reason": error.strerror or str(error)},
        ) from None


def _is_under(filename, folder: Path) -> bool:
    return Path(filename).is_relative_to(folder)


def outputs_rename_legacy() -> dict:
    """Move outputs named by stem alone (before names carried the file id) to their file's
    names. Where two files' names reduced to one stem, their outputs were one set: it goes to
    the file its _labels.json names (else to none). Saved files of such a stem left without a
    full set are written again from their saved labels. Safe to run again: it then finds
    nothing to do."""
    counts = {"moved": 0, "rewritten": 0}
    for project_id in SeriesFile.objects.values_list("project_id", flat=True).distinct():
        if not storage.outputs_dir(project_id).is_dir():
            continue
        stems = defaultdict(list)
        for series_file in SeriesFile.objects.filter(project_id=project_id):
            stems[storage.safe_stem(series_file.name)].append(series_file)
        for sharing in stems.values():
            found = _legacy_move(sharing)
            if found is not None or len(sharing) > 1:
                counts["moved"] += found or 0
                counts["rewritten"] += _outputs_rewrite_missing(sharing)
    return counts


def _legacy_move(sharing: list) -> int | None:
    """How many outputs of the older naming moved; None when there were none."""
    legacy = exports.legacy_output_paths(sharing[0])
    if not any(path.exists() for path in legacy.values()):
        return None
    owner = _legacy_owner(sharing, legacy["_labels.json"])
    moved = 0
    targets = exports.output_paths(owner) if owner is not None else {}
    for suffix, path in legacy.items():
        if suffix in targets and path.exists() and not targets[suffix].exists():
            os.replace(path, targets[suffix])
            moved += 1
        path.unlink(missing_ok=True)  # older than the target, or claimed by no file
    return moved


def _legacy_owner(sharing: list, labels_json: Path):
    if len(sharing) == 1:
        return sharing[0]
    try:
        named = json.loads(labels_json.read_text(encoding="utf-8"))[0]["meta"]["file_id"]
    except (OSError, ValueError, LookupError, TypeError):
        return None
    return next((f for f in sharing if f.id == named), None)


def _outputs_rewrite_missing(series_files) -> int:
    rewritten = 0
    for series_file in series_files:
        paths = exports.output_paths(series_file).values()
        if series_file.saved_at is None or all(path.exists() for path in paths):
            continue
        saved = [annotation_from_saved(a) for a in series_file.annotations.select_related("author")]
        try:
            exports.outputs_write(series_file, saved)
        except Exception:
            logger.exception("outputs of file %s could not be written again", series_file.id)
            continue
        rewritten += 1
    return rewritten


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
        source=annotation.get("source") or MANUAL_SOURCE,
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
