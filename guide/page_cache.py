"""Whole-page cache for signed-out readers of the guide, emptied by any content change.

A signed-out reader's guide page depends only on the guide's content and the URL, so
it is kept whole in the shared cache under a key that includes a *content version*.
Any save, delete or relation change of guide content (admin edits, reverts, fixture
loads) sets a new version, so the next request renders afresh: editors' changes are
live at once on every app server. Writes that skip model signals (``QuerySet.update``)
would not be seen; the guide's code makes none.

The cache is on when the cache is shared between app servers (``REDIS_URL``), since a
per-process cache cannot hear about a change made in another process.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse

VERSION_KEY = "guide:content-version"
PAGE_TIMEOUT = 24 * 60 * 60


def content_version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        version = cache.get(VERSION_KEY)
    return version


def _new_version() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def content_changed(**kwargs) -> None:
    _new_version()
    # Inside a transaction (an admin save, a publish) a reader's request may render the old
    # content after this and before the commit, and keep it under the new version: a second
    # new version once the change is committed leaves no such page behind.
    transaction.on_commit(_new_version)


def page_key(request: HttpRequest) -> str | None:
    """The cache key for this request's page, or None when it must be rendered for the reader.

    Without a session or messages cookie the reader is signed out and has nothing pending,
    so the page is the same for everyone asking for this URL.
    """
    if not settings.GUIDE_PAGE_CACHE or request.method not in {"GET", "HEAD"}:
        return None
    if request.GET:  # searches and stray parameters: rendered, so no one can flood the cache
        return None
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "messages" in request.COOKIES:
        return None
    url = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(url.encode()).hexdigest()
    return f"guide:page:{content_version()}:{digest}"


def cached_page(key: str | None) -> HttpResponse | None:
    return cache.get(key) if key else None


def keep_page(key: str | None, response: HttpResponse) -> None:
    if key and response.status_code == 200 and not response.streaming:
        cache.set(key, response, PAGE_TIMEOUT)


def connect_signals(models) -> None:
    for model in models:
        post_save.connect(content_changed, sender=model, dispatch_uid=f"page-cache-save-{model}")
        post_delete.connect(
            content_changed, sender=model, dispatch_uid=f"page-cache-delete-{model}"
        )
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                content_changed,
                sender=field.remote_field.through,
                dispatch_uid=f"page-cache-m2m-{field.remote_field.through}",
            )
