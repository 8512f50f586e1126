import logging
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from django.conf import settings
from django.db import IntegrityError, transaction

from labeler import exports, storage
from labeler.errors import Forbidden, InvalidInput, Unavailable, UserError
from labeler.ingest import MAPPING_CODES, TIME_INDEX, IngestError, columns_preview, ingest_csv
from labeler.models import SeriesFile
from labeler.services.access import Action, project_permission_check
from labeler.working_state import working_state_store

logger = logging.getLogger(__name__)

ACCEPTED_SUFFIXES = (".csv", ".tsv", ".txt")
COPY_CHUNK_BYTES = 8 << 20
# A project's time_column: "" detects the time column, ROW_INDEX uses the row number.
ROW_INDEX = "#row"
NAME_MAX_LENGTH = SeriesFile._meta.get_field("name").max_length


def ingest_time_column(project) -> str | None:
    if project.time_column == ROW_INDEX:
        return ""
    return project.time_column or None


@dataclass(frozen=True)
class ColumnMapping:
    """An uploader's choice for the files of one request; None keeps the project's way.

    ``time_column``: a column name or ``TIME_INDEX`` (the row number).
    """

    time_column: str | None = None
    time_format: str | None = None
    timezone: str | None = None
    channels: list[str] | None = None

    def ingest_options(self, project) -> dict:
        time_column = ingest_time_column(project) if self.time_column is None else self.time_column
        return {
            "time_column": time_column,
            "channels": self.channels if self.channels is not None else project.channels or None,
            "time_format": self.time_format if time_column != TIME_INDEX else None,
            "timezone": self.timezone,
        }


@dataclass
class UploadOutcome:
    name: str
    file: SeriesFile | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    code: str | None = None
    detail: dict | None = None

    @property
    def created(self) -> bool:
        return self.file is not None


def files_upload(*, project, uploads, user, mapping=None) -> list[UploadOutcome]:
    """uploads: [(name as sent, UploadedFile or None, reason it was refused)], in order.

    Each file is stored, ingested and registered on its own: one bad file never stops others.
    A file refused for its columns (``MAPPING_CODES``) is answered with what it holds
    (``detail["preview"]``), so the uploader can map them and send it again.
    """
    project_permission_check(project=project, user=user, action=Action.FILES_UPLOAD)
    mapping = mapping or ColumnMapping()
    outcomes = []
    for name, uploaded, refusal in uploads:
        if refusal:
            outcomes.append(UploadOutcome(name=name, error=refusal))
            continue
        outcomes.append(
            file_upload(project=project, name=name, uploaded=uploaded, user=user, mapping=mapping)
        )
    return outcomes


def file_upload(*, project, name, uploaded, user, mapping=None) -> UploadOutcome:
    return _file_create(
        project=project,
        name=name,
        user=user,
        keep=lambda destination: storage.upload_keep(uploaded, destination),
        mapping=mapping,
    )


def _file_create(*, project, name, user, keep, mapping=None) -> UploadOutcome:
    """Store the file (``keep(destination)`` writes its bytes there), ingest, register."""
    if not name.lower().endswith(ACCEPTED_SUFFIXES):
        return UploadOutcome(name=name, error="Only CSV files (.csv, .tsv, .txt) can be uploaded.")
    series_file = SeriesFile(project=project, uploaded_by=user)
    try:
        result = _store_and_ingest(
            series_file.storage_key, keep, (mapping or ColumnMapping()).ingest_options(project)
        )
    except IngestError as error:
        return UploadOutcome(name=name, error=error.message, code=error.code, detail=error.detail)
    except Exception:
        logger.exception("ingest of %r failed", name)
        return UploadOutcome(name=name, error="The file could not be read as a CSV table.")
    warnings = list(result.warnings)
    detail = None
    if result.time_guessed:  # the uploader may want to choose: say what the file holds
        detail = {"preview": columns_preview(storage.source_path(series_file.storage_key))}
    size_bytes = storage.source_path(series_file.storage_key).stat().st_size
    _fill_from_ingest(series_file, result, size_bytes=size_bytes)
    series_file.warnings = warnings
    try:
        _save_with_unique_name(series_file, project, name, warnings)
    except Exception:
        file_storage_remove(storage_key=series_file.storage_key, file_id=None)
        raise
    return UploadOutcome(name=name, file=series_file, warnings=warnings, detail=detail)


def _store_and_ingest(storage_key, keep, ingest_options):
    folder = storage.file_dir(storage_key)
    folder.mkdir(parents=True)
    source = storage.source_path(storage_key)
    try:
        keep(source)
        return ingest_csv(source, storage.cache_dir(storage_key), **ingest_options)
    except IngestError as error:
        if error.code in MAPPING_CODES:
            error.detail = {**error.detail, "preview": columns_preview(source)}
        raise
    finally:
        if not storage.cache_dir(storage_key).exists():
            shutil.rmtree(folder, ignore_errors=True)


# --------------------------------------------------------------------------- server folder


def import_root() -> Path:
    """The resolved IMPORT_ROOT; Forbidden when importing is off, Unavailable when the folder
    is missing."""
    if not settings.IMPORT_ROOT:
        raise Forbidden(
            "Importing from a server folder is turned off; the administrator allows it by "
            "setting IMPORT_ROOT to that folder."
        )
    root = Path(settings.IMPORT_ROOT).resolve()
    if not root.is_dir():
        raise Unavailable("The server's import folder (IMPORT_ROOT) is missing.")
    return root


def import_path_resolve(relative: str, root: Path) -> Path:
    """The file that ``relative`` names inside ``root``; ValueError saying why when none
    (absolute, '..', NUL, a link leading out, not a CSV file)."""
    if not relative or "\0" in relative:
        raise ValueError("is empty or holds a NUL character")
    pure = PurePosixPath(relative.replace("\\", "/"))
    if pure.is_absolute() or PureWindowsPath(relative).drive:
        raise ValueError("is absolute; give a path relative to the import folder")
    if ".." in pure.parts:
        raise ValueError("holds '..'")
    try:
        resolved = (root / pure).resolve(strict=True)
    except (OSError, RuntimeError):
        raise ValueError("does not exist") from None
    if not resolved.is_relative_to(root):
        raise ValueError("leads outside the import folder")
    if not resolved.is_file():
        raise ValueError("is not a file")
    if not resolved.name.lower().endswith(ACCEPTED_SUFFIXES):
        raise ValueError("is not a CSV file (.csv, .tsv, .txt)")
    return resolved


def import_paths_check(*, paths: list[str]) -> None:
    """InvalidInput naming every path that cannot be imported (Forbidden when importing is
    off)."""
    root = import_root()
    problems = []
    for path in paths:
        try:
            import_path_resolve(path, root)
        except ValueError as problem:
            problems.append((path, str(problem)))
    if problems:
        raise InvalidInput(
            "These paths cannot be imported: "
            + "; ".join(f"{path!r} {problem}" for path, problem in problems)
            + ".",
            detail={"paths": [{"path": path, "error": problem} for path, problem in problems]},
        )


def file_import(*, project, relative_path: str, user) -> UploadOutcome:
    """Copy a file of the import folder into storage, ingest it and register it, as an upload.

    The path is checked again (the folder may have changed since the request), and the file is
    opened without following a symbolic link and checked to be inside the folder once open.
    """
    name = PurePosixPath(relative_path.replace("\\", "/")).name
    try:
        root = import_root()
    except UserError as error:
        return UploadOutcome(name=name, error=error.message)
    try:
        resolved = import_path_resolve(relative_path, root)
    except ValueError as problem:
        return UploadOutcome(name=name, error=f"The path {relative_path!r} {problem}.")

    def copy_checked(destination: Path) -> None:
        descriptor = os.open(resolved, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        with os.fdopen(descriptor, "rb") as source:
            opened = Path(f"/proc/self/fd/{descriptor}")
            if opened.exists() and not Path(os.readlink(opened)).is_relative_to(root):
                raise IngestError(
                    f"The path {relative_path!r} leads outside the import folder.",
                    code="outside_import_root",
                )
            with destination.open("wb") as out:
                shutil.copyfileobj(source, out, COPY_CHUNK_BYTES)

    return _file_create(project=project, name=name, user=user, keep=copy_checked)


def _fill_from_ingest(series_file, result, *, size_bytes):
    series_file.size_bytes = size_bytes
    series_file.checksum = result.checksum
    series_file.rows = result.rows
    series_file.channels = list(result.channels)
    series_file.time_column = result.time_column or ""
    series_file.time_kind = result.time_kind
    series_file.time_start = result.time_start
    series_file.time_end = result.time_end
    series_file.sampling_rate = result.sampling_rate
    series_file.ingest_info = result.as_dict()


def _save_with_unique_name(series_file, project, name, warnings):
    """Names (and their stems) are unique in a project."""
    base = Path(name.replace("\\", "/")).name or "file.csv"
    stem, suffix = Path(base).stem, Path(base).suffix
    base = _fitted_name(stem, "", suffix)
    taken = {Path(n).stem for n in project.files.values_list("name", flat=True)}
    candidate, counter = base, 1
    while Path(candidate).stem in taken:
        counter += 1
        candidate = _fitted_name(stem, f" ({counter})", suffix)
    for _attempt in range(20):
        series_file.name = candidate
        try:
            with transaction.atomic():
                series_file.save()
        except IntegrityError:
            counter += 1
            candidate = _fitted_name(stem, f" ({counter})", suffix)
            continue
        if candidate != base:
            warnings.append(
                f"A file named {base} is already in the project; this one is {candidate}."
            )
        return
    raise IntegrityError("could not find a free file name")


def _fitted_name(stem, tag, suffix) -> str:
    """stem + tag + suffix, the stem shortened so the name fits the name column."""
    room = NAME_MAX_LENGTH - len(tag) - len(suffix)
    return stem[:room] + tag + suffix


@transaction.atomic
def file_delete(*, series_file, user) -> None:
    """Delete the file; once that is committed, its folder (upload, columnar cache), outputs
    and working state go too."""
    project_permission_check(project=series_file.project, user=user, action=Action.FILES_DELETE)
    storage_key, file_id = series_file.storage_key, series_file.id
    outputs = list(exports.output_paths(series_file).values())
    series_file.delete()
    transaction.on_commit(
        lambda: file_storage_remove(storage_key=storage_key, file_id=file_id, outputs=outputs)
    )


def file_storage_remove(*, storage_key, file_id, outputs=()) -> None:
    shutil.rmtree(storage.file_dir(storage_key), ignore_errors=True)
    for path in outputs:
        path.unlink(missing_ok=True)
    if file_id is not None:
        try:
            working_state_store().delete_file(file_id)
        except Exception:
            logger.warning("working state of deleted file %s left in the store", file_id)
