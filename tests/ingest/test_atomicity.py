"""A failed ingest leaves nothing behind; a new ingest replaces the old cache whole."""

import subprocess
import sys

import pytest

from labeler.ingest import IngestError, ingest_csv, open_series
from labeler.ingest import ingest as ingest_module


def test_failure_midway_leaves_no_cache_and_no_temporary_folder(write_csv, tmp_path, monkeypatch):
    source = write_csv("ok.csv", "time,a\n0,1\n1,2\n")

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(ingest_module, "_check_time", broken)
    with pytest.raises(RuntimeError):
        ingest_csv(source, tmp_path / "caches" / "file1")
    assert list((tmp_path / "caches").iterdir()) == []


def test_refused_file_leaves_no_cache(write_csv, tmp_path):
    source = write_csv("dups.csv", "time,a\n0,1\n0,2\n")
    with pytest.raises(IngestError):
        ingest_csv(source, tmp_path / "caches" / "file1")
    assert list((tmp_path / "caches").iterdir()) == []


def test_new_ingest_replaces_the_old_cache(write_csv, tmp_path):
    source = write_csv("ok.csv", "time,a,b\n0,1,5\n1,2,6\n")
    ingest_csv(source, tmp_path / "caches" / "file1")
    ingest_csv(source, tmp_path / "caches" / "file1", channels=["b"])
    assert open_series(tmp_path / "caches" / "file1").channels == ["b"]
    assert [p.name for p in (tmp_path / "caches").iterdir()] == ["file1"]
    with pytest.raises(IngestError):
        ingest_csv(source, tmp_path / "caches" / "file1", channels=["zzz"])
    assert open_series(tmp_path / "caches" / "file1").channels == ["b"]  # old cache kept


def test_the_package_does_not_import_django():
    code = "import sys, labeler.ingest; print('django' in sys.modules)"
    answer = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert answer.stdout.strip() == "False"
