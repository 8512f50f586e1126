import logging

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET

from labeler.working_state.base import WorkingStateUnavailable
from labeler.working_state.factory import working_state_store

logger = logging.getLogger(__name__)


@require_GET
def health(request):
    """Liveness for people, load balancers and Label Studio (no login): 200 with "UP" when the
    database and the working state both answer, 503 with "DOWN" naming the part that failed."""
    parts = {"database": _database_state(), "working_state": _working_state_state()}
    up = all(state == "ok" for state in parts.values())
    body = {"status": "UP" if up else "DOWN", "model_class": "TimeSeriesSegmenter", **parts}
    return JsonResponse(body, status=200 if up else 503)


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.warning("health: the database is unreachable", exc_info=True)
        return "unreachable"
    return "ok"


def _working_state_state() -> str:
    try:
        working_state_store().version(0)
    except (WorkingStateUnavailable, DatabaseError):
        logger.warning("health: the working state is unreachable", exc_info=True)
        return "unreachable"
    return "ok"
