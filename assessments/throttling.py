"""Password guessing: when a password may be tried, and what a pause means.

A correct password from a browser the reader has signed in on always works. The rules:

- **Known browsers** (a valid device cookie for the account, see ``assessments.devices``)
  count their own wrong passwords only: past ``DEVICE_FAILURE_LIMIT`` an hour, that browser
  alone waits for the hour to end.
- **New browsers** are slowed per client (``config.ratelimit.client_key``): after
  ``FREE_FAILURES`` wrong passwords from an address, each new try waits twice as long as the
  last (up to ``MAX_WAIT`` seconds), and past ``SIGN_IN_ADDRESS_LIMIT`` an hour the address
  waits for the hour to end. Past ``SIGN_IN_ACCOUNT_LIMIT`` an hour for one account, new
  browsers wait for that account; the counts are per clock hour, so no rolling hour sees more
  than twice that (100 by default, as ASVS asks).
- **Password checks on account pages** (change, delete) are counted in the reader's session:
  a borrowed session cannot guess without limit, and a stranger cannot stop the reader from
  deleting their own account.

Waits are answered at once with 429 and ``Retry-After``: no request sleeps. Counts live in
the shared cache (``config.ratelimit``), hashed and gone within the hour.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from assessments import devices
from config import ratelimit

logger = logging.getLogger(__name__)

HOUR = 3600
DEVICE_FAILURE_LIMIT = 10
FREE_FAILURES = 3
MAX_WAIT = 300
SESSION_FAILURE_LIMIT = 5
SESSION_WINDOW = 15 * 60
SESSION_KEY = "password_check_failures"


@dataclass(frozen=True)
class Pause:
    """What is paused, until when, and what the reader can do meanwhile.

    ``kind`` is one of ``device`` (this browser), ``wait`` (a short growing wait for this
    network), ``address`` (this network, for the hour), ``account`` (new browsers for this
    account) or ``session`` (password checks on this browser's account pages).
    """

    kind: str
    ends: float  # a Unix time

    @property
    def ends_at(self) -> datetime:
        return datetime.fromtimestamp(self.ends, tz=UTC)

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.ends - ratelimit.clock()))

    @property
    def minutes_left(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


def _pause(kind: str, ends: float) -> Pause:
    return Pause(kind=kind, ends=ends)


# -- signing in ----------------------------------------------------------------------------


def sign_in_pause(request: HttpRequest, username: str) -> Pause | None:
    """The pause that stops this browser trying a password for ``username``, if any."""
    device = devices.device_for(request, username)
    if device is not None:
        counted = ratelimit.peek("sign-in-device", device, per=HOUR)
        if counted is not None and counted.count >= DEVICE_FAILURE_LIMIT:
            return _pause("device", counted.window_ends)
        return None
    client = ratelimit.client_key(request)
    address = ratelimit.peek("sign-in-address", client, per=HOUR)
    if address is not None and address.count >= settings.SIGN_IN_ADDRESS_LIMIT:
        return _pause("address", address.window_ends)
    account = ratelimit.peek("sign-in-account", username, per=HOUR)
    if account is not None and account.count >= settings.SIGN_IN_ACCOUNT_LIMIT:
        return _pause("account", account.window_ends)
    wait = ratelimit.held_until("sign-in-wait", client)
    if wait is not None:
        return _pause("wait", wait)
    return None


def wait_after(failures: int) -> int:
    """Seconds the next try waits after ``failures`` wrong passwords from one network."""
    if failures <= FREE_FAILURES:
        return 0
    return min(MAX_WAIT, 2 ** (failures - FREE_FAILURES))


def sign_in_failed(request: HttpRequest, username: str) -> None:
    """Count a wrong password where the rules above say it counts."""
    device = devices.device_for(request, username)
    if device is not None:
        ratelimit.hit("sign-in-device", device, per=HOUR)
        return
    client = ratelimit.client_key(request)
    ratelimit.hit("sign-in-account", username, per=HOUR)
    address = ratelimit.hit("sign-in-address", client, per=HOUR)
    if address is not None and (wait := wait_after(address.count)):
        ratelimit.hold("sign-in-wait", client, seconds=wait)


class SignInGate:
    """Stands before the password backend: a paused try is refused unchecked.

    Every ``authenticate()`` with a request passes here first (the sign-in page and the
    admin's alike). Raising ``PermissionDenied`` stops Django trying further backends;
    :class:`PasswordPauseMiddleware` then answers with the pause page. It has no
    ``get_user``: it never signs anyone in, so sessions never name it as their backend.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None or not username:
            return None
        pause = sign_in_pause(request, username)
        if pause is not None:
            request.password_pause = pause
            raise PermissionDenied
        return None


def on_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    """``user_login_failed``: count the wrong password (a refused paused try is not one)."""
    if request is None or getattr(request, "password_pause", None) is not None:
        return
    username = credentials.get("username")
    if username:
        sign_in_failed(request, username)


def on_sign_in(sender, request, user: AbstractBaseUser, **kwargs) -> None:
    """``user_logged_in``: the response will mark this browser as the reader's own."""
    if request is not None:
        request.signed_in_user = user


# -- password checks on account pages -------------------------------------------------------


def _session_failures(request: HttpRequest) -> list[float]:
    now = ratelimit.clock()
    stored = request.session.get(SESSION_KEY, [])
    return [at for at in stored if isinstance(at, int | float) and at > now - SESSION_WINDOW]


def session_pause(request: HttpRequest) -> Pause | None:
    failures = _session_failures(request)
    if len(failures) >= SESSION_FAILURE_LIMIT:
        return _pause("session", failures[-SESSION_FAILURE_LIMIT] + SESSION_WINDOW)
    return None


def password_matches(request: HttpRequest, user: AbstractBaseUser, password: str) -> bool:
    """Check a signed-in reader's password, counting wrong ones in their session.

    During a pause even the right password is refused (the response becomes the pause
    page), so a borrowed session cannot be used to guess without limit.
    """
    pause = session_pause(request)
    if pause is not None:
        request.password_pause = pause
        return False
    if user.check_password(password):
        return True
    request.session[SESSION_KEY] = [*_session_failures(request), ratelimit.clock()]
    return False


# -- the response ---------------------------------------------------------------------------


def limits() -> dict[str, int]:
    """The limits as pages state them."""
    return {
        "account_limit": settings.SIGN_IN_ACCOUNT_LIMIT,
        "address_limit": settings.SIGN_IN_ADDRESS_LIMIT,
        "device_limit": DEVICE_FAILURE_LIMIT,
        "free_failures": FREE_FAILURES,
        "session_limit": SESSION_FAILURE_LIMIT,
        "session_minutes": SESSION_WINDOW // 60,
    }


def paused_response(request: HttpRequest, pause: Pause) -> HttpResponse:
    """429, ``Retry-After``, and a page saying what is paused, why, and until when."""
    logger.warning("Password try paused (%s) on %s", pause.kind, request.path)
    response = HttpResponse(
        render_to_string(
            "assessments/account/paused.html",
            {**limits(), "pause": pause},
            request=request,
        ),
        status=429,
    )
    response["Retry-After"] = str(pause.retry_after)
    response["Cache-Control"] = "no-store"
    return response


class PasswordPauseMiddleware:
    """Answers a paused password try with the pause page, and marks a browser where a
    reader just signed in with the device cookie."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        pause = getattr(request, "password_pause", None)
        if pause is not None:
            return paused_response(request, pause)
        user = getattr(request, "signed_in_user", None)
        if user is not None and response.status_code < 400:
            devices.remember(response, request, user)
        return response
