"""Who is asking, and how often: the client key and the counters every limit uses.

One function, :func:`client_key`, says which client a request comes from (the address the
nearest trusted proxy saw; an IPv6 address stands for its whole /64, which one subscriber
usually holds). One counter, :func:`hit`, counts events in fixed clock windows in the shared
cache, so every app server sees the same counts. Keys are hashed: the cache never holds an
address, a username or an email in clear.

A cache that fails answers "no limit" (logged at most once a minute): a Redis outage makes the
site unprotected for its length, never broken.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

logger = logging.getLogger(__name__)

# Tests move the clock through this; nothing else should.
clock = time.time

_last_warning = 0.0


def client_address(request: HttpRequest) -> str:
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


def client_key(request: HttpRequest) -> str:
    """The client every limit and pause counts: an IPv4 address, or an IPv6 /64 network.

    One IPv6 subscriber usually holds a whole /64, so counting single IPv6 addresses would
    give them 2**64 fresh starts.
    """
    address = client_address(request)
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return address or "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def _cache_key(scope: str, key: str, window: int) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{scope}:{key}".encode()).hexdigest()[:32]
    return f"limit:{scope}:{window}:{digest}"


def _cache_failed(error: Exception | None) -> None:
    """Log a cache that cannot count, once a minute at most per process."""
    global _last_warning
    now = clock()
    if now - _last_warning >= 60:
        _last_warning = now
        logger.warning("Limits are off while the cache cannot count: %r", error)


@dataclass(frozen=True)
class Count:
    """Events counted in the current window, and when the window ends."""

    count: int
    window_ends: float

    @property
    def retry_after(self) -> int:
        """Whole seconds until the window ends (at least 1)."""
        return max(1, math.ceil(self.window_ends - clock()))


def _window(per: int) -> tuple[int, float]:
    index = int(clock() // per)
    return index, (index + 1) * per


def hit(scope: str, key: str, *, per: int) -> Count | None:
    """Count one event for ``key`` in ``scope``; None when the cache cannot count."""
    index, ends = _window(per)
    name = _cache_key(scope, key, index)
    try:
        cache.add(name, 0, timeout=per + 5)
        count = cache.incr(name)
    except Exception as error:  # any backend's outage: no limit, never a 500
        _cache_failed(error)
        return None
    if not isinstance(count, int):
        _cache_failed(None)
        return None
    return Count(count=count, window_ends=ends)


def peek(scope: str, key: str, *, per: int) -> Count | None:
    """The count so far for ``key`` in ``scope``, without counting; None if it cannot say."""
    index, ends = _window(per)
    try:
        count = cache.get(_cache_key(scope, key, index), 0)
    except Exception as error:
        _cache_failed(error)
        return None
    return Count(count=int(count or 0), window_ends=ends)


def clear(scope: str, key: str, *, per: int) -> None:
    """Forget the current window's count for ``key`` (a failure here changes nothing)."""
    index, _ = _window(per)
    try:
        cache.delete(_cache_key(scope, key, index))
    except Exception as error:
        _cache_failed(error)


def hold(scope: str, key: str, *, seconds: int) -> None:
    """Remember that ``key`` must wait ``seconds`` from now (see :func:`held_until`)."""
    until = clock() + seconds
    try:
        cache.set(_cache_key(scope, key, 0), until, timeout=seconds + 5)
    except Exception as error:
        _cache_failed(error)


def held_until(scope: str, key: str) -> float | None:
    """When the wait :func:`hold` set ends, if it is still on."""
    try:
        until = cache.get(_cache_key(scope, key, 0))
    except Exception as error:
        _cache_failed(error)
        return None
    if isinstance(until, int | float) and until > clock():
        return float(until)
    return None


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` requests per ``per`` seconds from one client, for one kind of page."""

    scope: str
    limit: int
    per: int
    # What the page says is limited, e.g. "new accounts".
    what: str


SIGN_UP = Limit("sign-up", 10, 3600, "sign-ups")
PASSWORD_RESET = Limit("password-reset", 3, 3600, "password reset requests")
PASSWORD_RESET_EMAIL = Limit("password-reset-email", 3, 3600, "reset emails to one address")
SEARCH = Limit("search", 60, 60, "searches")


def over_limit(request: HttpRequest, limit: Limit, key: str | None = None) -> Count | None:
    """Count this request; the count if it went past the limit, else None.

    ``key`` defaults to the client. Nothing is counted when ``RATE_LIMITS`` is off.
    """
    if not settings.RATE_LIMITS:
        return None
    counted = hit(limit.scope, key if key is not None else client_key(request), per=limit.per)
    if counted is None or counted.count <= limit.limit:
        return None
    return counted


def too_many_requests(request: HttpRequest, limit: Limit, counted: Count) -> HttpResponse:
    """429 with Retry-After, and a page saying what to do and when."""
    retry_after = counted.retry_after
    logger.warning("Limit on %s reached on %s", limit.scope, request.path)
    response = HttpResponse(
        render_to_string(
            "429.html",
            {
                "limit": limit,
                "retry_after": retry_after,
                "try_again_at": timezone.now() + timedelta(seconds=retry_after),
                "minutes": math.ceil(retry_after / 60),
            },
            request=request,
        ),
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def _posts(request: HttpRequest) -> bool:
    return request.method == "POST"


def rate_limited(limit: Limit, *, when: Callable[[HttpRequest], bool] = _posts) -> Callable:
    """A view decorator: requests that ``when`` counts (posts) past ``limit`` get a 429."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if when(request):
                counted = over_limit(request, limit)
                if counted is not None:
                    return too_many_requests(request, limit, counted)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
