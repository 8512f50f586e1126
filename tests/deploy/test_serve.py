"""`manage.py serve` (the embedded setup's server) sweeps a killed upload's leftover before it
serves."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.deploy.test_entrypoint import _get_when_up
from tests.servers import free_port

pytestmark = pytest.mark.slow  # starts the real server (imports torch and the Dash app)

ROOT = Path(__file__).resolve().parents[2]


def test_serve_removes_orphan_uploads_before_serving(tmp_path):
    inherited = ("DATABASE_URL", "REDIS_URL", "WORKING_STATE_BACKEND", "MEDIA_ROOT")
    env = {name: value for name, value in os.environ.items() if name not in inherited}
    env.update(DJANGO_SETTINGS_MODULE="config.django.base", VAR_DIR=str(tmp_path / "var"))
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run(
        [*manage, "migrate", "--noinput"], env=env, cwd=ROOT, check=True, capture_output=True
    )
    orphan = tmp_path / "var" / "media" / "files" / ("0" * 32)
    orphan.mkdir(parents=True)
    os.utime(orphan, (time.time() - 7200, time.time() - 7200))
    port = free_port()
    process = subprocess.Popen(
        [*manage, "serve", "--port", str(port), "--workers", "0"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _get_when_up(f"http://127.0.0.1:{port}/health", process)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()
    assert "orphans removed: 1" in output, output
    assert not orphan.exists()
