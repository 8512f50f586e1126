import os

import django

import config.env  # noqa: F401, E402 - reads .env, which may name the settings module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
django.setup(set_prefix=False)

from config.sync_asgi import SyncStackASGIHandler  # noqa: E402

django_asgi_app = SyncStackASGIHandler()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from config.routing import websocket_urlpatterns  # noqa: E402


def _warm_up() -> None:
    """Import at start what the first requests would otherwise import: the URL configuration
    (views, the Dash app; about 2 s) and the segmenter (torch; about 2.5 s). Label Studio waits
    3 s for /setup when it connects a backend, so a cold first /setup failed its check."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the property imports every URL module
    import autolabel.segmenter  # noqa: F401


_warm_up()

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns))
        ),
    }
)
