"""Settings for Secure Base, read from the environment (see README "Configuration").

Defaults are safe for production: DEBUG is off unless asked for, and without DEBUG
the site refuses to start until it has a real SECRET_KEY and ALLOWED_HOSTS.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    value = os.environ.get(name, "")
    items = [item.strip() for item in value.split(",") if item.strip()]
    return items or list(default or [])


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it to a long random string (DEBUG is off)."
        )
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
elif not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("SECRET_KEY is too weak: use 50+ random characters.")

# .env.example's placeholders: copied but never filled in. Refused even with DEBUG on.
PLACEHOLDER = "change-me"
if PLACEHOLDER in SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is still the placeholder from .env.example: set it to a long random string "
        "(python -c 'import secrets; print(secrets.token_urlsafe(64))')."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. List the site's host names, comma-separated (DEBUG is off)."
    )
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")


def _default_site_url() -> str:
    if CSRF_TRUSTED_ORIGINS:
        return CSRF_TRUSTED_ORIGINS[0]
    host = ALLOWED_HOSTS[0].lstrip(".").replace("*", "localhost")
    if env_bool("HTTPS", not DEBUG):
        return f"https://{host}"
    return f"http://{host}:{os.environ.get('PORT', '8000')}"


# The site's address as readers reach it, for links made where there is no request to take the
# host from: emails sent from the task worker or a command, staff enrolment links.
SITE_URL = os.environ.get("SITE_URL", "").strip() or _default_site_url()

INSTALLED_APPS = [
    # Django's admin with a site that asks staff for a second factor (config/admin_site.py).
    "config.apps.AdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "markdownx",
    "simple_history",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_tasks_db",
    "guide",
    "assessments",
]

MIDDLEWARE = [
    # Permissions-Policy and Cross-Origin-Resource-Policy, on static files too.
    "config.headers.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Signed-out readers' guide pages from the shared cache, at most one Redis round trip
    # (none for a page this process served lately), before sessions and auth
    # (guide/page_cache.py): everything below ran when the page was kept.
    "guide.page_cache.PageCacheMiddleware",
    # Compresses pages (whitenoise serves static files pre-compressed). Django pads gzip
    # output at random and masks CSRF tokens per response, which blunts BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): signed in with a second factor (staff, config/staff.py).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last: turns a paused password try into the pause page, and marks a browser where a
    # reader signed in with the device cookie (assessments.throttling).
    "assessments.throttling.PasswordPauseMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "assessments.context_processors.toolkit",
            ],
            # {% url %} remembering the addresses that take no arguments.
            "builtins": ["config.template_urls"],
        },
    },
]


def _refuse_placeholder_password(variable: str, hint: str) -> None:
    url = os.environ.get(variable, "")
    if url and urlsplit(url).password == PLACEHOLDER:
        raise ImproperlyConfigured(
            f"The password in {variable} is still the placeholder from .env.example: {hint}"
        )


_refuse_placeholder_password(
    "DATABASE_URL", "set POSTGRES_PASSWORD (compose) or the password in DATABASE_URL."
)
_refuse_placeholder_password(
    "REDIS_URL", "set REDIS_PASSWORD (compose) or the password in REDIS_URL."
)

# Database: DATABASE_URL, or an SQLite file so `make run` works anywhere.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    # Parameters bound by the server, and a query run a second time on a connection prepared
    # there: PostgreSQL then skips parsing and planning it, which costs more than running the
    # small queries a page asks. Turn off (DATABASE_PREPARED_STATEMENTS=0) behind a pooler in
    # transaction mode that cannot keep prepared statements (PgBouncer before 1.21).
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": 1,
        **DATABASES["default"].get("OPTIONS", {}),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite for a small group: every transaction takes the write lock when it begins (a
    # deferred one that reads, then writes, fails at once with "database is locked" when
    # another process writes); readers never wait on the writer (WAL); writers queue for up
    # to 20 s rather than fail.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
        ),
        **DATABASES["default"].get("OPTIONS", {}),
    }
    # SQLite keeps an index's key columns and drops its INCLUDE columns (guide_section_place
    # still orders the chapters there): expected, so not reported on every command.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Cache: Redis shared by every app server when REDIS_URL is set. An outage only makes the site
# slower (config/cache.py): reads miss, writes are dropped, and a hanging Redis costs a request
# at most 100 ms.
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Whole guide pages for signed-out readers (guide/page_cache.py): only with a cache every
# app server shares, so a change saved through one server empties it for all.
GUIDE_PAGE_CACHE = env_bool("GUIDE_PAGE_CACHE", bool(os.environ.get("REDIS_URL")))
# A second editor approves every draft before it is published (see guide.drafts).
EDITORIAL_REVIEW = env_bool("EDITORIAL_REVIEW", False)
SESSION_COOKIE_NAME = "sessionid"
# A request carrying one of these may see a page of its own (signed in, a quiz in progress,
# a message waiting): the page cache and the nginx front cache both pass it through. The one
# list both use: `make proxy-config` writes nginx's copy (config/nginx/bypass-cookies.conf).
# The sign-in device cookie (assessments.devices, Path=/accounts/) is not one: browsers send it
# only to /accounts/ pages, which neither cache ever keeps, and no page's content depends on it.
PAGE_CACHE_BYPASS_COOKIES = (SESSION_COOKIE_NAME, "messages")

# Sessions live in the database, so app servers stay stateless; each row knows the reader
# signed in to it, so deleting an account deletes its sessions on every browser.
SESSION_ENGINE = "assessments.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Password guessing (assessments/throttling.py, OWASP's device cookies): a correct password from
# a browser the reader signed in on always works. Browsers new to an account are slowed per
# client (a growing wait, then a pause for the hour past SIGN_IN_ADDRESS_LIMIT wrong passwords)
# and paused per account past SIGN_IN_ACCOUNT_LIMIT an hour. Counts are per clock hour, so no
# rolling hour sees more than twice the account limit: 50 keeps it within ASVS's 100.
AUTHENTICATION_BACKENDS = [
    "assessments.throttling.SignInGate",
    "django.contrib.auth.backends.ModelBackend",
]
SIGN_IN_ACCOUNT_LIMIT = env_int("SIGN_IN_ACCOUNT_LIMIT", 50)
SIGN_IN_ADDRESS_LIMIT = env_int("SIGN_IN_ADDRESS_LIMIT", 20)
# Per-client limits on the expensive anonymous pages (config/ratelimit.py): sign-up, password
# reset, search. Turn off only to benchmark; `check --deploy` warns when they are off.
RATE_LIMITS = env_bool("RATE_LIMITS", True)
# Behind N proxies that each append to X-Forwarded-For, the reader's address is the Nth from
# the right; 0 (the default) trusts only the socket's address. Every limit counts that address
# (an IPv6 address by its /64).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# Staff sign in to the admin with a password and a code from an authenticator app (or a
# recovery code); enrolment links printed by add_editor and enrol_staff work once, for 24 hours.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Secure Base")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
# English only: without the translation machinery, dates and form texts format in half the time.
USE_I18N = False
USE_TZ = True

# Static files: hashed, compressed and served with far-future cache headers by whitenoise;
# each file's address is worked out once per process (config/static_storage.py).
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.static_storage.StaticFilesStorage"},
}

# Email through 6.1's MAILERS: SMTP when EMAIL_HOST is set, the console otherwise
# (`check --deploy` reports a console mailer, so production must set EMAIL_HOST).
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Secure Base <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": env_int("EMAIL_PORT", 587),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", True),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Background work (mail today; reminders and scheduled publishing build on it) runs on Django's
# tasks framework. The queue lives in the database (django-tasks-db), so there is no new server:
# `manage.py db_worker` runs the tasks (`make run` starts one beside gunicorn), and
# `manage.py prune_db_task_results` clears finished ones.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# HTTPS: on by default in production; turn off only to serve plain HTTP locally.
HTTPS = env_bool("HTTPS", not DEBUG)
SECURE_SSL_REDIRECT = HTTPS
# Load balancers probe over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
TRUST_X_FORWARDED_PROTO = env_bool("TRUST_X_FORWARDED_PROTO", False)
if TRUST_X_FORWARDED_PROTO:
    # Only behind a TLS-terminating proxy that sets this header itself.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# A strict Content Security Policy: nothing unless listed, nothing from elsewhere, no inline
# script or style. Scripts, styles and images are our own files; the admin's markdown preview
# fetches from us (connect-src); forms post only to us.
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Large enough for any real form, small enough to refuse floods.
DATA_UPLOAD_MAX_MEMORY_SIZE = 256 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
# A friendly page for a refused CSRF check (an expired form, say) instead of Django's bare one.
CSRF_FAILURE_VIEW = "config.views.csrf_failure"

# django-markdownx: the admin preview uses the site's own renderer.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "guide.markdown.render"
MARKDOWNX_URLS_PATH = "/admin/markdownx/markdownify/"
MARKDOWNX_UPLOAD_URLS_PATH = "/admin/markdownx/upload/"
MARKDOWNX_UPLOAD_MAX_SIZE = 2 * 1024 * 1024
MARKDOWNX_UPLOAD_CONTENT_TYPES = ["image/jpeg", "image/png", "image/webp"]

SITE_NAME = "Secure Base"

# Where "Leave quickly" takes a reader who must hide what they were reading: an everyday,
# neutral page that looks unremarkable in a browser history.
LEAVE_QUICKLY_URL = os.environ.get("LEAVE_QUICKLY_URL", "https://www.bbc.com/weather")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
