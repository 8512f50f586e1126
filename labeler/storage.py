"""Where things live on disk. Every name is generated here; nothing from a client becomes a path."""

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

SAFE_STEM = re.compile(r"[^A-Za-z0-9._ ()-]+")


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def files_root() -> Path:
    return media_root() / "files"


def file_dir(storage_key: str) -> Path:
    return files_root() / storage_key


def source_path(storage_key: str) -> Path:
    return file_dir(storage_key) / "source.csv"


def cache_dir(storage_key: str) -> Path:
    return file_dir(storage_key) / "cache"


def series_of(series_file):
    """The columnar cache of an uploaded file, opened (reads only its meta.json)."""
    from labeler.ingest import open_series

    return open_series(cache_dir(series_file.storage_key))


def outputs_root() -> Path:
    return media_root() / "outputs"


def outputs_dir(project_id: int) -> Path:
    return outputs_root() / f"project_{project_id}"


def models_dir() -> Path:
    return media_root() / "models"


def safe_stem(name: str) -> str:
    """A file name's stem reduced to characters that are safe in paths and ZIP entries."""
    stem = Path(os.path.basename(name.replace("\\", "/"))).stem
    stem = SAFE_STEM.sub("_", stem).strip(" .")
    return stem[:120] or "file"


def write_together(writes: dict[Path, Callable[[Path], None]]) -> None:
    """Call each write(tmp_path) on a temporary file beside its target, then rename them all
    over their targets. A failure before the renames (unwritable folder, full disk) leaves every
    target as it was and no temporary file; readers see old files or new ones, never a half."""
    staged: dict[Path, Path] = {}
    try:
        for path, write in writes.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, tmp_name = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
            )
            os.close(handle)
            staged[path] = Path(tmp_name)
            write(staged[path])
        for path, tmp_path in staged.items():
            os.replace(tmp_path, path)
    except BaseException:
        for tmp_path in staged.values():
            tmp_path.unlink(missing_ok=True)
        raise


def upload_keep(uploaded, destination: Path) -> None:
    """Move an uploaded file (a temporary file when large: a rename) to its place."""
    temporary_path = getattr(uploaded, "temporary_file_path", None)
    if temporary_path is not None:
        shutil.move(temporary_path(), destination)
        return
    with destination.open("wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
