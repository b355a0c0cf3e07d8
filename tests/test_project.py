"""The project as an operator meets it: system checks, migrations, production settings."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "q8Zr2vN5kL0pX7wE4tY1uI9oA3sD6fG2hJ5kL8zX1cV4bN7mQ0wE3rT6yU9iO2pA",
    "ALLOWED_HOSTS": "securebase.example",
    "CSRF_TRUSTED_ORIGINS": "https://securebase.example",
    "EMAIL_HOST": "smtp.securebase.example",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


# Variables the test run sets for itself that a production box would not have.
TEST_ONLY_ENV = {
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "DEBUG",
    "HTTPS",
    "REDIS_URL",
    "EMAIL_HOST",
}


def manage(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    base = {key: value for key, value in os.environ.items() if key not in TEST_ONLY_ENV}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env={**base, "DJANGO_SETTINGS_MODULE": "config.settings", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_system_checks_pass():
    result = manage("check", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_deploy_check_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_models_and_migrations_agree():
    result = manage("makemigrations", "--check", "--dry-run", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("missing", "message"),
    [("SECRET_KEY", "SECRET_KEY is not set"), ("ALLOWED_HOSTS", "ALLOWED_HOSTS is not set")],
)
def test_production_refuses_to_start_without_secret_or_hosts(missing, message):
    env = {**PRODUCTION_ENV, missing: ""}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert message in result.stderr


def test_production_refuses_a_weak_secret():
    result = manage("check", env={**PRODUCTION_ENV, "SECRET_KEY": "django-insecure-short"})
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_debug_is_off_unless_asked_for():
    result = manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; print(settings.DEBUG)",
        env=PRODUCTION_ENV,
    )
    assert result.stdout.strip() == "False", result.stderr


def test_production_uses_smtp_and_redis_from_the_environment():
    code = (
        "from django.conf import settings;"
        "print(settings.MAILERS['default']['BACKEND']);"
        "print(settings.MAILERS['default']['OPTIONS']['host']);"
        "print(settings.CACHES['default']['BACKEND'])"
    )
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.securebase.example",
        "config.cache.ResilientRedisCache",
    ], result.stderr


def test_pages_carry_a_strict_content_security_policy(client, db):
    response = client.get("/")

    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_robots_txt_names_the_sitemap(client, db):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert "Sitemap: http://testserver/sitemap.xml" in response.content.decode()
    assert "Disallow: /admin/" in response.content.decode()


def test_unknown_page_is_the_friendly_404(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "couldn’t find that page" in response.content.decode()


def test_container_runs_as_a_non_root_user():
    dockerfile = (settings.BASE_DIR / "Dockerfile").read_text()
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]

    assert users, "the image must name its user"
    assert users[-1] not in {"root", "0"}
    assert "HEALTHCHECK" in dockerfile


def test_pages_are_compressed_and_still_answer_304_when_unchanged(client, db):
    first = client.get("/privacy/", headers={"accept-encoding": "gzip"})

    assert first.status_code == 200
    assert first["Content-Encoding"] == "gzip"
    again = client.get(
        "/privacy/", headers={"accept-encoding": "gzip", "if-none-match": first["ETag"]}
    )
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("value", "expected"), [(None, None), ("0", None), ("", None), ("1", "-"), ("true", "-")]
)
def test_gunicorn_keeps_no_access_log_unless_asked(monkeypatch, value, expected):
    """An access log would hold every reader's address and pages: the privacy page says no."""
    import runpy

    if value is None:
        monkeypatch.delenv("GUNICORN_ACCESS_LOG", raising=False)
    else:
        monkeypatch.setenv("GUNICORN_ACCESS_LOG", value)
    config = runpy.run_path(str(settings.BASE_DIR / "config" / "gunicorn.conf.py"))
    assert config["accesslog"] == expected
    assert config["errorlog"] == "-"


def test_the_500_page_renders_without_a_database_and_offers_a_way_on(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))

    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert 'href="/support/"' in page
    # The site's own header and footer, without guessing who is signed in.
    assert '<header class="site-header">' in page and '<footer class="site-footer">' in page
    assert 'href="/guide/"' in page and 'href="/privacy/"' in page
    assert "Sign in" not in page and "Sign out" not in page
    assert '<meta name="robots" content="noindex">' in page
    assert 'rel="canonical"' not in page


@pytest.mark.parametrize(
    "path",
    ["/me/", "/me/toolkit/", "/me/plan/", "/me/practice/", "/me/timeline/", "/me/couple/"],
)
def test_a_readers_own_pages_are_kept_out_of_search_engines(client, django_user_model, path):
    client.force_login(django_user_model.objects.create_user("private-reader"))

    page = client.get(path).content.decode()

    assert '<meta name="robots" content="noindex">' in page
    assert 'rel="canonical"' not in page


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/", "/no-such-page/"])
def test_account_forms_and_error_pages_are_kept_out_of_search_engines(client, db, path):
    page = client.get(path).content.decode()

    assert '<meta name="robots" content="noindex">' in page
    assert 'rel="canonical"' not in page


def test_public_pages_keep_their_canonical_link_and_stay_indexable(client, db):
    page = client.get("/privacy/").content.decode()

    assert '<link rel="canonical" href="http://testserver/privacy/">' in page
    assert "noindex" not in page


def test_trusting_a_proxys_header_without_counting_the_proxy_fails_the_checks():
    """Behind a proxy with TRUSTED_PROXY_COUNT=0 every reader shares the proxy's address."""
    env = {**PRODUCTION_ENV, "TRUST_X_FORWARDED_PROTO": "1", "TRUSTED_PROXY_COUNT": "0"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "config.E001" in result.stderr
    assert "TRUST_X_FORWARDED_PROTO is on but TRUSTED_PROXY_COUNT is 0" in result.stderr

    counted = manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**env, "TRUSTED_PROXY_COUNT": "1"}
    )
    assert counted.returncode == 0, counted.stdout + counted.stderr


def test_an_account_limit_above_what_asvs_allows_fails_the_checks():
    result = manage("check", env={**PRODUCTION_ENV, "SIGN_IN_ACCOUNT_LIMIT": "80"})
    assert result.returncode != 0
    assert "config.E002" in result.stderr


def test_the_deploy_check_warns_when_rate_limits_are_off():
    result = manage("check", "--deploy", env={**PRODUCTION_ENV, "RATE_LIMITS": "0"})
    assert "config.W001" in result.stderr + result.stdout
    assert "RATE_LIMITS is off" in result.stderr + result.stdout
    plain = manage("check", env={**PRODUCTION_ENV, "RATE_LIMITS": "0"})
    assert plain.returncode == 0 and "config.W001" not in plain.stderr + plain.stdout


def test_postgresql_queries_are_prepared_unless_turned_off_for_a_pooler():
    # What Django hands psycopg when it connects: server-side binding and a prepare threshold.
    code = (
        "from django.db import connection; params = connection.get_connection_params();"
        "print(params['cursor_factory'].__name__, params['prepare_threshold'])"
    )
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres:///securebase"}
    on = manage("shell", "--no-imports", "-c", code, env=env)
    off = manage(
        "shell", "--no-imports", "-c", code, env={**env, "DATABASE_PREPARED_STATEMENTS": "0"}
    )

    assert on.stdout.split() == ["ServerBindingCursor", "1"], on.stderr
    assert off.stdout.split() == ["Cursor", "None"], off.stderr
