"""Fixtures of the UI tests: users, a project with a small numeric file (in-process), and for the
browser tests a real ASGI server (Daphne) on a throwaway database with the demo project."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import numeric_csv
from tests.servers import BROWSER_ARGS, free_port, stop_process

ROOT = Path(__file__).resolve().parents[2]
LABELS = [
    {"name": "Walk", "color": "#1f77b4", "kind": "range"},
    {"name": "Run", "color": "#ff7f0e", "kind": "both"},
    {"name": "Fall", "color": "#d62728", "kind": "instant"},
]
ADMIN = ("admin", "ui-test-pass-123")


@pytest.fixture
def project(user):
    from labeler.services.projects import project_create

    return project_create(user=user, name="Gait", labels=LABELS)


@pytest.fixture
def series_file(project, user):
    """200 rows at 10 Hz: time 0.0 .. 19.9."""
    from labeler.services.files import file_upload

    upload = SimpleUploadedFile("walk.csv", numeric_csv(), "text/csv")
    outcome = file_upload(project=project, name="walk.csv", uploaded=upload, user=user)
    assert outcome.created, outcome.error
    return outcome.file


@pytest.fixture
def other_file(other_user):
    from labeler.services.files import file_upload
    from labeler.services.projects import project_create

    project = project_create(user=other_user, name="Secret", labels=LABELS)
    upload = SimpleUploadedFile("secret.csv", numeric_csv(), "text/csv")
    return file_upload(project=project, name="secret.csv", uploaded=upload, user=other_user).file


# ---- a real server for the browser tests


class LiveApp:
    def __init__(self, base_url: str, var_dir: Path, env: dict):
        self.base_url = base_url
        self.var_dir = var_dir
        self.env = env

    @property
    def log_path(self) -> Path:
        return self.var_dir / "daphne.log"

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_since(self, offset: int) -> str:
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", "replace")

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout


@pytest.fixture(scope="session")
def live_app(chromium_path):
    """Daphne (HTTP + websockets) on a free port, with its own SQLite database and media under
    a temporary VAR_DIR (database working state, in-memory channel layer): the admin user and
    the BasicMotions demo project loaded."""
    with running_app(WORKING_STATE_BACKEND="database", REDIS_URL="") as app:
        yield app


@pytest.fixture(scope="session")
def live_app_redis(chromium_path, redis_server):
    """The same on the production storage of the labels: Redis working state and Redis
    publish/subscribe channel layer."""
    with running_app(WORKING_STATE_BACKEND="redis", REDIS_URL=redis_server.url) as app:
        yield app


@contextmanager
def running_app(**storage):
    var_dir = Path(tempfile.mkdtemp(prefix="tsl-ui-"))
    (var_dir / "static").mkdir()
    env = dict(os.environ)
    # Every storage setting is given explicitly, so a developer's .env (read by config.env for
    # the variables the environment lacks) can never point the test server at a real database.
    env.update(
        DJANGO_SETTINGS_MODULE="config.django.base",
        VAR_DIR=str(var_dir),
        DATABASE_URL=f"sqlite:///{var_dir / 'db.sqlite3'}",
        MEDIA_ROOT=str(var_dir / "media"),
        DEBUG="0",
        SECRET_KEY="ui-test-secret-key",
        WHITENOISE_USE_FINDERS="1",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
        DJANGO_SUPERUSER_USERNAME=ADMIN[0],
        DJANGO_SUPERUSER_PASSWORD=ADMIN[1],
        LOGIN_RATE="1000/min",
        **storage,
    )
    app = LiveApp("", var_dir, env)
    app.manage("migrate", "--noinput", "-v0")
    app.manage("ensure_admin")
    app.manage("load_demo")
    port = free_port()
    log = app.log_path.open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "daphne",
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "config.asgi:application",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    app.base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{app.base_url}/health", server)
        yield app
    finally:
        stop_process(server, timeout_s=10)
        log.close()
        shutil.rmtree(var_dir, ignore_errors=True)


def _wait_until_up(url: str, server: subprocess.Popen, timeout_s: float = 60) -> None:
    import requests

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with {server.returncode}")
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.ConnectionError:
            time.sleep(0.2)
    raise TimeoutError(url)


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=BROWSER_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def logged_in_state(browser, live_app, tmp_path_factory):
    """Cookies of a session logged in through the login page (done once)."""
    return logged_in_state_of(browser, live_app, tmp_path_factory)


def logged_in_state_of(browser, live_app, tmp_path_factory) -> str:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_app.base_url}/")
    assert "/accounts/login/" in page.url
    page.fill("#id_username", ADMIN[0])
    page.fill("#id_password", ADMIN[1])
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_app.base_url}/")
    path = tmp_path_factory.mktemp("ui-session") / "state.json"
    context.storage_state(path=str(path))
    context.close()
    return str(path)


@pytest.fixture
def context(request, browser, logged_in_state):
    context = browser.new_context(
        storage_state=logged_in_state, viewport={"width": 1440, "height": 900}
    )
    request.node.browser_console = _record_console(context)
    yield context
    context.close()


def _record_console(context) -> list[str]:
    """Console messages and page errors of every page of the context, for failure reports."""
    lines: list[str] = []

    def watch(page):
        page.on("console", lambda message: lines.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: lines.append(f"pageerror: {error}"))

    context.on("page", watch)
    return lines


@pytest.fixture(autouse=True)
def _server_log_offset(request):
    """Where the live server's log stood when a browser test began (for failure reports)."""
    for name in ("live_app", "live_app_redis"):
        if name in request.fixturenames:
            app = request.getfixturevalue(name)
            request.node.server_log = (app, app.log_size())
    yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test reports the server log written during it and the browser console,
    so that a failure in CI can be understood after the throwaway server is gone."""
    report = yield
    if report.when == "call" and report.failed:
        if hasattr(item, "server_log"):
            app, offset = item.server_log
            log = app.log_since(offset)[-20_000:] or "(empty)"
            report.sections.append(("live server log", log))
        console = getattr(item, "browser_console", None)
        if console is not None:
            report.sections.append(("browser console", "\n".join(console[-200:]) or "(empty)"))
    return report
