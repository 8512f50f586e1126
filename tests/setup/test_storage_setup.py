"""The run really uses the storage it was asked for (so a setup cannot silently fall back)."""

from django.conf import settings
from django.db import connection

from labeler.working_state import working_state_store


def test_database_and_working_state_match_the_chosen_setup(db, services_setup):
    store = type(working_state_store()).__name__
    if services_setup == "postgres-redis":
        assert connection.vendor == "postgresql"
        assert store == "RedisWorkingStateStore"
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database()")
            assert cursor.fetchone()[0] == settings.DATABASES["default"]["NAME"]
    else:
        assert connection.vendor == "sqlite"
        assert store == "DatabaseWorkingStateStore"
