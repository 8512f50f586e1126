"""Job progress reaches the job's group on every channel layer: the Redis one (msgpack) carries
only plain JSON types, so the message must hold no datetimes or numpy numbers."""

import asyncio

import numpy as np
import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.utils import timezone

from autolabel.jobs import JobReporter, job_group_name
from autolabel.models import Job
from labeler.models import Project
from labeler.realtime import broadcasts_flush
from tests.api.test_realtime import channel_layer  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)


def test_job_progress_reaches_the_jobs_group(channel_layer, user, project):  # noqa: F811
    from channels.layers import get_channel_layer

    now = timezone.now()
    job = Job.objects.create(
        kind=Job.Kind.TRAIN,
        created_by=user,
        project=Project.objects.get(pk=project["id"]),
        status=Job.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
    )
    layer = get_channel_layer()

    def report_progress():
        JobReporter(job).progress(np.float32(42.25), {"epoch": 3, "loss": 0.5})
        broadcasts_flush()

    async def scenario():  # one event loop: the Redis layer subscribes per loop
        channel = await layer.new_channel()
        await layer.group_add(job_group_name(job.id), channel)
        await sync_to_async(report_progress)()
        message = await asyncio.wait_for(layer.receive(channel), timeout=5)
        await layer.group_discard(job_group_name(job.id), channel)
        return message

    message = async_to_sync(scenario)()
    assert message["type"] == "job.changed"
    sent = message["job"]
    assert sent["id"] == job.id and sent["status"] == "running"
    assert sent["progress"] in (42.2, 42.3)
    assert sent["metrics"] == {"epoch": 3, "loss": 0.5}
    assert sent["started_at"] == now.isoformat().replace("+00:00", "Z")
    assert sent["finished_at"] is None
