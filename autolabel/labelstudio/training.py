"""Training a Label Studio project's model from its annotations (a background job)."""

import logging

from autolabel.labelstudio import client
from autolabel.labelstudio.services import _label_config_parsed, task_series
from autolabel.models import LabelStudioProject, TrainedModel
from labeler.errors import InvalidInput, UserError

logger = logging.getLogger(__name__)


def label_studio_train_job(job, reporter) -> dict:
    from autolabel.job_handlers import segmenter_trained
    from autolabel.services import model_register_file

    key = job.params["ls_project"]
    state = LabelStudioProject.objects.get(ls_project=key)
    config = _label_config_parsed(state.label_config)
    connection = client.Connection.for_project(state)
    fetched = client.labeled_tasks_fetch(key, connection)
    if fetched.is_error:
        raise InvalidInput(f"Label Studio project {key}: {fetched.error}.")
    recordings, skipped = task_recordings(fetched.tasks, config, connection)
    if not recordings:
        raise InvalidInput(f"Label Studio project {key} has no usable annotated task yet.")
    segmenter = segmenter_trained(
        job,
        reporter,
        recordings,
        config.labels,
        started=2,
        detail={"skipped": skipped},
        channels=list(config.channels),
        time_column=config.time_column,
        label_config=state.label_config,
    )
    model = model_register_file(
        name=f"label-studio-{key}",
        project=None,
        user=None,
        segmenter=segmenter,
        source=TrainedModel.Source.LABEL_STUDIO,
        label_studio_project=key,
    )
    return {"model": model.id, "recordings": len(recordings), "skipped": skipped}


def task_recordings(tasks, config, connection):
    """Recordings of the annotated tasks (ground truth first); tasks whose file cannot be read
    are skipped and listed, so one bad task never stops training."""
    from autolabel.segmenter import Recording, SeriesTable
    from autolabel.segmenter.lstasks import DataError, task_regions

    recordings, skipped = [], []
    for task in tasks:
        try:
            series = task_series(task, config, connection)
            values = series.values(list(config.channels))
            numbers = series.time.astype("float64")
            kind = series.time_kind
            times = None if kind == "index" else series.time
            table = SeriesTable(values, times, kind, numbers)
            regions = task_regions(task, config, table)
        except (UserError, DataError, ValueError) as error:
            skipped.append(
                {"task": task.get("id"), "reason": str(getattr(error, "message", error))}
            )
            continue
        if regions:
            recordings.append(Recording(f"task-{task.get('id')}", values, regions))
    return recordings, skipped
