"""Throttling of password guesses: where an attempt comes from, and what a pause means.

django-axes counts failures per account and per address. Everything here keeps that fair to
readers: a sign-in clears only its own account's failures, password checks on the account pages
count like sign-ins, and the pause page can say exactly when signing in works again.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.utils import timezone


def client_ip(request: HttpRequest) -> str:
    """The socket's address, or the one the nearest trusted proxy saw.

    Only proxies we run are trusted (``TRUSTED_PROXY_COUNT``): entries further left in
    X-Forwarded-For are written by the client and could be anything.
    """
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.headers.get("x-forwarded-for", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]


def limits() -> dict[str, int]:
    """The limits as pages state them: failures allowed, and how long a pause lasts."""
    return {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "pause_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
    }


def forget_failures_of(*, username: str) -> int:
    """Clear one account's failed attempts (never those of other accounts from its address)."""
    from axes.utils import reset

    return reset(username=username)


def on_sign_in(sender, request, user: AbstractBaseUser, **kwargs) -> None:
    """``user_logged_in``: the reader proved who they are, so their account's count restarts.

    Only that account's records go. Failures on other accounts from the same address stay
    counted, or anyone could guess without limit by signing in to an account of their own
    between guesses.
    """
    forget_failures_of(username=user.get_username())


def password_matches(request: HttpRequest, user: AbstractBaseUser, password: str) -> bool:
    """Check a signed-in reader's password through the throttled sign-in path.

    A wrong password here counts as a failed sign-in for the account and the address, and
    during a pause even the right one is refused (the response becomes the pause page), so
    a borrowed session cannot be used to guess the password without limit.
    """
    found = authenticate(request, username=user.get_username(), password=password)
    return found is not None and found.pk == user.pk


@dataclass(frozen=True)
class Pause:
    """Which pause is on (the account's, the address's or both) and when it ends."""

    account: bool
    address: bool
    ends_at: datetime

    @property
    def minutes_left(self) -> int:
        return max(1, math.ceil((self.ends_at - timezone.now()).total_seconds() / 60))


def _ends_at(rows: list[tuple[datetime, int]], now: datetime) -> datetime | None:
    """When failures (oldest first) fall back under the limit, or None if they are under it.

    Each record counts until its last failure is older than the pause length.
    """
    cooloff = settings.AXES_COOLOFF_TIME
    live = [(at, failures) for at, failures in rows if at + cooloff > now]
    total = sum(failures for _, failures in live)
    ends = None
    for at, failures in live:
        if total < settings.AXES_FAILURE_LIMIT:
            break
        ends = at + cooloff
        total -= failures
    return ends


def current_pause(*, username: str | None, ip_address: str) -> Pause | None:
    """The pause on this account or from this address, if one is on."""
    from axes.models import AccessAttempt

    now = timezone.now()
    since = now - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gt=since).order_by("attempt_time")

    def ends_for(**lookup) -> datetime | None:
        rows = list(recent.filter(**lookup).values_list("attempt_time", "failures_since_start"))
        return _ends_at(rows, now)

    account = ends_for(username=username) if username else None
    address = ends_for(ip_address=ip_address) if ip_address else None
    if account is None and address is None:
        return None
    return Pause(
        account=account is not None,
        address=address is not None,
        ends_at=max(at for at in (account, address) if at is not None),
    )
