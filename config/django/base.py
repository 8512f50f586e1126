"""Settings shared by every setup. The embedded default (make run) is SQLite + database working
state + in-memory channel layer; production swaps in PostgreSQL and Redis through the environment.
"""

from datetime import timedelta
from pathlib import Path

from config.env import BASE_DIR, env

PLACEHOLDER_SECRET_KEY = "change-me-in-production"  # noqa: S105

SECRET_KEY = env.str("SECRET_KEY", default=PLACEHOLDER_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "django_tasks",
    "django_tasks_db",
    "django_plotly_dash.apps.DjangoPlotlyDashConfig",
    "labeler.apps.LabelerConfig",
    "autolabel.apps.AutolabelConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "labeler.content_security.ContentSecurityPolicyMiddleware",
    "autolabel.labelstudio.middleware.LabelStudioRootMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "labeler.login_throttle.LoginRateLimitMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Puts the Dash app's scripts into the labeling page ({% plotly_header/footer %}).
    "django_plotly_dash.middleware.BaseMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Web server and job worker share the file: wait for a lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
# Requests run on WEB_THREADS long-lived threads (config/sync_asgi.py), each keeping its database
# connection instead of opening one per request.
WEB_THREADS = env.int("WEB_THREADS", default=8)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"
# The Dash renderer sends the token of the cookie named "_csrf_token" as X-CSRFToken; with this
# name Django's own token protects the Dash callbacks (labeler.dash_ui.access).
CSRF_COOKIE_NAME = "_csrf_token"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    # django-plotly-dash's finders (Dash's JS bundles), listable by WhiteNoise too
    "labeler.static_finders.DashAssetFinder",
    "labeler.static_finders.DashComponentFinder",
    "labeler.static_finders.DashAppDirectoryFinder",
]
# Serve static files from the finders too (no collectstatic needed): development and tests.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)

# Dash (django-plotly-dash): bundles served from here, never from a CDN; every Dash view needs a
# login and the callback view a CSRF token.
PLOTLY_COMPONENTS = ["dpd_components"]
PLOTLY_DASH = {
    "serve_locally": True,
    "view_decorator": "labeler.dash_guard.dash_view_guard",
}
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media/"

# Uploads: the multipart parser streams anything above 2.5 MB to a temporary file; our own
# handler stops the stream at MAX_UPLOAD_MB (labeler.upload_handlers).
MAX_UPLOAD_MB = env.int("MAX_UPLOAD_MB", default=1024)
# A .pth is a zip archive: its entries' sizes are read before torch.load and the upload is
# refused when they unpack to more than this (autolabel.services.model_upload).
MODEL_MAX_UNPACKED_MB = env.int("MODEL_MAX_UNPACKED_MB", default=512)
FILE_UPLOAD_HANDLERS = [
    "labeler.upload_handlers.SizeLimitedUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Temporary upload files sit beside their final place, so keeping one is a rename.
FILE_UPLOAD_TEMP_DIR = str(MEDIA_ROOT / "tmp")
# A server folder whose CSV files a project member may import by relative path (large files
# without an upload); empty turns the import off.
IMPORT_ROOT = env.str("IMPORT_ROOT", default="")
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("MAX_UPLOAD_FILES", default=1000)
# What belongs to no row on disk (a killed server's upload, a deleted project's outputs, a
# checkpoint of no model) and was not written for this long is removed
# at start and by the job worker (labeler.services.sweep.orphans_sweep).
ORPHAN_GRACE_S = env.float("ORPHAN_GRACE_S", default=3600.0)

# Failed logins per account and client address (labeler.login_throttle).
LOGIN_RATE = env.str("LOGIN_RATE", default="10/min")
# Trusted proxies in front of the app that append the client's address to X-Forwarded-For;
# 0: the client address is the connection's (a client-sent header is never trusted).
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "labeler.api_errors.json_exception_handler",
    "NUM_PROXIES": NUM_PROXIES,
}
# API tokens: hashed at rest, `Authorization: Token <key>`, valid this many days.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=30)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Time Series Labeler API",
    "DESCRIPTION": "Upload time series, label them, train and run segmenters.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Login for the schema (SPEC §9); Swagger UI's files come from the app, never a CDN.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Working state: "database" (embedded default) or "redis" (production).
WORKING_STATE_BACKEND = env.str("WORKING_STATE_BACKEND", default="database")
REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # Broadcasts to open views only (nothing is queued for absent ones, views reload on
            # reconnect): one PUBLISH per change, which Redis does not write to its append-only
            # file, instead of the queueing layer's scripts and fsyncs.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
JOB_HEARTBEAT_S = env.float("JOB_HEARTBEAT_S", default=5.0)
JOB_STALE_AFTER_S = env.float("JOB_STALE_AFTER_S", default=60.0)

# Segmenter defaults (names as in the Label Studio example).
TRAIN_EPOCHS = env.int("TRAIN_EPOCHS", default=100)
SEQUENCE_SIZE = env.int("SEQUENCE_SIZE", default=50)
HIDDEN_SIZE = env.int("HIDDEN_SIZE", default=64)
BALANCED_ACCURACY_THRESHOLD = env.float("BALANCED_ACCURACY_THRESHOLD", default=0.85)
MIN_CLASS_F1_THRESHOLD = env.float("MIN_CLASS_F1_THRESHOLD", default=0.70)
USE_CLASS_WEIGHTS = env.bool("USE_CLASS_WEIGHTS", default=True)

# Label Studio ML backend.
LABEL_STUDIO_URL = env.str("LABEL_STUDIO_URL", default="") or env.str(
    "LABEL_STUDIO_HOST", default=""
)
LABEL_STUDIO_API_KEY = env.str("LABEL_STUDIO_API_KEY", default="")
START_TRAINING_EACH_N_UPDATES = env.int("START_TRAINING_EACH_N_UPDATES", default=1)
# Hosts besides Label Studio's own that task file URLs may point at.
LABEL_STUDIO_ALLOWED_HOSTS = env.list("LABEL_STUDIO_ALLOWED_HOSTS", default=[])
LABEL_STUDIO_TIMEOUT_S = env.float("LABEL_STUDIO_TIMEOUT_S", default=60.0)
# Label Studio "local files" storage root, read directly when this server sees the same disk.
LOCAL_FILES_DOCUMENT_ROOT = env.str("LOCAL_FILES_DOCUMENT_ROOT", default="")
BASIC_AUTH_USER = env.str("BASIC_AUTH_USER", default="")
BASIC_AUTH_PASS = env.str("BASIC_AUTH_PASS", default="")

X_FRAME_OPTIONS = "SAMEORIGIN"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.request": {"level": "ERROR"}},
}
