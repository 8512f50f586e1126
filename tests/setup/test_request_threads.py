"""config/sync_asgi.py: every request runs the synchronous stack on one of WEB_THREADS long-lived
threads, which keeps its database connection from one request to the next."""

import json
import threading

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator
from django.db import connection, connections
from django.http import JsonResponse
from django.urls import path

from config.sync_asgi import SyncStackASGIHandler

pytestmark = pytest.mark.django_db(transaction=True)


def where_am_i(request):
    connection.ensure_connection()
    return JsonResponse(
        {"thread": threading.current_thread().name, "connection": id(connection.connection)}
    )


urlpatterns = [path("where/", where_am_i)]


def _get(application, url: str) -> dict:
    async def request():
        return await HttpCommunicator(application, "GET", url).get_response(timeout=10)

    response = async_to_sync(request)()
    assert response["status"] == 200, response
    return json.loads(response["body"])


def test_requests_share_a_long_lived_thread_and_its_database_connection(settings, monkeypatch):
    # the test settings open a connection per request (CONN_MAX_AGE 0); the app's keep them
    monkeypatch.setitem(settings.DATABASES["default"], "CONN_MAX_AGE", 300)
    settings.ROOT_URLCONF = __name__
    settings.ALLOWED_HOSTS = ["*"]
    settings.WEB_THREADS = 1
    application = SyncStackASGIHandler()
    try:
        first, second = _get(application, "/where/"), _get(application, "/where/")
    finally:  # the kept connection would stop the test database from being dropped
        application.request_threads.submit(connections.close_all).result()
        application.request_threads.shutdown()
    assert first["thread"].startswith("django-request")
    assert first == second
