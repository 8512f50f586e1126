"""Test setup. `--services=embedded` (default): SQLite + database working state.
`--services=postgres-redis`: a throwaway PostgreSQL and Redis are started for the run and every
test uses them. REQUIRE_SERVICES=1 turns a missing server binary or browser into a failure."""

import os
import shutil

import pytest

from tests.factories import UserFactory
from tests.servers import PostgresServer, RedisServer, ServerUnavailable

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


def pytest_addoption(parser):
    parser.addoption(
        "--services",
        choices=["embedded", "postgres-redis"],
        default=os.environ.get("TEST_SERVICES", "embedded"),
        help="storage setup the tests run on",
    )


def pytest_report_header(config):
    return f"services: {config.getoption('--services')}, REQUIRE_SERVICES={int(REQUIRE_SERVICES)}"


def unavailable(reason: str):
    """Skip, or fail when the run requires every service."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def services_setup(request) -> str:
    return request.config.getoption("--services")


@pytest.fixture(scope="session")
def postgres_server():
    try:
        server = PostgresServer.start()
    except ServerUnavailable as error:
        unavailable(str(error))
    yield server
    server.stop()


def _redis_started() -> RedisServer:
    try:
        return RedisServer.start()
    except ServerUnavailable as error:
        unavailable(str(error))


@pytest.fixture(scope="session")
def redis_server():
    server = _redis_started()
    yield server
    server.stop()


@pytest.fixture
def own_redis():
    """A Redis of this test alone, which it may kill and restart."""
    server = _redis_started()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request, services_setup):
    if services_setup != "postgres-redis":
        return
    server = request.getfixturevalue("postgres_server")
    from django.conf import settings

    settings.DATABASES["default"].update(
        ENGINE="django.db.backends.postgresql",
        NAME="postgres",
        HOST=server.host,
        PORT=str(server.port),
        USER=server.user,
        PASSWORD=server.password,
        OPTIONS={},
    )
    settings.DATABASES["default"]["TEST"].update(NAME="test_labeler")
    _forget_connections()


def _forget_connections():
    """Connection objects made before the switch keep their SQLite backend: drop them, so the
    next use builds PostgreSQL ones from the updated settings."""
    from asgiref.local import Local
    from django.db import connections

    connections.close_all()
    connections.__dict__.pop("settings", None)
    connections._connections = Local(connections.thread_critical)


@pytest.fixture(autouse=True)
def _storage_setup(request, services_setup, settings):
    """Point the working state at the run's Redis (flushed per test) when asked to."""
    if services_setup != "postgres-redis":
        yield
        return
    server = request.getfixturevalue("redis_server")
    settings.WORKING_STATE_BACKEND = "redis"
    settings.REDIS_URL = server.url
    import redis

    redis.Redis.from_url(server.url).flushall()
    yield


@pytest.fixture
def redis_store(redis_server):
    """A Redis working-state store on the run's Redis, emptied first (any setup)."""
    import redis

    from labeler.working_state.redis_store import RedisWorkingStateStore

    redis.Redis.from_url(redis_server.url).flushall()
    return RedisWorkingStateStore(redis_server.url)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "media" / "tmp")


@pytest.fixture
def user(db):
    return UserFactory(username="alice")


@pytest.fixture
def other_user(db):
    return UserFactory(username="bob")


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(path):
        unavailable("chromium is not installed")
    return path
