"""The Label Studio ML backend's work: setup, predict, training triggers."""

import hashlib
import logging
from pathlib import Path

from django.conf import settings
from django.db import transaction

from autolabel import jobs
from autolabel.labelstudio import client, protocol
from autolabel.models import Job, LabelStudioProject, TrainedModel
from labeler import storage
from labeler.errors import InvalidInput
from labeler.ingest import TIME_INDEX, IngestError, ingest_csv, open_series

logger = logging.getLogger(__name__)

MODEL_CLASS = "TimeSeriesSegmenter"
UNTRAINED_VERSION = f"{MODEL_CLASS}-untrained"


def cache_root() -> Path:
    return storage.media_root() / "labelstudio" / "files"


def project_state_update(*, key: str, label_config="", hostname="", access_token=""):
    state, _ = LabelStudioProject.objects.get_or_create(ls_project=key)
    fields = {"label_config": label_config, "hostname": hostname, "access_token": access_token}
    changed = [name for name, value in fields.items() if value and getattr(state, name) != value]
    for name in changed:
        setattr(state, name, fields[name])
    if changed:
        state.save(update_fields=[*changed, "updated_at"])
    return state


def project_model(key: str) -> TrainedModel | None:
    return TrainedModel.objects.filter(label_studio_project=key).order_by("-created_at").first()


def model_version(key: str) -> str:
    model = project_model(key)
    return f"{MODEL_CLASS}-{model.version}" if model else UNTRAINED_VERSION


def backend_setup(setup: protocol.SetupRequest) -> dict:
    _label_config_parsed(setup.label_config)
    hostname = setup.hostname if client.setup_hostname_accepted(setup.hostname) else ""
    if setup.hostname and not hostname:
        logger.info("ignored the hostname %r sent to /setup (not LABEL_STUDIO_URL)", setup.hostname)
    project_state_update(
        key=setup.project,
        label_config=setup.label_config,
        hostname=hostname,
        access_token=setup.access_token,
    )
    return {"model_version": model_version(setup.project)}


def _label_config_parsed(xml_text: str):
    from autolabel.segmenter import LabelConfigError, parse_label_config

    try:
        return parse_label_config(xml_text)
    except LabelConfigError as error:
        raise InvalidInput(f"The label config cannot be used: {error}.") from None


def task_series(task: dict, config, connection: client.Connection):
    """The task's CSV as a columnar series (downloaded and ingested once, then cached)."""
    reference = (task.get("data") or {}).get(config.value_key)
    fetched = client.task_file_fetch(reference, connection, cache_root())
    if fetched.is_error:
        raise InvalidInput(f"Task {task.get('id')}: {fetched.error}.")
    cache = _cache_dir_for(fetched.path)
    if not (cache / "meta.json").exists():
        try:
            ingest_csv(
                fetched.path,
                cache,
                time_column=config.time_column or TIME_INDEX,
                channels=list(config.channels) or None,
            )
        except IngestError as error:
            raise InvalidInput(f"Task {task.get('id')}: {error.message}") from None
    return open_series(cache)


def _cache_dir_for(path: Path) -> Path:
    """A local file's columnar cache: named by a readable stem and a digest of the whole path,
    since two paths can reduce to one stem (a?b.csv and a*b.csv)."""
    if path.is_relative_to(cache_root()):
        return path.parent / "cache"
    digest = hashlib.sha256(str(path).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return cache_root() / "local" / f"{storage.safe_stem(str(path))[:80]}-{digest}" / "cache"


def backend_predict(request: protocol.PredictRequest) -> dict:
    """One prediction per task, in order. Without a trained model: empty predictions."""
    from autolabel.segmenter import load_checkpoint

    config = _label_config_parsed(request.label_config)
    state = project_state_update(key=request.project, label_config=request.label_config)
    model = project_model(request.project)
    version = model_version(request.project)
    if model is None:
        empty = protocol.prediction_format([], score=0.0, model_version=version)
        return protocol.predict_response_format([empty for _ in request.tasks])
    from autolabel.services import model_path

    segmenter = load_checkpoint(model_path(model))
    connection = client.Connection.for_project(state)
    predictions = [
        _task_prediction(task, config, connection, segmenter, version) for task in request.tasks
    ]
    return protocol.predict_response_format(predictions)


def _task_prediction(task, config, connection, segmenter, version) -> dict:
    series = task_series(task, config, connection)
    channels = list(segmenter.channels or config.channels)
    missing = [c for c in channels if c not in series.channels]
    if missing:
        raise InvalidInput(f"Task {task.get('id')}: the file lacks channel(s) {missing}.")
    prediction = segmenter.predict(series.values(channels))
    results = []
    for number, region in enumerate(prediction.regions):
        start, end = series.format_times(series.time[[region.start_row, region.end_row]])
        results.append(
            {
                "id": f"seg{number}",
                "from_name": config.from_name,
                "to_name": config.to_name,
                "type": "timeserieslabels",
                "value": {
                    "start": start,
                    "end": end,
                    "instant": region.instant,
                    "timeserieslabels": [region.label],
                },
                "score": round(float(region.score), 4),
            }
        )
    return protocol.prediction_format(results, score=prediction.score, model_version=version)


def backend_webhook(event: protocol.WebhookEvent) -> tuple[dict, int]:
    """Count annotation events and start training in the background when it is time."""
    if not event.trains:
        return {"status": "Unknown event"}, 200
    with transaction.atomic():
        state = project_state_update(key=event.project, label_config=event.label_config)
        state = LabelStudioProject.objects.select_for_update().get(pk=state.pk)
        if event.action != "START_TRAINING":
            state.updates_since_training += 1
        due = (
            event.action == "START_TRAINING"
            or state.updates_since_training >= settings.START_TRAINING_EACH_N_UPDATES
        )
        job = _training_start(state) if due else None
        if job is not None:
            state.updates_since_training = 0
        state.save(update_fields=["updates_since_training", "updated_at"])
    result = {"job": job.id if job else None, "model_version": model_version(event.project)}
    return {"result": result, "job": result["job"], "status": "ok"}, 201


def _training_start(state: LabelStudioProject) -> Job | None:
    """A queued training will read the newest annotations when it starts: never queue two."""
    if not state.label_config:
        raise InvalidInput("No label config for this project yet: connect the backend first.")
    waiting = Job.objects.filter(
        kind=Job.Kind.LABEL_STUDIO_TRAIN,
        status=Job.Status.QUEUED,
        params__ls_project=state.ls_project,
    ).first()
    if waiting is not None:
        return waiting
    return jobs.job_create(
        kind=Job.Kind.LABEL_STUDIO_TRAIN, user=None, params={"ls_project": state.ls_project}
    )
