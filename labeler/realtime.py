"""Broadcasts of working-state changes to the browsers that show a file."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def file_group_name(file_id: int) -> str:
    return f"file_{file_id}"


def file_changed_broadcast(*, file_id: int, version: int, changed: dict, author: str = "") -> None:
    """Tell every open view of the file what changed. A failed broadcast never fails the edit:
    the change is already durable, and views reload on reconnect."""
    message = {
        "type": "file.changed",
        "file": file_id,
        "version": version,
        "changed": changed,
        "author": author,
    }
    group_broadcast(group=file_group_name(file_id), message=message)


def group_broadcast(*, group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.warning("could not broadcast to %s", group, exc_info=True)
