"""Rate limit of every login (the login page, the admin's, the token endpoint).

Failed attempts are counted per (account, client address) at LOGIN_RATE, so one person's
failures never lock out someone else behind the same proxy; a looser limit per client address
alone (ADDRESS_RATE_FACTOR times LOGIN_RATE) stops one client from trying many accounts. The
client address is REMOTE_ADDR unless NUM_PROXIES trusted proxies append to X-Forwarded-For:
a header the client sends itself never chooses the counter.
"""

import hashlib
import json
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, JsonResponse

LOGIN_PATHS = ("/admin/login/", "/accounts/login/")
TOKEN_PATH = "/api/auth/token/"  # noqa: S105 - a URL path
ADDRESS_RATE_FACTOR = 10


def client_address(request) -> str:
    """REMOTE_ADDR, or the address the nearest of NUM_PROXIES trusted proxies forwarded."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.NUM_PROXIES
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if proxies <= 0 or not forwarded:
        return remote
    return forwarded[-min(proxies, len(forwarded))]


def _rate() -> tuple[int, int]:
    count, _, period = settings.LOGIN_RATE.partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]
    return int(count), seconds


def _submitted_username(request) -> str:
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return ""
        value = body.get("username", "") if isinstance(body, dict) else ""
    else:
        value = request.POST.get("username", "")
    return value.casefold() if isinstance(value, str) else ""


def _counter_keys(request) -> list[tuple[str, int]]:
    """(cache key, limit) of each counter this attempt falls under."""
    limit, _ = _rate()
    address = client_address(request)
    account = hashlib.sha256(_submitted_username(request).encode()).hexdigest()
    return [
        (f"login-failures:{account}:{address}", limit),
        (f"login-failures:address:{address}", limit * ADDRESS_RATE_FACTOR),
    ]


def _recent(key: str, now: float, window_s: int) -> list[float]:
    return [t for t in cache.get(key, []) if t > now - window_s]


class LoginRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "POST" or request.path not in (*LOGIN_PATHS, TOKEN_PATH):
            return self.get_response(request)
        _, window_s = _rate()
        now = time.time()
        counters = _counter_keys(request)
        for key, limit in counters:
            attempts = _recent(key, now, window_s)
            if len(attempts) >= limit:
                return _too_many(request, int(window_s - (now - attempts[0])) + 1)
        response = self.get_response(request)
        if not _succeeded(request, response):
            for key, _ in counters:
                cache.set(key, [*_recent(key, now, window_s), now], window_s)
        return response


def _succeeded(request, response) -> bool:
    """The token endpoint answers 200 with a token; the login pages redirect (a failure shows
    the form again)."""
    return response.status_code == (200 if request.path == TOKEN_PATH else 302)


def _too_many(request, retry_after_s: int) -> HttpResponse:
    message = "Too many failed login attempts; try again in a minute."
    if request.path == TOKEN_PATH:
        response = JsonResponse({"error": message}, status=429)
    else:
        response = HttpResponse(message, status=429)
    response["Retry-After"] = str(retry_after_s)
    return response
