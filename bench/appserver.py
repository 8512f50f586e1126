"""A throwaway instance of the app for HTTP benchmarks: its own var/ folder and database,
prepared by a function run in the app's environment, served by Daphne on a free port."""

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

from tests.servers import free_port  # noqa: E402


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
