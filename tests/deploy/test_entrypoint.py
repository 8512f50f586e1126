"""entrypoint.sh's steps (wait for the database, migrate, create the admin, serve on 8000 and
9090) against a real PostgreSQL, as the web container runs them."""

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.servers import free_port

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.postgres


def test_entrypoint_web_migrates_creates_admin_and_serves_both_ports(postgres_server, tmp_path):
    import psycopg2

    connection = psycopg2.connect(
        host=postgres_server.host, port=postgres_server.port, user="postgres", dbname="postgres"
    )
    connection.autocommit = True
    connection.cursor().execute("DROP DATABASE IF EXISTS entrypoint_check")
    connection.cursor().execute("CREATE DATABASE entrypoint_check")
    connection.close()

    web_port, backend_port = free_port(), free_port()
    script = (ROOT / "entrypoint.sh").read_text()
    script = script.replace("-p 8000", f"-p {web_port}").replace(
        "port=9090", f"port={backend_port}"
    )
    script = script.replace("-b 0.0.0.0", "-b 127.0.0.1").replace(
        "interface=0.0.0.0", "interface=127.0.0.1"
    )
    local_entrypoint = tmp_path / "entrypoint.sh"
    local_entrypoint.write_text(script.replace('cd "$(dirname "$0")"', f'cd "{ROOT}"'))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.django.production",
        "SECRET_KEY": "entrypoint-test-secret-key-0123456789abcdef-ghijklmnopqrstuvwxyz",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{postgres_server.port}/entrypoint_check",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SUPERUSER_USERNAME": "root-admin",
        "DJANGO_SUPERUSER_PASSWORD": "a-long-admin-password-1",
        "PATH": f"{Path(os.sys.executable).parent}:{os.environ['PATH']}",
    }
    orphan = tmp_path / "var" / "media" / "files" / ("0" * 32)  # a killed upload's leftover
    orphan.mkdir(parents=True)
    os.utime(orphan, (time.time() - 7200, time.time() - 7200))
    process = subprocess.Popen(
        ["bash", str(local_entrypoint), "web"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        for port in (web_port, backend_port):
            body = _get_when_up(f"http://127.0.0.1:{port}/health", process)
            assert b'"UP"' in body
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        output = process.communicate(timeout=30)[0].decode()
    assert "Created admin user 'root-admin'" in output, output
    assert "orphans removed: 1" in output, output
    assert not orphan.exists()

    connection = psycopg2.connect(
        host=postgres_server.host,
        port=postgres_server.port,
        user="postgres",
        dbname="entrypoint_check",
    )
    cursor = connection.cursor()
    cursor.execute("SELECT is_superuser FROM auth_user WHERE username = 'root-admin'")
    assert cursor.fetchone() == (True,)
    cursor.execute("SELECT count(*) FROM django_migrations WHERE app = 'labeler'")
    assert cursor.fetchone()[0] >= 1
    connection.close()


def _get_when_up(url, process, timeout_s=90):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(process.stdout.read().decode())
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"{url} never answered")
