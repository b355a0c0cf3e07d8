"""Which address a sign-in attempt comes from, for throttling failed sign-ins per address."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The socket's address, or the one the nearest trusted proxy saw.

    Only proxies we run are trusted (``TRUSTED_PROXY_COUNT``): entries further left in
    X-Forwarded-For are written by the client and could be anything.
    """
    count = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote
    return forwarded[-count]
