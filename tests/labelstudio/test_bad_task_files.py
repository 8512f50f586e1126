"""A task file reference a client can send never makes /predict a 500."""

import pytest
from django.test import Client

from tests.labelstudio.conftest import DEMO, PROJECT
from tests.labelstudio.test_protocol import _register_untrained_model


@pytest.mark.parametrize(
    "reference",
    [
        "/data/local-files/?d=ok.csv%00.png",
        "/data/local-files/?d=%00",
        "/data/local-files/?d=../../etc/passwd",
        "/data/local-files/?d=" + "a" * 5000 + ".csv",
    ],
)
def test_bad_local_file_references_are_400(db, settings, tmp_path, label_config, reference):
    (tmp_path / "ok.csv").write_bytes((DEMO / "bm_dev_01.csv").read_bytes())
    settings.LOCAL_FILES_DOCUMENT_ROOT = str(tmp_path)
    _register_untrained_model(label_config)
    client = Client(raise_request_exception=False)
    body = {
        "tasks": [{"id": 1, "data": {"csv_url": reference}}],
        "project": f"{PROJECT}.1",
        "label_config": label_config,
    }
    answer = client.post("/predict", body, content_type="application/json")
    assert answer.status_code == 400, answer.content[:300]
    assert "local file" in answer.json()["error"]


def test_local_files_whose_names_reduce_alike_get_their_own_caches(tmp_path):
    from autolabel.labelstudio.services import _cache_dir_for

    first, second = tmp_path / "a?b.csv", tmp_path / "a*b.csv"
    assert _cache_dir_for(first) != _cache_dir_for(second)
    assert _cache_dir_for(first) == _cache_dir_for(tmp_path / "a?b.csv")
