"""Security headers on a production-like run behind TLS, and the HTTP Observatory's score."""

from __future__ import annotations

import json

import pytest

from config.headers import DISABLED_FEATURES
from tests import observatory
from tests.test_project import PRODUCTION_ENV, manage

# What production settings make of these, behind a TLS-terminating proxy.
PRODUCTION_SETTINGS = [
    "MIDDLEWARE",
    "SECURE_CSP",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_SAMESITE",
]
HTTPS = {"X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def production_settings() -> dict:
    env = {**PRODUCTION_ENV, "TRUST_X_FORWARDED_PROTO": "1", "REDIS_URL": ""}
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{name: getattr(settings, name) for name in {PRODUCTION_SETTINGS!r}}}))"
    )
    result = manage("shell", "--no-imports", "-v", "0", "-c", code, env=env)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.fixture
def behind_tls(settings, production_settings):
    for name, value in production_settings.items():
        setattr(settings, name, value)
    return settings


def scan(client, path: str) -> observatory.Result:
    response = client.get(path, headers=HTTPS)
    assert response.status_code == 200, path
    plain = client.get(path)
    return observatory.score(
        headers=dict(response.headers),
        set_cookies=[morsel.OutputString() for morsel in response.cookies.values()],
        body=response.content.decode(),
        host="testserver",
        http_status=plain.status_code,
        http_location=plain.get("Location", ""),
    )


@pytest.mark.parametrize("path", ["/", "/quiz/", "/privacy/", "/accounts/login/", "/admin/login/"])
def test_the_observatory_scores_every_kind_of_page_at_least_115(client, db, behind_tls, path):
    result = scan(client, path)

    assert result.score >= 115, result.modifiers
    assert all(value >= 0 for value in result.modifiers.values()), result.modifiers
    assert result.modifiers["csp-implemented-with-no-unsafe-default-src-none"] == 10
    assert result.modifiers["corp-implemented-with-same-origin"] == 10
    assert result.modifiers["x-frame-options-implemented-via-csp"] == 5
    assert result.modifiers["referrer-policy-private"] == 5


def test_a_page_with_a_form_scores_the_cookie_bonus_too(client, db, behind_tls):
    result = scan(client, "/accounts/login/")

    assert result.modifiers["cookies-secure-with-httponly-sessions-and-samesite"] == 5
    assert result.score == 135


def test_the_score_falls_when_a_header_goes(client, db, behind_tls):
    """The scorer really reads the headers: without CORP and with an old CSP it drops."""
    behind_tls.MIDDLEWARE = [
        m for m in behind_tls.MIDDLEWARE if m != "config.headers.SecurityHeadersMiddleware"
    ]
    behind_tls.SECURE_CSP = {**behind_tls.SECURE_CSP, "default-src": ["'self'"]}

    result = scan(client, "/")

    assert result.modifiers["corp-not-implemented"] == 0
    assert result.modifiers["csp-implemented-with-no-unsafe"] == 5
    assert result.score == 115


def test_pages_and_static_files_carry_permissions_policy_and_corp(client, db):
    for path in ["/", "/static/css/site.css"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cross-Origin-Resource-Policy"] == "same-origin"
        policy = response["Permissions-Policy"]
        for feature in ("camera", "microphone", "geolocation", "payment"):
            assert f"{feature}=()" in policy
        assert policy.count("=()") == len(DISABLED_FEATURES)
        response.close()  # a static file is streamed from disk


def test_the_content_security_policy_starts_from_none_and_lists_only_what_is_used(client, db):
    policy = observatory.parse_csp(client.get("/")["Content-Security-Policy"])

    assert policy == {
        "default-src": {"'none'"},
        "script-src": {"'self'"},
        "style-src": {"'self'"},
        "img-src": {"'self'"},
        "connect-src": {"'self'"},
        "base-uri": {"'none'"},
        "form-action": {"'self'"},
        "frame-ancestors": {"'none'"},
    }
