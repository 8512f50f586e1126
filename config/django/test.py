"""Test settings: the database and working-state backend are chosen by tests/conftest.py."""

import tempfile
from pathlib import Path

from config.django.base import *  # noqa: F403

SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="tsl-test-media-"))
FILE_UPLOAD_TEMP_DIR = str(MEDIA_ROOT / "tmp")
STATIC_ROOT = MEDIA_ROOT.parent / f"{MEDIA_ROOT.name}-static"
STATIC_ROOT.mkdir(exist_ok=True)
CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
WORKING_STATE_BACKEND = "database"
REDIS_URL = ""
LOGIN_RATE = "1000/min"
# Tests never touch a database named by .env: SQLite here, PostgreSQL from tests/conftest.py.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(MEDIA_ROOT.parent / "tsl-test.sqlite3"),
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        "TEST": {"NAME": str(MEDIA_ROOT.parent / f"{MEDIA_ROOT.name}-test.sqlite3")},
    }
}
