"""The job worker: django-tasks' database worker plus a reaper that fails jobs whose worker
died (no heartbeat for JOB_STALE_AFTER_S) and removes files on disk that belong to nothing."""

import logging
import threading
import time

from django.conf import settings
from django.db import close_old_connections
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from autolabel.jobs import jobs_reap
from labeler.services.sweep import orphans_sweep

logger = logging.getLogger(__name__)

ORPHAN_SWEEP_EVERY_S = 600.0


class Command(DbWorkerCommand):
    help = "Run background jobs (training, auto-labeling) and reap jobs of dead workers."

    def handle(self, *args, **options):
        preload_training_library()
        stop = threading.Event()
        reaper = threading.Thread(target=_reap_forever, args=(stop,), daemon=True, name="reaper")
        reaper.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()


def preload_training_library() -> None:
    """Import the segmenter (torch) and the optimizer's lazy imports once, before taking jobs:
    imported by the first training job instead, they cost that job's first progress report
    5-25 s (torch) and 3-7 s (the optimizer) on a busy 2-core machine."""
    from autolabel.segmenter.train import load_training_runtime

    load_training_runtime()


def _reap_forever(stop: threading.Event) -> None:
    interval = max(1.0, settings.JOB_STALE_AFTER_S / 3)
    next_sweep = 0.0
    while not stop.wait(interval):
        next_sweep = reaper_round(next_sweep)


def reaper_round(next_sweep: float) -> float:
    """Fail stale jobs; when next_sweep (monotonic) has come, sweep orphans on disk too.
    Returns when the next sweep is due. The reaper must outlive a database hiccup."""
    try:
        jobs_reap()
    except Exception:
        logger.warning("reaping stale jobs failed", exc_info=True)
    if time.monotonic() >= next_sweep:
        next_sweep = time.monotonic() + ORPHAN_SWEEP_EVERY_S
        try:
            orphans_sweep()
        except Exception:
            logger.warning("sweeping orphans on disk failed", exc_info=True)
    close_old_connections()
    return next_sweep
