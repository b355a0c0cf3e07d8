"""Test settings: the production settings, on PostgreSQL, minus what only slows tests down."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-" + "k" * 56)
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("DATABASE_URL", "postgres:///secure_base")
os.environ["HTTPS"] = "false"
os.environ.pop("REDIS_URL", None)
os.environ.pop("EMAIL_HOST", None)

# Star import after the environment is set: the production settings read it at import.
from config.settings import *

# Stand-in readers' data pointing at guide items (see tests/standin_readers).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.standin_readers"]

# Fast, deliberately weak hashing: test passwords protect nothing.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# live_server serves un-collected files; the manifest storage would 404 them.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# Unit tests run tasks at once, in the request; tests marked for the real queue switch to the
# database backend and run `db_worker` (see tests/conftest.py).
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
CONN_MAX_AGE = 0
DATABASES["default"]["CONN_MAX_AGE"] = 0
# Serve static files straight from the app folders, as runserver would.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
