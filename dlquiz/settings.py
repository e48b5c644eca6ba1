"""Settings, read from the environment (see README, "Environment")."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DJANGO_DEBUG", True)
# A random development key is fine for DEBUG; production refuses to start without a real one.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off")
    SECRET_KEY = "dev-insecure-" + "x" * 50

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver").split(
        ","
    )
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("DJANGO_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "dlquiz.ops.axes_app.AxesConfig",
    "django_prometheus",
    "dlquiz.core",
    "dlquiz.accounts",
    "dlquiz.ops",
    "dlquiz.content",
    "dlquiz.coding",
    "dlquiz.quiz",
    "dlquiz.courses",
    "dlquiz.similarity",
    "lti_tool",
    "dlquiz.lti",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "dlquiz.core.middleware.NulRejectMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "dlquiz.ops.middleware.RequestContextMiddleware",
    # Last but one: turns a login refused for too many failures into the lockout answer.
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "dlquiz.urls"
WSGI_APPLICATION = "dlquiz.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The admin's base_site.html, extended with the project's admin styles and script.
        "DIRS": [BASE_DIR / "dlquiz" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Connections are kept between requests and grades, and checked before reuse after an
        # error, so a database restart costs one retried grade at most.
        conn_max_age=60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web and worker processes write concurrently; WAL and a busy timeout avoid "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# The first backend counts failed logins and refuses a locked-out username+address before the
# password is checked (django-axes); a call without a request (the test client, shell) is not an
# attempt from outside and is not counted.
AUTHENTICATION_BACKENDS = [
    "dlquiz.accounts.backends.LoginAttemptBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = env_bool("DLQUIZ_LOGIN_PROTECTION", True)
AXES_FAILURE_LIMIT = int(os.environ.get("DLQUIZ_LOGIN_FAILURE_LIMIT", "5"))
# Minutes; a lockout lifts by itself after this long, or at once when an administrator deletes
# its access attempts in the admin (Axes › Access attempts).
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("DLQUIZ_LOGIN_COOLOFF_MIN", "15")))
# Per username and address together: one student mistyping does not lock a whole classroom behind
# one NAT address, and guessing one account's password from one address stops after the limit.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "dlquiz.accounts.lockout.lockout_response"
# Reverse proxies in front of the web server: the client's address is then the one that many
# entries from the end of X-Forwarded-For (each proxy appends the address it saw).
DLQUIZ_PROXY_COUNT = int(os.environ.get("DLQUIZ_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "dlquiz.accounts.lockout.client_address"
AXES_VERBOSE = False

# Sessions last two weeks of inactivity at most and are renewed on every request, so an active
# student stays logged in and an abandoned one expires; DLQUIZ_SESSION_AGE_S shortens it.
SESSION_COOKIE_AGE = int(os.environ.get("DLQUIZ_SESSION_AGE_S", str(14 * 24 * 3600)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = env_bool("DLQUIZ_SESSION_BROWSER_CLOSE", False)

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Production hardening; a local HTTP deployment sets DJANGO_SECURE_SSL=0 and accepts the TLS warnings.
SECURE_SSL = env_bool("DJANGO_SECURE_SSL", not DEBUG)
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
SECURE_SSL_REDIRECT = SECURE_SSL
SECURE_HSTS_SECONDS = 31536000 if SECURE_SSL else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024

# Content-Security-Policy (django-csp): scripts and style sheets from this site only, no inline
# script or event handler. Style attributes stay allowed: KaTeX and CodeMirror position glyphs and
# lines with them, and the admin's templates carry a few.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PARSER_CLASSES": ["dlquiz.core.parsers.JSONParser"],
    "DEFAULT_THROTTLE_RATES": {
        "submissions": os.environ.get("DLQUIZ_SUBMIT_RATE", "30/min"),
        "anon": "120/min",
    },
    "UNAUTHENTICATED_USER": None,
    "EXCEPTION_HANDLER": "dlquiz.core.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "dlquiz API",
    "DESCRIPTION": "Q&A cards, coding exercises, submissions and exam practice.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "dlquiz.core.api.document_malformed_address",
    ],
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# LTI login state and nonces: shared by every web process (the launch may reach another one).
CACHES["lti"] = {
    "BACKEND": "django.core.cache.backends.redis.RedisCache",
    "LOCATION": REDIS_URL,
    "KEY_PREFIX": "lti",
    "TIMEOUT": 600,
}

# Celery: JSON only, acks after grading, at most one task reserved per process (grading is long and
# uneven), redelivery when a worker dies. Redis has no redelivered flag, so the delivery count lives
# in the database (Submission.attempts) and caps poison submissions.
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "cpu"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Longest possible grade is the total time limit times the largest multiplier; the visibility
# timeout must exceed it or Redis hands a running task to a second worker.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Celery's Django fixup closes the database connection before and after every task unless this is
# set; a new connection cost each grade about 1 ms on SQLite and more on PostgreSQL. The grading
# task closes old or broken connections itself, as Django does between requests
# (dlquiz.coding.tasks).
CELERY_DB_REUSE_MAX = 1_000_000
CELERY_WORKER_LOG_FORMAT = (
    "[%(asctime)s: %(levelname)s/%(processName)s] [submission %(submission_id)s] %(message)s"
)
CELERY_WORKER_TASK_LOG_FORMAT = (
    "[%(asctime)s: %(levelname)s/%(processName)s] %(task_name)s[%(task_id)s] "
    "[submission %(submission_id)s] %(message)s"
)

DLQUIZ_MAX_GRADE_ATTEMPTS = int(os.environ.get("DLQUIZ_MAX_GRADE_ATTEMPTS", "3"))
DLQUIZ_STUCK_AFTER_S = int(os.environ.get("DLQUIZ_STUCK_AFTER_S", "600"))
# A pending submission with no message left in Redis or in a live worker is lost after this long.
DLQUIZ_LOST_AFTER_S = int(os.environ.get("DLQUIZ_LOST_AFTER_S", "30"))
DLQUIZ_SWEEP_INTERVAL_S = int(os.environ.get("DLQUIZ_SWEEP_INTERVAL_S", "10"))
# Requests per web process that may wait for a grade (`?wait=`); the rest answer at once. Unset:
# gunicorn's threads per worker less one (dlquiz.gunicorn_conf tells the app), so one thread of
# every process always serves pages; a number caps that further (0: never wait).
DLQUIZ_API_MAX_WAITERS = (
    int(os.environ["DLQUIZ_API_MAX_WAITERS"]) if os.environ.get("DLQUIZ_API_MAX_WAITERS") else None
)
# /metrics: a bearer token when set, else only these addresses (loopback) may scrape.
DLQUIZ_METRICS_TOKEN = os.environ.get("DLQUIZ_METRICS_TOKEN", "")
DLQUIZ_METRICS_ALLOWED_IPS = [
    a.strip()
    for a in os.environ.get("DLQUIZ_METRICS_ALLOWED_IPS", "127.0.0.1,::1").split(",")
    if a.strip()
]
DLQUIZ_NOTES_DIR = BASE_DIR / "fixtures" / "notes"

# Every record carries the submission it is about (dlquiz.ops.context), in the web, the worker's
# tasks and the sandbox calls they make.
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [submission %(submission_id)s] %(message)s"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": LOG_FORMAT}},
    "filters": {"submission": {"()": "dlquiz.ops.context.SubmissionIdFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["submission"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
# Route torch submissions to the `gpu` queue (set when at least one GPU worker runs).
DLQUIZ_GPU_QUEUE = env_bool("DLQUIZ_GPU_QUEUE", False)
