"""Rate limit of the admin (session) login form, per client address: LOGIN_RATE, e.g. 10/min.
The token endpoint has DRF's scoped throttle with the same rate."""

import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse

LOGIN_PATHS = ("/admin/login/", "/accounts/login/")


def _rate() -> tuple[int, int]:
    count, _, period = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["login"].partition("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]
    return int(count), seconds


class LoginRateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.path in LOGIN_PATHS:
            limit, window_s = _rate()
            key = f"login-attempts:{request.META.get('REMOTE_ADDR', '')}"
            now = time.time()
            attempts = [t for t in cache.get(key, []) if t > now - window_s]
            if len(attempts) >= limit:
                response = HttpResponse(
                    "Too many login attempts; try again in a minute.", status=429
                )
                response["Retry-After"] = str(int(window_s - (now - attempts[0])) + 1)
                return response
            cache.set(key, [*attempts, now], window_s)
        return self.get_response(request)
