"""Writes of the model registry. torch is imported only when a checkpoint is read."""

import hashlib
import logging
import math
import zipfile
from pathlib import Path

from django.conf import settings
from django.db import transaction

from autolabel.jobs import job_create
from autolabel.models import Job, TrainedModel
from labeler import storage
from labeler.errors import Forbidden, InvalidInput
from labeler.services.access import Action, project_permission_check
from labeler.services.files import import_paths_check

logger = logging.getLogger(__name__)

TRAINING_SUMMARY = (
    "validation",
    "epochs_run",
    "best_epoch",
    "stopped_early",
    "thresholds_met",
    "refit_epochs",
    "validation_split",
    "class_rows",
    "wall_s",
)


# A torch archive stores its entries uncompressed; a deflated entry that unpacks this many
# times its size is a decompression bomb, not a checkpoint.
MAX_COMPRESSION_RATIO = 50
MAX_ARCHIVE_ENTRIES = 100_000
METADATA_MAX_DEPTH = 32
METADATA_MAX_ITEMS = 100_000
METADATA_MAX_TEXT = 10_000_000
METADATA_MAX_INT = 2**63


def model_path(model: TrainedModel) -> Path:
    return storage.models_dir() / f"{model.storage_key}.pt"


def model_upload(*, user, name, uploaded, project=None) -> TrainedModel:
    """Register an uploaded checkpoint after checking it loads safely and fits the project."""
    if project is not None:
        project_permission_check(project=project, user=user, action=Action.MODELS_UPLOAD)
    from autolabel.segmenter import CheckpointError, load_checkpoint

    model = TrainedModel(name=name, project=project, source=TrainedModel.Source.UPLOADED)
    path = model_path(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    storage.upload_keep(uploaded, path)
    try:
        _check_archive_size(path)
        segmenter = load_checkpoint(path, device="cpu")
        _check_metadata(segmenter.training, "training")
        _check_fits_project(segmenter, project)
    except CheckpointError as error:
        path.unlink(missing_ok=True)
        raise InvalidInput(f"This file is not a usable segmenter checkpoint: {error}.") from None
    except Exception:
        path.unlink(missing_ok=True)
        logger.exception("checkpoint upload %r could not be read", name)
        raise InvalidInput("This file could not be read as a segmenter checkpoint.") from None
    _describe(model, segmenter, path)
    model.created_by = user
    model.save()
    return model


def _check_archive_size(path: Path) -> None:
    """Refuse, from the zip directory alone, an archive that would unpack too large."""
    from autolabel.segmenter import CheckpointError

    if not zipfile.is_zipfile(path):
        return  # the legacy pickle format: no larger unpacked than uploaded
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # torch.load refuses it with its own message
    limit_mb = settings.MODEL_MAX_UNPACKED_MB
    if len(entries) > MAX_ARCHIVE_ENTRIES:
        raise CheckpointError(f"its archive holds {len(entries)} entries")
    unpacked = sum(entry.file_size for entry in entries)
    if unpacked > limit_mb * 1024 * 1024:
        raise CheckpointError(
            f"it unpacks to {unpacked / 2**20:,.0f} MB, more than the limit of {limit_mb} MB "
            "(MODEL_MAX_UNPACKED_MB)"
        )
    for entry in entries:
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > 2**20 and ratio > MAX_COMPRESSION_RATIO:
            raise CheckpointError(
                f"its entry {entry.filename[:100]!r} is compressed {ratio:,.0f} to 1 "
                f"(more than {MAX_COMPRESSION_RATIO} to 1 is refused as a decompression bomb)"
            )


def _check_metadata(value, name: str) -> None:
    """Metadata is plain data: finite numbers, text, lists and dicts of bounded depth and size."""
    from autolabel.segmenter import CheckpointError

    pending, items, text = [(value, name, 0)], 0, 0
    while pending:
        value, where, depth = pending.pop()
        items += 1
        if depth > METADATA_MAX_DEPTH or items > METADATA_MAX_ITEMS:
            raise CheckpointError(
                f"{name} is nested deeper than {METADATA_MAX_DEPTH} levels or holds more than "
                f"{METADATA_MAX_ITEMS:,} values"
            )
        if isinstance(value, dict):
            if any(not isinstance(key, str) for key in value):
                raise CheckpointError(f"{where} has keys that are not text")
            pending.extend((v, f"{where}.{k[:50]}", depth + 1) for k, v in value.items())
        elif isinstance(value, list | tuple):
            pending.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value))
        elif isinstance(value, str):
            text += len(value)
            if text > METADATA_MAX_TEXT:
                raise CheckpointError(f"{name} holds more than {METADATA_MAX_TEXT:,} characters")
        elif not _plain_number(value):
            raise CheckpointError(
                f"{where} is {type(value).__name__} {str(value)[:40]}, not a finite number, "
                "text, list or dict"
            )


def _plain_number(value) -> bool:
    if value is None or isinstance(value, bool):
        return True
    if isinstance(value, int):
        return abs(value) < METADATA_MAX_INT
    return isinstance(value, float) and math.isfinite(value)


def _check_fits_project(segmenter, project) -> None:
    from autolabel.segmenter import CheckpointError

    if project is None:
        return
    unknown = [label for label in segmenter.labels if label not in project.label_names]
    if unknown:
        raise CheckpointError(
            "it predicts " + ", ".join(unknown) + f", which project '{project.name}' has no "
            "label for"
        )
    if segmenter.channels is None and len(project.channels) != segmenter.contents.params.input_size:
        raise CheckpointError(
            f"it names no channels and takes {segmenter.contents.params.input_size} inputs, "
            f"but the project chooses {len(project.channels)} channels"
        )


def _describe(model, segmenter, path: Path) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1 << 20), b""):
            digest.update(block)
    model.checksum = digest.hexdigest()
    model.size_bytes = path.stat().st_size
    model.labels = list(segmenter.labels)
    model.label_kinds = segmenter.label_kinds
    model.channels = list(segmenter.channels or [])
    model.time_column = segmenter.time_column or ""
    model.hyperparameters = segmenter.contents.params.as_dict()
    training = segmenter.training or {}
    model.metrics = {key: training[key] for key in TRAINING_SUMMARY if key in training}


def model_register_file(
    *, name, project, user, segmenter, source, label_studio_project=""
) -> TrainedModel:
    """Save a segmenter trained here and register it."""
    model = TrainedModel(
        name=name,
        project=project,
        source=source,
        created_by=user,
        label_studio_project=label_studio_project,
    )
    path = model_path(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    segmenter.save(path)
    _describe(model, segmenter, path)
    model.save()
    return model


def model_delete(*, model: TrainedModel, user) -> None:
    """A project's model: deleted by its owners; a model without project: by its uploader."""
    if model.project_id is not None:
        project_permission_check(project=model.project, user=user, action=Action.MODELS_DELETE)
    elif model.created_by_id != user.id:
        raise Forbidden("Only the person who uploaded this model may delete it.")
    model_remove(model=model)


@transaction.atomic
def model_remove(*, model: TrainedModel) -> None:
    path = model_path(model)
    model.delete()
    transaction.on_commit(lambda: path.unlink(missing_ok=True))


def model_check_fits_file(*, model: TrainedModel, series_file) -> None:
    """Refuse, before a job starts, a model the file cannot feed or whose labels the project
    lacks."""
    from autolabel.selectors import model_channels_for_file

    channels = model_channels_for_file(model, series_file)
    missing = [c for c in channels if c not in series_file.channels]
    if missing:
        raise InvalidInput(
            f"Model '{model.name}' reads channel(s) {', '.join(missing)}, which "
            f"{series_file.name} lacks.",
            {"missing_channels": missing},
        )
    if len(channels) != model.hyperparameters.get("input_size", len(channels)):
        raise InvalidInput(
            f"Model '{model.name}' names no channels and takes "
            f"{model.hyperparameters.get('input_size')} inputs; choose the project's channels."
        )
    unknown = [label for label in model.labels if label not in series_file.project.label_names]
    if unknown:
        raise InvalidInput(
            f"Model '{model.name}' predicts {', '.join(unknown)}, which this project has no "
            "label for."
        )


def training_start(*, project, user, params: dict) -> Job:
    project_permission_check(project=project, user=user, action=Action.TRAIN)
    if not project.files.filter(annotations__isnull=False).exists():
        raise InvalidInput("The project has no saved labels: label some files and Save first.")
    return job_create(kind=Job.Kind.TRAIN, user=user, project=project, params=params)


def autolabel_start(*, series_file, model: TrainedModel, user) -> Job:
    project_permission_check(project=series_file.project, user=user, action=Action.AUTOLABEL)
    model_check_fits_file(model=model, series_file=series_file)
    return job_create(
        kind=Job.Kind.AUTOLABEL,
        user=user,
        project=series_file.project,
        series_file=series_file,
        model=model,
    )


def files_import_start(*, project, user, paths: list[str]):
    """Queue an ingest job for files of the server's import folder (paths relative to
    IMPORT_ROOT), once every path is checked: Forbidden when importing is off, InvalidInput
    naming each path that cannot be imported."""
    project_permission_check(project=project, user=user, action=Action.FILES_UPLOAD)
    import_paths_check(paths=paths)
    return job_create(kind=Job.Kind.INGEST, user=user, project=project, params={"paths": paths})
