"""The live, autosaved annotations of each file: one interface, two backends.

Every change is one atomic operation on one file's store, checked against the versions the
client last saw, and durable before it is acknowledged.
"""

from labeler.working_state.base import (
    AnnotationNotFound,
    Change,
    ChangeResult,
    FileState,
    VersionConflict,
    WorkingStateStore,
    WorkingStateUnavailable,
)
from labeler.working_state.factory import working_state_store

__all__ = [
    "AnnotationNotFound",
    "Change",
    "ChangeResult",
    "FileState",
    "VersionConflict",
    "WorkingStateStore",
    "WorkingStateUnavailable",
    "working_state_store",
]
