"""Django settings for Kopiena, driven only by ``KOPIENA_*`` environment variables (see README.md).

Production mode (``KOPIENA_ENV=production``) turns on every secure default and passes
``manage.py check --deploy`` without warnings.
"""

from __future__ import annotations

import ipaddress
import secrets
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from kopiena.config.env import (
    env_bool,
    env_int,
    env_list,
    env_str,
    parse_database_url,
    private_dir,
    write_private_file,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = Path(env_str("KOPIENA_HOME", str(Path.cwd())))
VAR_DIR = Path(env_str("KOPIENA_VAR_DIR", str(BASE_DIR / "var")))

ENVIRONMENT = env_str("KOPIENA_ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("KOPIENA_DEBUG", default=not PRODUCTION)


def _secret_keys() -> list[str]:
    """KOPIENA_SECRET_KEYS: comma-separated, newest first. Older keys still verify and decrypt.

    In development a key is generated once and kept in var/secret_keys so sessions survive restarts.
    """
    keys = env_list("KOPIENA_SECRET_KEYS")
    if keys:
        return keys
    if PRODUCTION:
        raise RuntimeError("KOPIENA_SECRET_KEYS must be set in production (comma-separated, newest first).")
    key_file = VAR_DIR / "secret_keys"
    if not key_file.exists():
        private_dir(VAR_DIR)
        write_private_file(key_file, secrets.token_urlsafe(50) + "\n")
    return [line.strip() for line in key_file.read_text().splitlines() if line.strip()]


SECRET_KEYS = _secret_keys()
SECRET_KEY = SECRET_KEYS[0]
SECRET_KEY_FALLBACKS = SECRET_KEYS[1:]


def _audit_keys() -> list[str]:
    """KOPIENA_AUDIT_KEYS: the HMAC keys of the audit chain, comma-separated, newest first.

    Kept outside the database on purpose: someone who can rewrite the audit table cannot recompute the
    chain without them. The newest key signs new events (each event records its key's id); older keys
    still verify. In development a key is generated once into var/audit_keys (like var/secret_keys);
    production refuses to start without it, because processes on several machines must share one key.
    """
    keys = env_list("KOPIENA_AUDIT_KEYS")
    if keys:
        return keys
    if PRODUCTION:
        raise RuntimeError("KOPIENA_AUDIT_KEYS must be set in production (comma-separated, newest first).")
    key_file = VAR_DIR / "audit_keys"
    if not key_file.exists():
        private_dir(VAR_DIR)
        write_private_file(key_file, secrets.token_urlsafe(50) + "\n")
    return [line.strip() for line in key_file.read_text().splitlines() if line.strip()]


AUDIT_KEYS = _audit_keys()
# Where the clock writes the audit chain's head (id + hash) every AUDIT_ANCHOR_SECONDS; `kopiena audit
# verify` checks the chain against the last line. Put it where the database's users cannot write.
AUDIT_ANCHOR_PATH = Path(env_str("KOPIENA_AUDIT_ANCHOR_PATH", str(VAR_DIR / "audit_anchor.jsonl")))

ALLOWED_HOSTS = env_list("KOPIENA_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("KOPIENA_CSRF_TRUSTED_ORIGINS")
BASE_URL = env_str("KOPIENA_BASE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_htmx",
    "ninja",  # serves Swagger UI from its bundled static files instead of a CDN (CSP, offline)
    "django_tasks",
    "django_tasks_db",
    "kopiena.core",
    "kopiena.teams",
    "kopiena.audit",
    "kopiena.notifications",
    "kopiena.integrations",
    "kopiena.policy",
    "kopiena.publishing",
    "kopiena.planning",
    "kopiena.inbox",
    "kopiena.listening",
    "kopiena.analytics",
    "kopiena.contests",
    "kopiena.home",
    "kopiena.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "kopiena.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "kopiena.core.text.NulStrippingMiddleware",  # before anything reads a form field
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "kopiena.config.urls"
WSGI_APPLICATION = "kopiena.config.wsgi.application"
AUTH_USER_MODEL = "teams.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "kopiena.core.context_processors.shell",
            ],
        },
    }
]

DATABASES = {
    "default": parse_database_url(
        env_str("KOPIENA_DATABASE_URL", f"sqlite:///{VAR_DIR / 'kopiena.sqlite3'}"),
        base_dir=BASE_DIR,
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": env_str("KOPIENA_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "deliveries", "ingest", "reports"],
    }
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "kopiena_cache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("lv", _("Latvian")), ("ru", _("Russian"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Dates in the reader's language's format; English day-first with a 24-hour clock (kopiena/formats).
FORMAT_MODULE_PATH = ["kopiena.formats"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]  # the base layout's CSS/JS and the vendored assets
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"
WHITENOISE_USE_FINDERS = not PRODUCTION

EMAIL_BACKEND = env_str(
    "KOPIENA_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("KOPIENA_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("KOPIENA_EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("KOPIENA_EMAIL_FROM", "kopiena@localhost")

# Security: secure defaults everywhere, strict ones in production.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# The language cookie: no script reads it (the server renders every page in the chosen language).
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("KOPIENA_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("KOPIENA_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# The debug 500 page (development) hides anything that looks like a credential (kopiena.core.debug).
DEFAULT_EXCEPTION_REPORTER_FILTER = "kopiena.core.debug.KopienaExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "kopiena.core.debug.KopienaExceptionReporter"

# Content-Security-Policy: everything is served by us; no inline scripts.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; "
    "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)

# Failed sign-ins per 15 minutes per client address; from the same number on, a username is slowed down
# (kopiena.teams.throttle).
LOGIN_RATE_LIMIT = env_int("KOPIENA_LOGIN_RATE_LIMIT", 10)
# Proxies (addresses or networks) whose X-Forwarded-For is believed for the client address; empty: none.
TRUSTED_PROXIES = env_list("KOPIENA_TRUSTED_PROXIES")
for _proxy in TRUSTED_PROXIES:
    ipaddress.ip_network(_proxy, strict=False)  # fail at start-up on a typo, not at the first sign-in
WORKER_STALE_SECONDS = env_int("KOPIENA_WORKER_STALE_SECONDS", 60)  # no heartbeat for this long: banner, 503
# Periodic work `kopiena clock` enqueues: (dotted path of a @task taking no arguments, every_seconds).
# Add one line per job; the clock checks every entry at start-up. docs/operations.md explains the contract.
PERIODIC_TASKS = [
    ("kopiena.core.tasks_runtime.maintenance.runtime_tidy", 300),
    ("kopiena.audit.tasks.audit_flush_pending", 5),
    ("kopiena.audit.tasks.audit_anchor", 60),
    ("kopiena.publishing.tasks.deliveries_dispatch", 1),
    ("kopiena.publishing.tasks.deliveries_housekeeping", 15),
    ("kopiena.publishing.tasks.publishing_metrics_poll", 600),
    ("kopiena.inbox.tasks.inbox_poll", 15),
    ("kopiena.inbox.tasks.acute_escalate", 60),
    ("kopiena.inbox.tasks.sla_tick", 60),
    ("kopiena.notifications.tasks.notifications_dispatch", 30),
    ("kopiena.listening.tasks.listening_spikes_detect", 300),
    ("kopiena.listening.tasks.listening_trends_refresh", 300),
    ("kopiena.listening.tasks.listening_run", 15),
    ("kopiena.listening.tasks.listening_competitors_fetch", 60),
    ("kopiena.contests.tasks.contests_tick", 60),
    ("kopiena.planning.tasks.planning_feeds_refresh", 900),
    ("kopiena.reports.tasks.reports_send_scheduled", 300),
    ("kopiena.analytics.tasks.analytics_rollups_refresh", 120),
    ("kopiena.analytics.tasks.analytics_account_snapshots_poll", 3600),
]
# Delivery engine (kopiena/publishing/engine/config.py lists every knob and its default).
PUBLISH_LATE_CUTOFF_SECONDS = env_int("KOPIENA_PUBLISH_LATE_CUTOFF_SECONDS", 2 * 3600)
PUBLISH_LEASE_SECONDS = env_int("KOPIENA_PUBLISH_LEASE_SECONDS", 300)
# Outbound fetches (feeds, link previews, connector base URLs) refuse private addresses unless this is set.
OUTBOUND_ALLOW_PRIVATE = env_bool("KOPIENA_OUTBOUND_ALLOW_PRIVATE", False)
# Inbox: hold streaming connections (Mastodon's streaming API) in the worker that serves the ingest queue;
# polling remains the fallback. Off: polling only.
INBOX_STREAMING = env_bool("KOPIENA_INBOX_STREAMING", True)
# "Sign in with Facebook" for Pages/Instagram needs a Meta app (docs/connectors/facebook.md); without one
# those platforms are connected by pasting a Page token.
META_APP_ID = env_str("KOPIENA_META_APP_ID")
# How long the signed links that let Instagram fetch an uploaded file keep working (publishing.media_links).
PUBLIC_MEDIA_LINK_SECONDS = env_int("KOPIENA_PUBLIC_MEDIA_LINK_SECONDS", 24 * 3600)
META_APP_SECRET = env_str("KOPIENA_META_APP_SECRET")
META_GRAPH_URL = env_str("KOPIENA_META_GRAPH_URL", "https://graph.facebook.com")
# "Sign in with Google" for YouTube channels and Google Business Profile locations needs an OAuth client of a
# Google Cloud project with those APIs enabled (docs/connectors/youtube.md, google-business.md); without one a
# channel or location is connected by pasting a client id, client secret and refresh token.
GOOGLE_CLIENT_ID = env_str("KOPIENA_GOOGLE_CLIENT_ID")
GOOGLE_CLIENT_SECRET = env_str("KOPIENA_GOOGLE_CLIENT_SECRET")
YOUTUBE_API_URL = env_str("KOPIENA_YOUTUBE_API_URL", "https://www.googleapis.com")
# Where the Business Profile APIs are (tests point it at a local fake standing in for every Google host).
GOOGLE_BUSINESS_API_URL = env_str("KOPIENA_GOOGLE_BUSINESS_API_URL", "https://mybusiness.googleapis.com")
# "Sign in with Threads" needs a Meta app with the Threads use case (docs/connectors/threads.md); without one a
# profile is connected by pasting a long-lived Threads token and the profile's user id.
THREADS_APP_ID = env_str("KOPIENA_THREADS_APP_ID")
THREADS_APP_SECRET = env_str("KOPIENA_THREADS_APP_SECRET")
THREADS_API_URL = env_str("KOPIENA_THREADS_API_URL", "https://graph.threads.net")
THREADS_AUTHORIZE_URL = env_str("KOPIENA_THREADS_AUTHORIZE_URL", "https://threads.net/oauth/authorize")
# "Sign in with LinkedIn" for Pages needs a LinkedIn app with the Community Management API
# (docs/connectors/linkedin.md); without one a Page is connected by pasting a token and the organisation id.
LINKEDIN_CLIENT_ID = env_str("KOPIENA_LINKEDIN_CLIENT_ID")
LINKEDIN_CLIENT_SECRET = env_str("KOPIENA_LINKEDIN_CLIENT_SECRET")
LINKEDIN_API_URL = env_str("KOPIENA_LINKEDIN_API_URL", "https://api.linkedin.com")
# "Sign in with X" needs an X app with OAuth 2.0 (confidential client; docs/connectors/x.md); without one an
# account is connected by pasting the client id/secret and a refresh token.
X_CLIENT_ID = env_str("KOPIENA_X_CLIENT_ID")
X_CLIENT_SECRET = env_str("KOPIENA_X_CLIENT_SECRET")
X_API_URL = env_str("KOPIENA_X_API_URL", "https://api.x.com")
X_AUTHORIZE_URL = env_str("KOPIENA_X_AUTHORIZE_URL", "https://x.com/i/oauth2/authorize")
# "Sign in with TikTok" needs a TikTok app with Login Kit and the Content Posting API (docs/connectors/tiktok.md).
TIKTOK_CLIENT_KEY = env_str("KOPIENA_TIKTOK_CLIENT_KEY")
TIKTOK_CLIENT_SECRET = env_str("KOPIENA_TIKTOK_CLIENT_SECRET")
TIKTOK_API_URL = env_str("KOPIENA_TIKTOK_API_URL", "https://open.tiktokapis.com")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "redact": {"()": "kopiena.core.logging.RedactSecretsFilter"},
        "refusals": {"()": "kopiena.core.logging.NoTracebackForRefusalsFilter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact", "refusals"]}},
    "root": {"handlers": ["console"], "level": env_str("KOPIENA_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # An expected 403/404 logs one line, no traceback (the handler's filter covers django.security.*).
        "django.request": {"filters": ["refusals"]},
    },
}
