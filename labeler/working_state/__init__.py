"""The live, autosaved annotations of each file: one interface, two backends.

Every change is one atomic operation on one file's store, checked against the versions the
client last saw, and durable before it is acknowledged.
"""

from labeler.working_state.base import (
    MANUAL_SOURCE,
    AnnotationNotFound,
    Change,
    ChangeResult,
    FileState,
    VersionConflict,
    WorkingAnnotation,
    WorkingStateStore,
    WorkingStateUnavailable,
    is_model_made,
)
from labeler.working_state.factory import working_state_store

__all__ = [
    "MANUAL_SOURCE",
    "AnnotationNotFound",
    "Change",
    "ChangeResult",
    "FileState",
    "VersionConflict",
    "WorkingStateStore",
    "WorkingAnnotation",
    "WorkingStateUnavailable",
    "is_model_made",
    "working_state_store",
]
