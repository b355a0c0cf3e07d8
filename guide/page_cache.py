"""Whole-page cache for signed-out readers, served before sessions, auth and templates.

A signed-out reader's guide page depends only on the guide's content, the release and the
URL, so :class:`PageCacheMiddleware` (just after WhiteNoise) keeps it whole in the shared
cache and answers the next asker with one Redis round trip (``MGET`` of the content
version and the page), the way WhiteNoise answers for a file. A process keeps the pages it
served lately, each with the version it was stored under, and serves them again with no round
trip at all while the version is unchanged: Redis itself tells the process when the version
changes (:func:`current_version`, ``config.cache.KeyWatch``). Every guarantee holds:

* only pages a view marks with :func:`public_page` for a signed-out reader are kept, and
  only when they set no cookie and carry no CSRF token; a request with a cookie in
  :data:`BYPASS_COOKIES` (a session: signed in, or a quiz in progress; a message waiting)
  or any query string is never answered from the cache. Drafts are shown to staff only,
  who are signed in, so a draft is never kept;
* a hit is the stored response as the middlewares after this one left it (CSP, Vary,
  ETag, Content-Length, gzip), and the middlewares before it (security headers) run on
  both: a hit carries exactly the headers of a miss. Conditional requests get a 304;
* any save, delete or relation change of guide content sets a new content version once
  its transaction commits (``transaction.on_commit``). The version is read before the
  page is rendered and kept with it, so a page rendered while an editor's save was in
  flight is stored under the old version and never served after the commit;
* keys carry a release id (:func:`release_id`: the static manifest, templates and code),
  so a new release never serves the last release's HTML or its hashed static files.

The cache is on when it is shared between app servers (``REDIS_URL``), since a
per-process cache cannot hear about a change made in another process. A cache that fails
(Redis down) makes every request a miss rendered as usual, never an error.
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from functools import cache as once
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from redis.exceptions import RedisError

VERSION_KEY = "guide:content-version"
PAGE_TIMEOUT = 24 * 60 * 60
# What a failing cache raises: it costs a miss, never a page.
CACHE_ERRORS = (RedisError, OSError)
# The cookies that mean a reader's page may differ from everyone else's, shared with the
# nginx front cache (config/nginx/bypass-cookies.conf is written from this list).
BYPASS_COOKIES = settings.PAGE_CACHE_BYPASS_COOKIES
# Pages never kept: no lookup for them.
NEVER_CACHED = ("/admin/", "/accounts/", "/healthz/", "/static/")
ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as django.middleware.gzip decides
# On a 304 these pass through unchanged on a miss (the CSP middleware adds them after the
# conditional one); the rest is what ConditionalGetMiddleware keeps.
KEPT_ON_304 = ("Content-Security-Policy", "Content-Security-Policy-Report-Only")


@once
def release_id() -> str:
    """What a page's bytes depend on besides content: the hashed static files it links to
    (the manifest), its templates and the code. Computed once per process."""
    digest = hashlib.sha256()
    roots = [Path(settings.BASE_DIR) / name for name in ("templates", "config")]
    roots += [Path(settings.BASE_DIR) / app for app in ("guide", "assessments")]
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    files = [manifest] if manifest.exists() else []
    for root in roots:
        files += sorted(p for p in root.rglob("*") if p.suffix in {".py", ".html", ".txt"})
    for path in files:
        digest.update(str(path.relative_to(settings.BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def public_page(view):
    """For views whose page is the same for every signed-out reader: browsers revalidate it
    each time, a shared cache (the nginx front) may keep it for a second, and the page
    cache keeps it. A signed-in reader's page stays private to their browser."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True, no_cache=True)
        else:
            patch_cache_control(response, public=True, max_age=0, s_maxage=1, must_revalidate=True)
            response.public_page = True
        return response

    return wrapper


def page_key(request: HttpRequest) -> str | None:
    """The cache key for this request's page, or None when it must be rendered for the reader."""
    if not settings.GUIDE_PAGE_CACHE or request.method not in {"GET", "HEAD"}:
        return None
    if request.META.get("QUERY_STRING"):  # searches, stray parameters: nobody floods the cache
        return None
    path = request.path_info
    if path.startswith(NEVER_CACHED):
        return None
    cookies = request.COOKIES
    if cookies and any(name in cookies for name in BYPASS_COOKIES):
        return None
    # META, not request.headers: that builds a dict of every header on each access.
    meta = request.META
    encoding = "gzip" if ACCEPTS_GZIP.search(meta.get("HTTP_ACCEPT_ENCODING", "")) else ""
    url = f"{request.scheme}://{meta.get('HTTP_HOST', '')}{path}"
    digest = hashlib.sha256(url.encode()).hexdigest()
    return f"guide:page:{release_id()}:{encoding}:{digest}"


class PageCacheMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = page_key(request)
        if key is None:
            return self.get_response(request)
        held = _held.get(key)
        try:
            if held is not None:
                # This process has the page: the version alone says whether it is current.
                version = current_version()
                if version is not None and held[0] == version:
                    return _answer(request, held)
            found = cache.get_many([VERSION_KEY, key])
        except CACHE_ERRORS:
            return self.get_response(request)
        version, entry = found.get(VERSION_KEY), found.get(key)
        if version is not None and entry is not None and entry[0] == version:
            _hold(key, entry)
            return _answer(request, entry)
        if version is None:
            version = _new_version()
        response = self.get_response(request)
        if version is not None and request.method == "GET" and _keepable(request, response):
            entry = (version, response.status_code, list(response.items()), response.content)
            try:
                cache.set(key, entry, PAGE_TIMEOUT)
            except CACHE_ERRORS:
                pass
        return response


# The pages this process answered from the shared cache lately, each with the content
# version it was kept under. Served only while that version is the shared cache's current
# one, checked on every request (current_version): a change saved on any server is live here
# within moments (at worst a second, config.cache.KeyWatch), and a hit reads nothing from Redis.
_held: dict[str, tuple] = {}
HELD_PAGES = 200


def current_version() -> str | None:
    """The content version. A Redis cache keeps it watched (config.cache.KeyWatch): Redis
    tells this process when it changes, so a repeat read costs no round trip."""
    get = getattr(cache, "get_watched", cache.get)
    return get(VERSION_KEY)


def _hold(key: str, entry: tuple) -> None:
    if len(_held) >= HELD_PAGES:
        _held.clear()  # rarely: the site has fewer pages than this
    _held[key] = entry


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        getattr(response, "public_page", False)
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")  # no token put on the page
    )


def _answer(request: HttpRequest, entry: tuple) -> HttpResponse:
    _, status, headers, content = entry
    response = HttpResponse(content, status=status)
    # The headers as the rendered response held them, already checked and encoded then:
    # set as they were rather than checked again one by one.
    response.headers._store = {name.lower(): (name, value) for name, value in headers}
    conditional = get_conditional_response(
        request, etag=response.get("ETag"), last_modified=None, response=response
    )
    if conditional is not response:  # 304 (or 412), with the headers a miss would give it
        for header in KEPT_ON_304:
            if header in response:
                conditional.headers[header] = response.headers[header]
        # GZipMiddleware names Accept-Encoding only on bodies it could compress: not a 304's.
        vary = [v for v in cc_split(conditional.get("Vary", "")) if v != "Accept-Encoding"]
        if vary:
            conditional.headers["Vary"] = ", ".join(vary)
        elif "Vary" in conditional:
            del conditional.headers["Vary"]
        conditional.headers["Content-Length"] = str(len(conditional.content))
    return conditional


def cc_split(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


def _new_version() -> str | None:
    """The content version, made when the cache has none (first start, Redis restarted)."""
    try:
        cache.add(VERSION_KEY, uuid.uuid4().hex, None)
        return cache.get(VERSION_KEY)
    except CACHE_ERRORS:
        return None


def _bump() -> None:
    try:
        cache.set(VERSION_KEY, uuid.uuid4().hex, None)
    except CACHE_ERRORS:
        # The old pages stay until the cache answers again: say so loudly rather than fail
        # an editor's save that has already committed.
        logging.getLogger(__name__).exception("Could not empty the page cache")


def content_changed(**kwargs) -> None:
    """A guide item changed: a new content version once the change is committed."""
    transaction.on_commit(_bump)


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
