"""Instances of the app for HTTP and browser benchmarks: a throwaway one (its own var/ folder and
database, prepared by a function run in the app's environment, served by Daphne on a free port),
and a kept one whose database and media live in a given folder, reused between runs."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.servers import free_port, stop_process  # noqa: E402


@contextmanager
def app_server(prepare_script: str, *prepare_args: str, extra_env: dict | None = None):
    """Yield (base_url, prepared) where prepared is the JSON that `python prepare_script
    --prepare ARGS` printed last, run in the server's environment after migrate."""
    var = Path(tempfile.mkdtemp(prefix="tsl-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.django.base",
        "VAR_DIR": str(var),
        "SECRET_KEY": "bench-secret",
        "LOG_LEVEL": "WARNING",
        **(extra_env or {}),
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    prepared = subprocess.run(
        [python, prepare_script, "--prepare", *prepare_args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    port = free_port()
    server = subprocess.Popen(
        [python, "-m", "daphne", "-p", str(port), "config.asgi:application"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base_url}/health")
        yield base_url, json.loads(prepared.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(var, ignore_errors=True)


@contextmanager
def persistent_app_server(var_dir: Path, *, admin: tuple[str, str], extra_env: dict | None = None):
    """Yield the base URL of the app served as `make run` serves it (`manage.py serve`: Daphne
    and one job worker) on a free port, with its database and media under `var_dir`, which is
    kept: a later run, from this checkout or another, finds the files ingested before. The
    migrations of the running checkout are applied first and the admin user is made once."""
    var_dir = Path(var_dir).resolve()
    (var_dir / "static").mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.django.base",
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'db.sqlite3'}",
        "MEDIA_ROOT": str(var_dir / "media"),
        "DEBUG": "0",
        "WHITENOISE_USE_FINDERS": "1",
        "SECRET_KEY": "bench-secret",
        "LOG_LEVEL": "WARNING",
        "REDIS_URL": "",
        "WORKING_STATE_BACKEND": "database",
        "DJANGO_SUPERUSER_USERNAME": admin[0],
        "DJANGO_SUPERUSER_PASSWORD": admin[1],
        "LOGIN_RATE": "1000/min",
        **(extra_env or {}),
    }
    python = sys.executable
    for command in (["migrate", "--noinput", "-v0"], ["ensure_admin"]):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True)
    port = free_port()
    log = (var_dir / "server.log").open("a")
    server = subprocess.Popen(
        [python, "manage.py", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(f"{base_url}/health")
        yield base_url
    finally:
        stop_process(server, timeout_s=30)
        log.close()


def wait_until_up(url: str, timeout_s: float = 60) -> None:
    import requests

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise TimeoutError(url)
