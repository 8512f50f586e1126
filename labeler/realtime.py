"""Broadcasts of working-state changes to the browsers that show a file."""

import asyncio
import logging
import queue
import threading

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

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
    if isinstance(layer, InMemoryChannelLayer):
        # Its queues belong to the server's event loop: send there (no I/O, so it is quick).
        _send_now(layer, group, message)
    else:
        _background_sender().submit(layer, group, message)


def _send_now(layer, group: str, message: dict) -> None:
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:
        logger.warning("could not broadcast to %s", group, exc_info=True)


class _BackgroundSender:
    """Sends to a network channel layer from one thread with one event loop, in the order
    submitted, so an edit's answer never waits on the broadcast round trips (the change is
    already durable when it is broadcast)."""

    def __init__(self):
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="broadcast-sender", daemon=True)
        self._thread.start()

    def submit(self, layer, group: str, message: dict) -> None:
        self._queue.put((layer, group, message))

    def flush(self, timeout_s: float = 5.0) -> bool:
        """Wait until everything submitted so far was sent (tests, shutdown)."""
        done = threading.Event()
        self._queue.put(done)
        return done.wait(timeout_s)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        while True:
            item = self._queue.get()
            if isinstance(item, threading.Event):
                item.set()
                continue
            layer, group, message = item
            try:
                loop.run_until_complete(layer.group_send(group, message))
            except Exception:
                logger.warning("could not broadcast to %s", group, exc_info=True)


_sender: _BackgroundSender | None = None
_sender_lock = threading.Lock()


def _background_sender() -> _BackgroundSender:
    global _sender
    with _sender_lock:
        if _sender is None or not _sender._thread.is_alive():
            _sender = _BackgroundSender()
        return _sender


def broadcasts_flush(timeout_s: float = 5.0) -> bool:
    """Block until broadcasts submitted so far were handed to the channel layer."""
    return _sender.flush(timeout_s) if _sender is not None else True
