import html
import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from tests.api.conftest import upload


def test_health_needs_no_login(client):
    response = APIClient().get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "UP"


def test_token_login_and_token_auth(user):
    anonymous = APIClient()
    response = anonymous.post(
        "/api/auth/token/", {"username": "alice", "password": "secret-pass-123"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    anonymous.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anonymous.get("/api/projects/").status_code == 200


def test_wrong_password_is_a_json_4xx(user):
    response = APIClient().post(
        "/api/auth/token/", {"username": "alice", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert "error" in response.json()


@pytest.mark.parametrize(
    "path", ["/api/projects/", "/api/projects/1/", "/api/files/1/", "/api/files/1/annotations/"]
)
def test_every_endpoint_needs_a_login(db, path):
    response = APIClient().get(path)
    assert response.status_code in (401, 403)
    assert response.json()["error"]


def test_projects_of_others_are_invisible(client, other_client, project, uploaded_file):
    assert other_client.get("/api/projects/").json() == []
    assert other_client.get(f"/api/projects/{project['id']}/").status_code == 404
    file_id = uploaded_file["id"]
    for path in (
        f"/api/files/{file_id}/",
        f"/api/files/{file_id}/data/",
        f"/api/files/{file_id}/annotations/",
    ):
        response = other_client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]
    response = other_client.post(
        f"/api/files/{file_id}/annotations/",
        {"label": "Walk", "start": 1, "end": 2},
        format="json",
    )
    assert response.status_code == 404
    assert other_client.post(f"/api/files/{file_id}/save/").status_code == 404
    assert other_client.delete(f"/api/files/{file_id}/").status_code == 404
    assert client.get(f"/api/files/{file_id}/").status_code == 200


def test_upload_into_a_foreign_project_is_refused(other_client, project):
    from tests.factories import numeric_csv

    response = upload(other_client, project["id"], ("x.csv", numeric_csv()))
    assert response.status_code == 404


def test_members_see_the_project(client, other_client, project):
    response = client.post(
        f"/api/projects/{project['id']}/members/", {"username": "bob"}, format="json"
    )
    assert response.status_code == 201
    assert [p["id"] for p in other_client.get("/api/projects/").json()] == [project["id"]]
    # an annotator may not delete the project
    assert other_client.delete(f"/api/projects/{project['id']}/").status_code == 403


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/nothing-here/")
    assert response.status_code == 404
    assert response.json()["error"]


def test_schema_and_docs_need_a_login(db):
    schema = APIClient().get("/api/schema/")
    assert schema.status_code in (401, 403) and b"/api/files/" not in schema.content
    docs = Client().get("/api/docs/")
    assert docs.status_code == 302 and docs["Location"] == "/accounts/login/?next=/api/docs/"


def test_schema_and_docs(client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/files/{file_id}/annotations/" in schema.content


def test_docs_load_only_files_of_this_server(user, settings):
    """Swagger UI works with no internet: every file it needs comes from the app, as
    collectstatic + WhiteNoise serve them in production."""
    from django.core.management import call_command

    settings.WHITENOISE_USE_FINDERS = False
    call_command("collectstatic", interactive=False, verbosity=0)
    browser = Client()  # WhiteNoise reads STATIC_ROOT when the client's middleware starts
    browser.force_login(user)
    page = browser.get("/api/docs/")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.content.decode())
    assert len(assets) >= 4  # css, favicon, two bundles, the init script
    for url in assets:
        url = html.unescape(url)
        assert url.startswith("/") and not url.startswith("//"), url
        answer = browser.get(url)
        assert answer.status_code == 200, url
        body = b"".join(answer.streaming_content) if answer.streaming else answer.content
        assert b"://" not in body or "swagger-ui" in url, url  # the init script names no host


def test_login_is_rate_limited(db, settings):
    from django.core.cache import cache

    cache.clear()
    settings.LOGIN_RATE = "3/min"
    anonymous = APIClient()
    answers = [
        anonymous.post("/admin/login/", {"username": "x", "password": "y"}).status_code
        for _ in range(4)
    ]
    assert answers[:3] == [200, 200, 200] and answers[3] == 429
    cache.clear()
