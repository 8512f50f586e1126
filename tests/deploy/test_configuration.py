"""The documented configuration is the real one, and production refuses unsafe settings."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.django.production",
    "SECRET_KEY": "a-real-secret-key-that-is-long-enough-0123456789-abcdefghijklmnop",
    "DEBUG": "0",
    "ALLOWED_HOSTS": "labels.example.com",
}


def env_copy_names() -> list[str]:
    text = (ROOT / ".env-Copy").read_text()
    return re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE)


def names_read_by_the_code() -> set[str]:
    pattern = re.compile(r'env\.(?:str|bool|int|float|list|db)\(\s*"([A-Z0-9_]+)"')
    found = set()
    for path in list((ROOT / "config").rglob("*.py")) + list((ROOT / "labeler").rglob("*.py")):
        found.update(pattern.findall(path.read_text()))
    return found


def test_every_variable_the_code_reads_is_in_env_copy():
    assert names_read_by_the_code() - set(env_copy_names()) == set()


def test_readme_table_lists_every_variable_of_env_copy():
    readme = (ROOT / "README.md").read_text()
    table = "\n".join(line for line in readme.splitlines() if line.startswith("|"))
    missing = [name for name in env_copy_names() if f"`{name}`" not in table]
    assert missing == []


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, "VAR_DIR": str(ROOT / "var" / "test-deploy"), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "override, message",
    [
        ({"SECRET_KEY": "change-me-in-production"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DEBUG": "1"}, "DEBUG"),
    ],
)
def test_production_refuses_unsafe_settings(override, message):
    result = manage("check", env={**PRODUCTION_ENV, **override})
    assert result.returncode != 0
    assert message in result.stderr


REDIRECT_CHECK = """
from django.test import RequestFactory
from django.middleware.security import SecurityMiddleware
middleware = SecurityMiddleware(lambda request: None)
for path in ("/health", "/setup", "/predict", "/webhook", "/train", "/metrics", "/api/projects/"):
    request = RequestFactory().post(path, HTTP_HOST="labels.example.com")
    answer = middleware.process_request(request)
    print(path, answer.status_code if answer else "served")
"""


def test_production_redirects_to_https_all_but_the_label_studio_endpoints():
    result = manage("shell", "-c", REDIRECT_CHECK, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    answers = dict(line.split() for line in result.stdout.splitlines() if line.startswith("/"))
    backend = ["/health", "/setup", "/predict", "/webhook", "/train", "/metrics"]
    assert {path: answers[path] for path in backend} == dict.fromkeys(backend, "served")
    assert answers["/api/projects/"] == "301"
