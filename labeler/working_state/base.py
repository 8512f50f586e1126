from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field

MANUAL_SOURCE = "manual"


@dataclass(frozen=True)
class WorkingAnnotation:
    """One live label as the stores keep it (JSON-ready through ``stored()``).

    ``source`` is "manual" for a person's label and the model's name for a model's label;
    ``version`` counts the changes of this label (0 before it is stored).
    """

    id: str
    label: str
    start: float | int | str
    end: float | int | str
    instant: bool
    description: str = ""
    source: str = MANUAL_SOURCE
    score: float | None = None
    author: str = ""
    created_at: str = ""
    updated_at: str = ""
    version: int = 0

    @property
    def model_made(self) -> bool:
        return self.source != MANUAL_SOURCE

    @classmethod
    def from_stored(cls, data: dict) -> WorkingAnnotation:
        """A stored record; missing or malformed optional keys take their defaults (records.py
        tells which records are unusable; an edit of one is then checked like any other)."""
        start, end = data.get("start"), data.get("end")
        return cls(
            id=str(data.get("id", "")),
            label=_text(data.get("label")),
            start=start,
            end=end,
            instant=bool(data.get("instant", start == end)),
            description=_text(data.get("description")),
            source=_text(data.get("source")) or MANUAL_SOURCE,
            score=data.get("score") if isinstance(data.get("score"), int | float) else None,
            author=_text(data.get("author")),
            created_at=_text(data.get("created_at")),
            updated_at=_text(data.get("updated_at")),
            version=_version_of(data.get("version")),
        )

    def stored(self) -> dict:
        return asdict(self)


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _version_of(value) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def is_model_made(annotation: dict) -> bool:
    """For records read straight from a store (dicts): made by a model, not yet kept."""
    return (annotation.get("source") or MANUAL_SOURCE) != MANUAL_SOURCE


@dataclass(frozen=True)
class FileState:
    """One file's working state: a file version and {annotation id: annotation with version}."""

    version: int
    annotations: dict[str, dict] = field(default_factory=dict)

    def sorted_annotations(self) -> list[dict]:
        return sorted(self.annotations.values(), key=_annotation_sort_key)


def _annotation_sort_key(annotation: dict):
    start = annotation.get("start")
    return (str(type(start)), start, annotation.get("created_at", ""), annotation["id"])


@dataclass(frozen=True)
class ChangeResult:
    """What one applied batch did: the new file version and each touched annotation after it
    (None where deleted)."""

    version: int
    changed: dict[str, dict | None]


@dataclass(frozen=True)
class Change:
    """One change inside an atomic batch.

    op "create": annotation id must be new. op "update": replaces the annotation (which must
    exist); op "delete": removes it. expected_version: the annotation version the client saw
    (None: apply to whatever is there now).
    """

    op: str
    annotation_id: str
    annotation: dict | None = None
    expected_version: int | None = None

    def __post_init__(self):
        if self.op not in ("create", "update", "delete"):
            raise ValueError(f"unknown change {self.op!r}")
        if self.op != "delete" and self.annotation is None:
            raise ValueError(f"{self.op} needs an annotation")


class VersionConflict(Exception):
    """The change was made against a stale version; nothing was applied."""

    def __init__(self, state: FileState, annotation_id: str | None = None):
        super().__init__("the annotation was changed by someone else")
        self.state = state
        self.annotation_id = annotation_id


class AnnotationNotFound(Exception):
    def __init__(self, annotation_id: str):
        super().__init__(f"annotation {annotation_id} does not exist")
        self.annotation_id = annotation_id


class WorkingStateUnavailable(Exception):
    """The store cannot be reached; nothing was applied."""


class WorkingStateStore(ABC):
    @abstractmethod
    def get(self, file_id: int) -> FileState: ...

    @abstractmethod
    def version(self, file_id: int) -> int:
        """The file version alone (0: never edited)."""

    @abstractmethod
    def get_annotation(self, file_id: int, annotation_id: str) -> dict | None:
        """One annotation with its version, or None."""

    @abstractmethod
    def apply(
        self, file_id: int, changes: list[Change], *, expected_file_version: int | None = None
    ) -> ChangeResult:
        """Apply all changes or none. Raises VersionConflict,
        AnnotationNotFound, WorkingStateUnavailable."""

    @abstractmethod
    def replace_all(
        self, file_id: int, annotations: list[dict], *, expected_file_version: int | None = None
    ) -> FileState:
        """Set the whole state at once (seeding from saved labels)."""

    @abstractmethod
    def delete_file(self, file_id: int) -> None: ...


def check_changes(current_versions: dict[str, int], changes: list[Change]) -> str | None:
    """Validate a batch against the current annotation versions.

    Returns the id of a conflicting annotation, raises AnnotationNotFound, or returns None.
    Later changes in the batch see the effect of earlier ones.
    """
    versions = dict(current_versions)
    for change in changes:
        current = versions.get(change.annotation_id)
        if change.op == "create":
            if current is not None:
                return change.annotation_id
            versions[change.annotation_id] = 1
            continue
        if current is None:
            raise AnnotationNotFound(change.annotation_id)
        if change.expected_version is not None and change.expected_version != current:
            return change.annotation_id
        if change.op == "delete":
            del versions[change.annotation_id]
        else:
            versions[change.annotation_id] = current + 1
    return None
