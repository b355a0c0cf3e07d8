"""The device cookie: a browser where a reader has signed in before (OWASP's pattern).

At each successful sign-in the browser gets a signed cookie tied to the account. Wrong
passwords typed on that browser count against that browser alone, so a stranger guessing
from elsewhere can pause new browsers for an account, never the reader's own. The cookie
holds no username: only a keyed hash of it and a random identifier for the browser.

Signing out leaves the cookie in place (it is what keeps the reader's own browser trusted);
deleting the account removes it. Anything that clears cookies on sign-out must spare
:data:`DEVICE_COOKIE`.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare, salted_hmac

DEVICE_COOKIE = "sb_device"
DEVICE_COOKIE_PATH = "/accounts/"
DEVICE_COOKIE_MAX_AGE = timedelta(days=365)
_SALT = "assessments.devices"


def _account_tag(username: str) -> str:
    return salted_hmac(f"{_SALT}.account", username, algorithm="sha256").hexdigest()[:32]


def remember(response: HttpResponse, request: HttpRequest, user: AbstractBaseUser) -> None:
    """Mark this browser as one where ``user`` signed in."""
    value = signing.dumps(
        {"a": _account_tag(user.get_username()), "n": secrets.token_urlsafe(16)}, salt=_SALT
    )
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=DEVICE_COOKIE_MAX_AGE,
        path=DEVICE_COOKIE_PATH,
        secure=request.is_secure() or settings.HTTPS,
        httponly=True,
        samesite="Lax",
    )


def device_for(request: HttpRequest, username: str) -> str | None:
    """This browser's identifier if it carries a valid device cookie for ``username``."""
    value = request.COOKIES.get(DEVICE_COOKIE)
    if not value or not username:
        return None
    try:
        data = signing.loads(value, salt=_SALT, max_age=DEVICE_COOKIE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str):
        return None
    if not constant_time_compare(str(data.get("a", "")), _account_tag(username)):
        return None
    return data["n"]


def forget(response: HttpResponse) -> None:
    """Remove the device cookie (the account it was tied to is gone)."""
    response.delete_cookie(DEVICE_COOKIE, path=DEVICE_COOKIE_PATH, samesite="Lax")
