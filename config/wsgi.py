import os

from django.core.wsgi import get_wsgi_application

import config.env  # noqa: F401, E402 - reads .env, which may name the settings module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.django.base")
application = get_wsgi_application()
