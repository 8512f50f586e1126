"""`manage.py serve` (the embedded setup's server) sweeps a killed upload's leftover before it
serves."""

import contextlib
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


def _serve(manage, env, port):
    return subprocess.Popen(
        [*manage, "serve", "--port", str(port), "--workers", "0"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _api(base, path, token=None, data=None, content_type="application/json"):
    import json
    import urllib.request

    headers = {"Content-Type": content_type}
    if token:
        headers["Authorization"] = f"Token {token}"
    body = json.dumps(data).encode() if isinstance(data, dict) else data
    request = urllib.request.Request(base + path, data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_a_server_killed_while_ingesting_an_upload_leaves_nothing_usable(tmp_path):
    """A real server is killed (SIGKILL) while it ingests an upload: no file is listed, and the
    half-written folder is removed when the server starts again."""
    import threading

    inherited = ("DATABASE_URL", "REDIS_URL", "WORKING_STATE_BACKEND", "MEDIA_ROOT")
    env = {name: value for name, value in os.environ.items() if name not in inherited}
    env.update(
        DJANGO_SETTINGS_MODULE="config.django.base",
        VAR_DIR=str(tmp_path / "var"),
        ORPHAN_GRACE_S="0",
        DJANGO_SUPERUSER_USERNAME="killer",
        DJANGO_SUPERUSER_PASSWORD="kill-test-password-1",
        LOGIN_RATE="1000/min",
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput"], ["ensure_admin"]):
        subprocess.run([*manage, *command], env=env, cwd=ROOT, check=True, capture_output=True)
    files_root = tmp_path / "var" / "media" / "files"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = _serve(manage, env, port)
    try:
        _get_when_up(f"{base}/health", process)
        token = _api(
            base,
            "/api/auth/token/",
            data={"username": "killer", "password": "kill-test-password-1"},
        )["token"]
        project = _api(base, "/api/projects/", token, {"name": "Kill", "labels": ["A"]})
        rows = "".join(f"{i / 100},{i % 97}\n" for i in range(1_500_000))
        boundary = "killtestboundary"
        body = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
            f'filename="big.csv"\r\nContent-Type: text/csv\r\n\r\ntime,v\n{rows}\r\n'
            f"--{boundary}--\r\n"
        ).encode()
        upload = threading.Thread(
            target=lambda: _quietly(
                _api,
                base,
                f"/api/projects/{project['id']}/files/",
                token,
                body,
                f"multipart/form-data; boundary={boundary}",
            ),
            daemon=True,
        )
        upload.start()
        deadline = time.monotonic() + 120
        while not (files_root.exists() and any(files_root.iterdir())):
            assert time.monotonic() < deadline, "the upload never reached the files folder"
            time.sleep(0.02)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        leftovers = list(files_root.iterdir())
        assert leftovers  # the half-ingested upload's folder
        listed = subprocess.run(
            [
                *manage,
                "shell",
                "-c",
                "from labeler.models import SeriesFile; print(SeriesFile.objects.count())",
            ],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        assert listed.splitlines()[-1] == "0"  # nothing half-ingested is listed as usable
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    process = _serve(manage, env, port)
    try:
        _get_when_up(f"{base}/health", process)
        files = _api(base, f"/api/projects/{project['id']}/files/", token)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()
    assert files == []
    assert not any(path.exists() for path in leftovers), output


def _quietly(function, *args):
    with contextlib.suppress(OSError):  # the server was killed under this request
        function(*args)


def test_health_says_when_the_database_is_unreachable(tmp_path):
    """A real PostgreSQL of this test alone is stopped under a running server: /health answers
    503 "DOWN" naming the database (the working state lives in it too), never a 500."""
    import json
    import urllib.error
    import urllib.request

    from tests.conftest import unavailable
    from tests.servers import PostgresServer, ServerUnavailable

    try:
        database = PostgresServer.start()
    except ServerUnavailable as error:
        unavailable(str(error))
    inherited = ("DATABASE_URL", "REDIS_URL", "WORKING_STATE_BACKEND", "MEDIA_ROOT")
    env = {name: value for name, value in os.environ.items() if name not in inherited}
    env.update(
        DJANGO_SETTINGS_MODULE="config.django.base",
        VAR_DIR=str(tmp_path / "var"),
        DATABASE_URL=database.url,
        WORKING_STATE_BACKEND="database",
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    process = None
    try:
        subprocess.run(
            [*manage, "migrate", "--noinput"], env=env, cwd=ROOT, check=True, capture_output=True
        )
        port = free_port()
        process = _serve(manage, env, port)
        health = f"http://127.0.0.1:{port}/health"
        up = json.loads(_get_when_up(health, process))
        assert up["status"] == "UP" and up["database"] == "ok"

        database.stop()
        with pytest.raises(urllib.error.HTTPError) as answer:
            urllib.request.urlopen(health, timeout=30)
        assert answer.value.code == 503
        down = json.loads(answer.value.read())
        assert down["status"] == "DOWN"
        assert down["database"] == "unreachable" and down["working_state"] == "unreachable"
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.communicate(timeout=30)
        database.stop()
