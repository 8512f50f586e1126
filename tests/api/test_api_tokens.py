"""API tokens: hashed at rest, expiring, revocable, and ended by a password change."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

PASSWORD = "secret-pass-123"
# Session authentication comes first, so DRF answers a refused token 403 (no WWW-Authenticate).
REFUSED = (401, 403)


def token_for(username="alice", password=PASSWORD) -> str:
    answer = APIClient().post(
        "/api/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert answer.status_code == 200, answer.content
    return answer.json()["token"]


def with_token(key) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_the_key_is_not_stored(user):
    key = token_for()
    (row,) = AuthToken.objects.filter(user=user).values()
    assert all(key not in str(value) for value in row.values())
    assert row["digest"] == hashlib.sha512(key.encode()).hexdigest()


def test_tokens_expire_after_the_configured_days(user):
    key = token_for()
    row = AuthToken.objects.get(user=user)
    assert abs(row.expiry - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    assert with_token(key).get("/api/projects/").status_code == 200
    AuthToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    answer = with_token(key).get("/api/projects/")
    assert answer.status_code in REFUSED and answer.json()["error"]


def test_delete_revokes_the_token_used_and_only_it(user):
    first, second = token_for(), token_for()
    assert with_token(first).delete("/api/auth/token/").status_code == 204
    assert with_token(first).get("/api/projects/").status_code in REFUSED
    assert with_token(second).get("/api/projects/").status_code == 200


def test_delete_without_a_token_is_refused(user):
    assert APIClient().delete("/api/auth/token/").status_code in REFUSED
    session = APIClient()
    session.force_login(user)
    answer = session.delete("/api/auth/token/")
    assert answer.status_code == 400 and "Token" in answer.json()["error"]


def test_a_password_change_revokes_every_token(user, other_user):
    keys = [token_for(), token_for()]
    other_key = token_for("bob")
    user.set_password("a-new-pass-456")
    user.save()
    assert all(with_token(key).get("/api/projects/").status_code in REFUSED for key in keys)
    assert with_token(other_key).get("/api/projects/").status_code == 200


def test_a_password_hash_upgrade_at_login_keeps_the_tokens(user, settings):
    key = token_for()
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    token_for()  # the MD5 hash is upgraded to PBKDF2 as this login checks it
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$")
    assert with_token(key).get("/api/projects/").status_code == 200


@pytest.mark.parametrize("header", ["Token nope", "Token", "Bearer abc"])
def test_bad_tokens_are_401(user, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    assert client.get("/api/projects/").status_code in REFUSED


def test_a_form_post_as_in_the_readme(user):
    answer = APIClient().post("/api/auth/token/", {"username": "alice", "password": PASSWORD})
    assert answer.status_code == 200
    assert set(answer.json()) == {"token", "expiry"}
