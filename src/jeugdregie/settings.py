"""Django settings, read from the environment.

DATABASE_URL      default: SQLite file var/jeugdregie.sqlite3 under the project root
JEUGDREGIE_SECRET_KEY      Django secret key
JEUGDREGIE_PSEUDONYM_KEY   key for the HMAC pseudonym of the BSN (SYSTEM.md section 6)
JEUGDREGIE_DEBUG           "1" for development; production refuses to start without both keys
JEUGDREGIE_VAR_DIR         where the SQLite file, demo data and generated keys live (default var/)
JEUGDREGIE_SMALL_NUMBER_THRESHOLD   aggregates on fewer clients are not shown outside regio (default 5)
JEUGDREGIE_LOGIN_POGINGEN           wrong passwords before a login is locked out (default 5)
JEUGDREGIE_LOGIN_BLOKKADE_MINUTEN   how long it stays locked out (default 15)
JEUGDREGIE_SCREEN_CACHE    file (default) or off: the screens' precomputed figures under var/cache
JEUGDREGIE_SCREEN_CACHE_DIR         where those live (default var/cache)
JEUGDREGIE_SCREEN_VERSION_TTL       seconds a server process reuses the data version (default 2;
                                    longer, up to 60, where computing it takes more than a tenth)

`jeugdregie demo` serves with DEBUG off (Dutch error pages, no debug pages) while keeping the
generated development keys in var/.
"""

from __future__ import annotations

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BASE_DIR.parents[1]
VAR_DIR = Path(os.environ.get("JEUGDREGIE_VAR_DIR", PROJECT_ROOT / "var"))

DEBUG = os.environ.get("JEUGDREGIE_DEBUG", "1") == "1"


def _development_key(name: str) -> str:
    """A random key kept in var/ so development and the demo keep working across restarts.
    Production (DEBUG off) must set the key in the environment instead."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / f".{name}"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _key(env_name: str, file_name: str) -> str:
    value = os.environ.get(env_name, "")
    if value:
        return value
    if not DEBUG:
        raise ImproperlyConfigured(
            f"{env_name} ontbreekt: zonder geheime sleutel start Jeugdregie niet in productie."
        )
    return _development_key(file_name)


SECRET_KEY = _key("JEUGDREGIE_SECRET_KEY", "secret_key")
PSEUDONYM_KEY = _key("JEUGDREGIE_PSEUDONYM_KEY", "pseudonym_key").encode()

ALLOWED_HOSTS = [h for h in os.environ.get("JEUGDREGIE_ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "jeugdregie.accounts",
    "jeugdregie.regio",
    "jeugdregie.catalogus",
    "jeugdregie.contracten",
    "jeugdregie.zorg",
    "jeugdregie.ijw",
    "jeugdregie.monitoring",
    "jeugdregie.budget",
    "jeugdregie.demo",
    "jeugdregie.web",
    "jeugdregie.rapportage",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "jeugdregie.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "jeugdregie.web.middleware.NoStoreMiddleware",
    "jeugdregie.accounts.middleware.AdminAuditMiddleware",
    # Last, as django-axes requires: turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "jeugdregie.accounts.backends.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "jeugdregie.urls"
WSGI_APPLICATION = "jeugdregie.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jeugdregie.web.context.logged_in_as",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'jeugdregie.sqlite3'}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL keeps the screens readable while an ingest commits; a busy timeout instead of errors.
    DATABASES["default"]["OPTIONS"].update(
        {"timeout": 30, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The screens' computed figures (web/screen_cache.py), warmed by `jeugdregie precompute` at the end
# of every ingest. On disk under var/cache because the ingest (or the demo's background ingest) runs
# in another process than the server; keys carry a data version, so new data never shows old
# figures. JEUGDREGIE_SCREEN_CACHE=off disables it (the default under pytest, where test databases
# reuse ids; tests that need it switch it on with a temporary directory).
SCREEN_CACHE = os.environ.get("JEUGDREGIE_SCREEN_CACHE", "off" if "pytest" in sys.modules else "file")
# How long one process reuses the data version it computed (seconds): computing it takes a few
# aggregate queries (about 0.1 s on the demo region), too much for every cached page view. New data
# shows at most this late. 0 under pytest, where tests change data and look at once.
SCREEN_VERSION_TTL = float(
    os.environ.get("JEUGDREGIE_SCREEN_VERSION_TTL", "0" if "pytest" in sys.modules else "2")
)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "screens": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache"
        if SCREEN_CACHE == "file"
        else "django.core.cache.backends.dummy.DummyCache",
        "LOCATION": os.environ.get("JEUGDREGIE_SCREEN_CACHE_DIR", str(VAR_DIR / "cache")),
        "TIMEOUT": 7 * 24 * 3600,
        "OPTIONS": {"MAX_ENTRIES": 5000, "CULL_FREQUENCY": 4},
    },
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands")]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve straight from the installed apps in development; `serve` collects them for production.
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "web:uitgelogd"

# Login throttling (django-axes): after this many wrong passwords for a username from one address,
# that login is refused for the cool-off time, with a Dutch page saying so.
AXES_FAILURE_LIMIT = int(os.environ.get("JEUGDREGIE_LOGIN_POGINGEN", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("JEUGDREGIE_LOGIN_BLOKKADE_MINUTEN", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "jeugdregie.accounts.backends.lockout_response"
AXES_VERBOSE = False

# Security headers. Content-Security-Policy (django-csp): scripts, styles and images from this site
# only, no inline scripts or styles, never in a frame.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "jeugdregie.web.errors.csrf_failure"

# Admin pages of these models show client-level data: every view is written to the audit log.
AUDITED_ADMIN_MODELS = ["zorg.*", "ijw.quarantaineitem"]

# Aggregates resting on fewer clients than this are suppressed outside the regio role.
SMALL_NUMBER_THRESHOLD = int(os.environ.get("JEUGDREGIE_SMALL_NUMBER_THRESHOLD", "5"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JEUGDREGIE_LOG_LEVEL", "WARNING")},
}

# Traffic light for referrers (SYSTEM.md section 12): thresholds are configuration.
STOPLICHT = {
    "budget_orange": float(os.environ.get("JEUGDREGIE_STOPLICHT_BUDGET_ORANJE", "0.90")),
    "budget_red": float(os.environ.get("JEUGDREGIE_STOPLICHT_BUDGET_ROOD", "1.00")),
    "waiting_orange_factor": 1.0,
    "waiting_red_factor": float(os.environ.get("JEUGDREGIE_STOPLICHT_WACHTTIJD_ROOD", "1.5")),
    "kpi_orange": 1,
    "kpi_red": 2,
}

# The read API under /api/ (docs/api.md): a token for systems, the session for browsers; JSON only,
# read only, errors as Dutch JSON.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",  # first: without credentials a 401
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "jeugdregie.api.exceptions.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Jeugdregie lees-API",
    "DESCRIPTION": "KPI's, plafonds, prognoses, signalen en het stoplicht van de jeugdhulpregio, met "
    "dezelfde rechten per rol en dezelfde onderdrukking van kleine aantallen als de schermen.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    # The schema names every endpoint and parameter: for logged-in users and tokens only, as the
    # endpoints themselves (without credentials a 401).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}
