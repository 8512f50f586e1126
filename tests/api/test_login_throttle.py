"""Failed logins are limited per (account, client address); a client-sent X-Forwarded-For never
resets the count, and trusted proxies (NUM_PROXIES) make the forwarded address count."""

import pytest
from django.core.cache import cache
from django.test import Client

PASSWORD = "secret-pass-123"


@pytest.fixture(autouse=True)
def three_per_minute(settings):
    cache.clear()
    settings.LOGIN_RATE = "3/min"
    yield
    cache.clear()


def token_login(username, password, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return Client().post(
        "/api/auth/token/",
        {"username": username, "password": password},
        content_type="application/json",
        **headers,
    )


def page_login(username, password, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return Client().post(
        "/accounts/login/", {"username": username, "password": password}, **headers
    )


@pytest.mark.parametrize("login", [token_login, page_login])
def test_a_forged_forwarded_address_does_not_reset_the_limit(user, login):
    for n in range(3):
        assert login("alice", "wrong", forwarded=f"10.0.0.{n}").status_code in (200, 400)
    refused = login("alice", "wrong", forwarded="10.0.0.99")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert login("alice", PASSWORD, forwarded="10.0.0.100").status_code == 429


def test_the_token_endpoint_answers_json_when_limited(user):
    for _ in range(3):
        token_login("alice", "wrong")
    refused = token_login("alice", "wrong")
    assert refused.status_code == 429 and refused.json()["error"]


def test_someone_elses_failures_do_not_lock_out_another_account(user, other_user):
    for _ in range(4):
        token_login("alice", "wrong")
    assert token_login("alice", PASSWORD).status_code == 429
    assert token_login("bob", PASSWORD).status_code == 200
    assert [token_login("bob", "wrong").status_code for _ in range(4)] == [400, 400, 400, 429]


def test_one_address_trying_many_accounts_is_stopped_later(db):
    answers = [token_login(f"user{n}", "wrong").status_code for n in range(31)]
    assert answers[:30] == [400] * 30 and answers[30] == 429


def test_successful_logins_are_not_counted(user):
    assert [token_login("alice", PASSWORD).status_code for _ in range(5)] == [200] * 5


def test_with_trusted_proxies_the_forwarded_address_counts(user, settings):
    settings.NUM_PROXIES = 1
    for _ in range(3):
        token_login("alice", "wrong", forwarded="203.0.113.9")
    assert token_login("alice", "wrong", forwarded="203.0.113.9").status_code == 429
    # what the client put before the proxy's own entry changes nothing
    assert token_login("alice", "wrong", forwarded="1.2.3.4, 203.0.113.9").status_code == 429
    # another client behind the same proxy is not limited
    assert token_login("alice", PASSWORD, forwarded="198.51.100.7").status_code == 200
