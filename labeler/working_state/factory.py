from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from labeler.working_state.base import WorkingStateStore


def working_state_store() -> WorkingStateStore:
    """The store the settings name (read on each call, so tests can switch it)."""
    return _store(settings.WORKING_STATE_BACKEND, settings.REDIS_URL)


@lru_cache(maxsize=8)
def _store(backend: str, redis_url: str) -> WorkingStateStore:
    if backend == "database":
        from labeler.working_state.database import DatabaseWorkingStateStore

        return DatabaseWorkingStateStore()
    if backend == "redis":
        if not redis_url:
            raise ImproperlyConfigured("WORKING_STATE_BACKEND=redis needs REDIS_URL")
        from labeler.working_state.redis_store import RedisWorkingStateStore

        return RedisWorkingStateStore(redis_url)
    raise ImproperlyConfigured(f"WORKING_STATE_BACKEND must be database or redis, not {backend!r}")
