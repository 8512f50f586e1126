"""Production: every secret from the environment; refuses to start with unsafe values."""

from django.core.exceptions import ImproperlyConfigured

from config.django.base import *  # noqa: F403
from config.django.base import PLACEHOLDER_SECRET_KEY, SECRET_KEY, env

if SECRET_KEY == PLACEHOLDER_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "Set SECRET_KEY to a random string of 50+ characters, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
if DEBUG:  # noqa: F405
    raise ImproperlyConfigured("DEBUG=1 is refused by the production settings.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Label Studio calls its ML backend over plain HTTP on the internal network (port 9090).
SECURE_REDIRECT_EXEMPT = [
    r"^health$",
    r"^setup$",
    r"^predict$",
    r"^webhook$",
    r"^train$",
    r"^metrics$",
]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
# The labeling UI embeds its Dash app in an iframe of the same origin, hence SAMEORIGIN.
SILENCED_SYSTEM_CHECKS = ["security.W019"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
