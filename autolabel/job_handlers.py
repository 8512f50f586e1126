"""The work of train, auto-label and ingest jobs: read the columnar caches, call the segmenter,
import server files, record the results. Run by the job worker (autolabel.jobs), never inside
a request."""

import json
import logging

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from autolabel.models import TrainedModel
from autolabel.selectors import model_channels_for_file
from autolabel.services import model_path, model_register_file
from labeler import storage
from labeler.errors import InvalidInput
from labeler.ingest import confidence_buckets, confidence_write, uncertain_share
from labeler.models import SeriesFile
from labeler.serializers import upload_result_data
from labeler.services.annotations import (
    AnnotationChange,
    annotation_changes_apply,
    working_state_get,
)
from labeler.services.files import file_import
from labeler.working_state import is_model_made

logger = logging.getLogger(__name__)

TRAINING_PARAMS = (
    "train_epochs",
    "sequence_size",
    "hidden_size",
    "balanced_accuracy_threshold",
    "min_class_f1_threshold",
    "use_class_weights",
    "seed",
    "learning_rate",
    "batch_size",
)


def training_config(params: dict):
    """Settings (env) as defaults, the request's hyper-parameters on top."""
    from autolabel.segmenter import TrainingConfig

    defaults = {
        "train_epochs": settings.TRAIN_EPOCHS,
        "sequence_size": settings.SEQUENCE_SIZE,
        "hidden_size": settings.HIDDEN_SIZE,
        "balanced_accuracy_threshold": settings.BALANCED_ACCURACY_THRESHOLD,
        "min_class_f1_threshold": settings.MIN_CLASS_F1_THRESHOLD,
        "use_class_weights": settings.USE_CLASS_WEIGHTS,
    }
    chosen = {key: params[key] for key in TRAINING_PARAMS if params.get(key) is not None}
    return TrainingConfig(**{**defaults, **chosen})


def training_files(project) -> list[SeriesFile]:
    return list(project.files.filter(annotations__isnull=False).distinct().order_by("name"))


def training_channels(project, files) -> list[str]:
    """The project's chosen channels, else the channels every labeled file has."""
    if project.channels:
        return list(project.channels)
    common = set(files[0].channels).intersection(*(set(f.channels) for f in files[1:]))
    return [c for c in files[0].channels if c in common]


def recording_from_file(series_file, channels):
    from autolabel.segmenter import Recording, Region

    series = storage.series_of(series_file)
    regions = []
    for saved in series_file.annotations.all():
        first, last = series.rows_between(saved.start, saved.end)
        if first <= last:
            regions.append(Region(saved.label, first, last, saved.instant))
    return Recording(series_file.name, series.values(channels), regions)


def train_job(job, reporter) -> dict:
    project = job.project
    files = training_files(project)
    if not files:
        raise InvalidInput("The project has no saved labels: label some files and Save first.")
    channels = training_channels(project, files)
    if not channels:
        raise InvalidInput("The labeled files share no channel to train on.")
    reporter.progress(0, preparing(f"reading {len(files)} labeled file(s)"))
    recordings = [recording_from_file(f, channels) for f in files]
    segmenter = segmenter_trained(
        job,
        reporter,
        recordings,
        project.label_names,
        started=1,
        channels=channels,
        time_column=project.time_column or None,
        label_config=project.label_config or None,
    )
    model = model_register_file(
        name=job.params.get("name") or f"{project.name} model",
        project=project,
        user=job.created_by,
        segmenter=segmenter,
        source=TrainedModel.Source.TRAINED,
    )
    return {"model": model.id, "metrics": model.metrics, "files": [f.id for f in files]}


def segmenter_trained(job, reporter, recordings, label_order, started, detail=None, **stored):
    """Train on the recordings with the job's settings, for the labels of `label_order` that
    occur in them; `started`: the progress (%) reported with `detail` before the first epoch;
    `stored`: channels, time column and label config kept in the checkpoint."""
    from autolabel.jobs import JobCancelled
    from autolabel.segmenter import TrainingCancelled, TrainingDataError, train

    used = {region.label for recording in recordings for region in recording.regions}
    labels = [label for label in label_order if label in used]
    history = []
    reporter.progress(
        started,
        {
            **preparing(f"preparing {len(recordings)} recording(s)"),
            "recordings": len(recordings),
            "labels": labels,
            **(detail or {}),
            "history": history,
        },
    )
    try:
        return train(
            recordings,
            labels,
            training_config(job.params),
            progress=training_progress(reporter, history, started),
            should_cancel=reporter.cancelled,
            **stored,
        )
    except TrainingCancelled:
        raise JobCancelled() from None
    except TrainingDataError as error:
        raise InvalidInput(str(error)) from error


def preparing(message: str) -> dict:
    """Job metrics of the preparation before training's own reports start."""
    return {"phase": "preparing", "message": message}


def training_progress(reporter, history: list, started: float):
    """The progress callback of `train`: the phase, its message and a share done that never
    decreases, mapped onto `started`..98 %; every finished epoch's loss and validation metrics
    go into `history` (with the phase, for the curves)."""

    def on_progress(progress):
        if progress.epoch_end:
            history.append(
                {
                    "epoch": progress.global_epoch,
                    "phase": progress.phase,
                    "loss": progress.loss,
                    **_numbers(progress.metrics),
                }
            )
        reporter.progress(
            started + (98.0 - started) * progress.fraction,
            {
                "phase": progress.phase,
                "message": progress.message,
                "epoch": progress.epoch,
                "phase_epochs": progress.phase_epochs,
                "best_epoch": progress.best_epoch,
                "history": history,
            },
        )

    return on_progress


def _numbers(metrics: dict) -> dict:
    return {k: v for k, v in (metrics or {}).items() if isinstance(v, int | float)}


def autolabel_job(job, reporter) -> dict:
    """Predict the file's segments and put them in its working state as one atomic change,
    replacing earlier model labels and keeping every label a person made or kept; keep the
    per-row confidence (downsampled, beside the cache: the confidence strip) and the share of
    uncertain rows ("Label next"), both replacing the last run's."""
    from autolabel.segmenter import load_checkpoint

    series_file, model = job.file, job.model
    if model is None:
        raise InvalidInput("The model was deleted before the job ran.")
    segmenter = load_checkpoint(model_path(model))
    series = storage.series_of(series_file)
    channels = model_channels_for_file(model, series_file)
    reporter.progress(5)
    prediction = segmenter.predict(series.values(channels))
    reporter.progress(90)
    changes = _replacement_changes(series_file, series, prediction, model)
    confidence_write(series.cache_dir, confidence_buckets(prediction.confidence))
    share = uncertain_share(prediction.confidence)
    result = annotation_changes_apply(series_file=series_file, user=job.created_by, changes=changes)
    with transaction.atomic():
        SeriesFile.objects.filter(pk=series_file.pk).update(
            uncertainty=prediction.uncertainty, uncertain_share=share, uncertainty_model=model
        )
    created = sum(1 for change in changes if change.op == "create")
    return {
        "file": series_file.id,
        "model": model.id,
        "regions": created,
        "uncertainty": prediction.uncertainty,
        "uncertain_share": share,
        "working_version": result.version,
    }


def _replacement_changes(series_file, series, prediction, model) -> list[AnnotationChange]:
    """Delete the earlier model labels, create the new ones: checked like a person's edits."""
    state = working_state_get(series_file=series_file)
    changes = [
        AnnotationChange("delete", key)
        for key, annotation in state.annotations.items()
        if is_model_made(annotation)
    ]
    for region in prediction.regions:
        times = series.format_times(series.time[[region.start_row, region.end_row]])
        fields = {"label": region.label, "start": times[0], "end": times[1]}
        score = round(float(region.score), 4)
        changes.append(AnnotationChange("create", None, fields, source=model.name, score=score))
    return changes


def ingest_job(job, reporter) -> dict:
    """Import the job's files from the server's import folder, one after the other, each as
    an upload would be; one refused file never stops the others."""
    paths = list(job.params.get("paths", []))
    results = []
    for done, path in enumerate(paths):
        reporter.progress(100.0 * done / len(paths), {"files": len(paths), "done": done})
        outcome = file_import(project=job.project, relative_path=path, user=job.created_by)
        results.append({"path": path, **upload_result_data(outcome)})
    created = sum(result["status"] == "created" for result in results)
    reporter.progress(100.0, {"files": len(paths), "done": len(paths)})
    body = {"results": results, "created": created, "rejected": len(results) - created}
    return json.loads(json.dumps(body, cls=DjangoJSONEncoder))  # dates as ISO text
