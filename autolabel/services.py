"""Writes of the model registry. torch is imported only when a checkpoint is read."""

import hashlib
import logging
from pathlib import Path

from django.db import transaction

from autolabel.jobs import job_create
from autolabel.models import Job, TrainedModel
from labeler import storage
from labeler.errors import InvalidInput
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


def model_path(model: TrainedModel) -> Path:
    return storage.models_dir() / f"{model.storage_key}.pt"


def model_upload(*, user, name, uploaded, project=None) -> TrainedModel:
    """Register an uploaded checkpoint after checking it loads safely and fits the project."""
    from autolabel.segmenter import CheckpointError, load_checkpoint

    model = TrainedModel(name=name, project=project, source=TrainedModel.Source.UPLOADED)
    path = model_path(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    storage.upload_keep(uploaded, path)
    try:
        segmenter = load_checkpoint(path, device="cpu")
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


@transaction.atomic
def model_delete(*, model: TrainedModel) -> None:
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


def training_check_possible(*, project) -> None:
    if not project.files.filter(annotations__isnull=False).exists():
        raise InvalidInput("The project has no saved labels: label some files and Save first.")


def files_import_start(*, project, user, paths: list[str]):
    """Queue an ingest job for files of the server's import folder (paths relative to
    IMPORT_ROOT), once every path is checked: Forbidden when importing is off, InvalidInput
    naming each path that cannot be imported."""
    import_paths_check(paths=paths)
    return job_create(kind=Job.Kind.INGEST, user=user, project=project, params={"paths": paths})
