"""Leftovers that belong to nothing: what a killed server, or an older version, left on disk."""

import logging
import re
import shutil
import time
from pathlib import Path

from django.conf import settings

from autolabel.models import TrainedModel
from labeler import exports, storage
from labeler.models import Project, SeriesFile

logger = logging.getLogger(__name__)

PROJECT_OUTPUTS = re.compile(r"project_\d+")


def orphans_sweep(*, grace_s: float | None = None) -> list[Path]:
    """Remove what belongs to no row and was not written for grace_s (ORPHAN_GRACE_S): upload
    folders of no file and upload temporary files (a server killed mid-upload), outputs
    folders of no project, outputs of no file and temporary files of an interrupted Save,
    checkpoints of no model. An upload, ingest, Save or model registration in progress keeps
    writing, so it is never taken; everything is listed before the rows are read, so a row
    registered meanwhile is known. Returns what was removed."""
    grace_s = settings.ORPHAN_GRACE_S if grace_s is None else grace_s
    uploads = _children(storage.files_root(), dirs=True)
    upload_temporaries = _children(Path(settings.FILE_UPLOAD_TEMP_DIR), dirs=False)
    outputs = [p for p in _children(storage.outputs_root(), dirs=True) if _is_project_outputs(p)]
    output_files = [p for folder in outputs for p in _children(folder, dirs=False)]
    checkpoints = [p for p in _children(storage.models_dir(), dirs=False) if p.suffix == ".pt"]

    files = dict(SeriesFile.objects.values_list("storage_key", "pk"))
    file_ids = set(files.values())
    projects = {storage.outputs_dir(pk).name for pk in Project.objects.values_list("pk", flat=True)}
    models = {f"{key}.pt" for key in TrainedModel.objects.values_list("storage_key", flat=True)}
    orphans = [
        *(p for p in uploads if p.name not in files),
        *upload_temporaries,
        *(p for p in outputs if p.name not in projects),
        *(p for p in output_files if _is_orphan_output(p, file_ids)),
        *(p for p in checkpoints if p.name not in models),
    ]
    cutoff = time.time() - grace_s
    removed = [path for path in orphans if _remove_if_untouched(path, cutoff)]
    if removed:
        logger.info("removed %d orphan(s): %s", len(removed), [str(p) for p in removed])
    return removed


def _is_orphan_output(path: Path, file_ids: set[int]) -> bool:
    """A temporary file of an interrupted Save, or an output of a deleted file. Outputs of the
    older naming carry no id: storage_sweep moves them, this never takes them."""
    if path.name.startswith("."):
        return True
    file_id = exports.output_file_id(path.name)
    return file_id is not None and file_id not in file_ids


def _is_project_outputs(folder: Path) -> bool:
    return PROJECT_OUTPUTS.fullmatch(folder.name) is not None


def _children(folder: Path, *, dirs: bool) -> list[Path]:
    if not folder.is_dir():
        return []
    return [path for path in folder.iterdir() if path.is_dir() == dirs]


def _remove_if_untouched(path: Path, cutoff: float) -> bool:
    try:
        if _last_written(path) > cutoff:
            return False
    except FileNotFoundError:  # removed meanwhile (a failed upload cleans up after itself)
        return False
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)
    return True


def _last_written(path: Path) -> float:
    """Newest modification time of path and everything under it."""
    newest = path.lstat().st_mtime
    if path.is_dir():
        for child in path.rglob("*"):
            try:
                newest = max(newest, child.lstat().st_mtime)
            except FileNotFoundError:
                continue
    return newest
