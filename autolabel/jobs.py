"""Background jobs: a Job row per piece of work, run by django-tasks' database worker.

django-tasks has no progress and no reaper, so the Job row carries both: the running job
writes progress and a heartbeat, and `jobs_reap` marks jobs whose heartbeat stopped (a worker
killed or lost) as failed instead of leaving them "running" forever.
"""

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from autolabel.models import Job
from labeler.errors import Conflict, UserError
from labeler.realtime import group_broadcast
from labeler.services.access import Action, project_permission_check

logger = logging.getLogger(__name__)

HANDLERS = {
    Job.Kind.TRAIN: "autolabel.job_handlers.train_job",
    Job.Kind.AUTOLABEL: "autolabel.job_handlers.autolabel_job",
    Job.Kind.INGEST: "autolabel.job_handlers.ingest_job",
    Job.Kind.LABEL_STUDIO_TRAIN: "autolabel.labelstudio.training.label_studio_train_job",
}


class JobCancelled(Exception):
    """Raised inside a job when a person asked to stop it."""


def job_group_name(job_id: int) -> str:
    return f"job_{job_id}"


def job_create(*, kind, user, project=None, series_file=None, model=None, params=None) -> Job:
    job = Job.objects.create(
        kind=kind,
        created_by=user,
        project=project,
        file=series_file,
        model=model,
        params=params or {},
    )
    transaction.on_commit(lambda: job_enqueue(job_id=job.id))
    return job


def job_enqueue(*, job_id: int) -> None:
    result = job_run.enqueue(job_id)
    Job.objects.filter(pk=job_id).update(task_result_id=str(result.id))


@task()
def job_run(job_id: int) -> None:
    job_execute(job_id=job_id)


def job_execute(*, job_id: int, worker: str = "") -> None:
    now = timezone.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, worker=worker
    )
    if not claimed:
        logger.info("job %s was not queued any more (cancelled or already run)", job_id)
        return
    job = Job.objects.get(pk=job_id)
    reporter = JobReporter(job)
    handler = import_string(HANDLERS[job.kind])
    with Heartbeat(job_id):
        try:
            result = handler(job, reporter)
        except JobCancelled:
            _finish(job_id, Job.Status.CANCELLED, error="Cancelled on request.")
        except UserError as error:
            _finish(job_id, Job.Status.FAILED, error=error.message)
        except Exception as error:
            logger.exception("job %s failed", job_id)
            _finish(job_id, Job.Status.FAILED, error=f"{type(error).__name__}: {error}")
        else:
            _finish(job_id, Job.Status.SUCCEEDED, result=result or {}, progress=100)


def _finish(job_id, status, *, error="", result=None, progress=None) -> None:
    fields = {"status": status, "error": error, "finished_at": timezone.now()}
    if result is not None:
        fields["result"] = result
    if progress is not None:
        fields["progress"] = progress
    Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(**fields)
    job_broadcast(job_id=job_id)


def job_broadcast(*, job_id: int) -> None:
    job = Job.objects.filter(pk=job_id).first()
    if job is not None:
        from autolabel.serializers import job_data

        group_broadcast(
            group=job_group_name(job_id), message={"type": "job.changed", "job": job_data(job)}
        )


class JobReporter:
    """What a running job uses to report progress and to learn that it should stop."""

    CANCEL_CHECK_S = 0.5

    def __init__(self, job: Job):
        self.job_id = job.id
        self._checked_at = 0.0
        self._cancel = False

    def progress(self, percent: float, metrics: dict | None = None) -> None:
        fields = {"progress": max(0.0, min(100.0, float(percent))), "heartbeat_at": timezone.now()}
        if metrics is not None:
            fields["metrics"] = metrics
        Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(**fields)
        job_broadcast(job_id=self.job_id)
        if self.cancelled():
            raise JobCancelled()

    def cancelled(self) -> bool:
        now = time.monotonic()
        if not self._cancel and now - self._checked_at >= self.CANCEL_CHECK_S:
            self._checked_at = now
            self._cancel = Job.objects.filter(pk=self.job_id, cancel_requested=True).exists()
        return self._cancel


class Heartbeat:
    """Keeps the job's heartbeat fresh from a thread while the job body runs."""

    def __init__(self, job_id: int):
        self.job_id = job_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name=f"job-{job_id}")

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=10)

    def _beat(self):
        interval = settings.JOB_HEARTBEAT_S
        try:
            while not self.stop.wait(interval):
                try:
                    Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:
                    logger.warning("heartbeat of job %s failed", self.job_id, exc_info=True)
                finally:
                    close_old_connections()
        finally:
            connections.close_all()  # this thread's own, kept open by CONN_MAX_AGE otherwise


# Who may stop a job: those who may start a job of its kind.
CANCEL_ACTIONS = {
    Job.Kind.TRAIN: Action.TRAIN,
    Job.Kind.AUTOLABEL: Action.AUTOLABEL,
    Job.Kind.INGEST: Action.FILES_UPLOAD,
    Job.Kind.LABEL_STUDIO_TRAIN: Action.TRAIN,
}


def job_cancel(*, job: Job, user) -> Job:
    """Queued: cancelled at once. Running: asked to stop (it stops at its next check)."""
    if job.project_id is not None:
        project_permission_check(project=job.project, user=user, action=CANCEL_ACTIONS[job.kind])
    if job.is_finished:
        raise Conflict(f"The job already finished ({job.status}).")
    stopped = Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.CANCELLED, finished_at=timezone.now(), error="Cancelled before it ran."
    )
    if not stopped:
        Job.objects.filter(pk=job.pk).update(cancel_requested=True)
    job.refresh_from_db()
    job_broadcast(job_id=job.pk)
    return job


def jobs_reap(*, now=None) -> int:
    """Mark running jobs whose heartbeat stopped as failed (their worker died)."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.JOB_STALE_AFTER_S)
    stale = list(
        Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=stale_before).values_list(
            "id", "task_result_id"
        )
    )
    for job_id, task_result_id in stale:
        updated = Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(
            status=Job.Status.FAILED,
            finished_at=now,
            error=(
                "The worker running this job stopped without finishing it (killed or lost); "
                "start the job again."
            ),
        )
        if updated and task_result_id:
            DBTaskResult.objects.filter(pk=task_result_id, status="RUNNING").update(
                status="FAILED", finished_at=now
            )
        if updated:
            logger.warning("job %s: worker gone, marked failed", job_id)
            job_broadcast(job_id=job_id)
    return len(stale)
