"""Signed-out readers get whole pages from the shared cache (a real Redis) until guide content
changes, with exactly the headers a rendered page has."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from guide import page_cache
from guide.changes import record_change
from guide.models import Section
from tests.factories import (
    make_section,
    make_sign,
    make_strategy,
    make_support_resource,
    make_user,
)

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
SIGNED_OUT = "public, max-age=0, s-maxage=1, must-revalidate"


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.GUIDE_PAGE_CACHE = True
    # Production's backend (config/cache.py), on a real Redis.
    settings.CACHES = {
        "default": {"BACKEND": "config.cache.ResilientRedisCache", "LOCATION": REDIS_URL}
    }
    try:
        cache.clear()
    except Exception as error:  # never a skip: the page cache is tested on a real Redis
        pytest.fail(f"Redis at {REDIS_URL} does not answer ({error}): start it or set "
                    "TEST_REDIS_URL.", pytrace=False)  # fmt: skip
    yield
    with contextlib.suppress(*page_cache.CACHE_ERRORS):  # the failing-cache test's own
        cache.clear()


def rendered(client, url: str):
    """The response and how many queries it took: none when it came from the cache."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return response, len(queries)


def served_from_cache(client, url: str, django_assert_num_queries, **headers):
    with django_assert_num_queries(0):
        return client.get(url, headers=headers)


def test_a_repeat_visit_is_served_without_touching_the_database(client, django_assert_num_queries):
    make_section(slug="kept", body="Kept whole.")
    first = client.get("/guide/kept/")

    again = served_from_cache(client, "/guide/kept/", django_assert_num_queries)

    assert again.status_code == 200
    assert again.content == first.content
    assert again["Cache-Control"] == SIGNED_OUT
    assert not again.cookies
    assert "csrfmiddlewaretoken" not in again.content.decode()


@pytest.mark.parametrize("encoding", ["", "gzip, deflate, br"])
def test_a_cache_hit_carries_exactly_the_headers_of_a_rendered_page(
    client, django_assert_num_queries, encoding
):
    make_section(slug="headers", body="Same headers.\n\n" + "Long enough to compress. " * 20)
    headers = {"Accept-Encoding": encoding} if encoding else {}
    rendered = client.get("/guide/headers/", headers=headers)

    hit = served_from_cache(client, "/guide/headers/", django_assert_num_queries, **headers)

    assert dict(hit.headers) == dict(rendered.headers)
    assert "script-src 'self'" in hit["Content-Security-Policy"]
    assert hit["X-Frame-Options"] == "DENY"
    assert hit["X-Content-Type-Options"] == "nosniff"
    assert hit["Referrer-Policy"] == "same-origin"
    assert hit["Cross-Origin-Opener-Policy"] == "same-origin"
    assert hit.content == rendered.content
    assert (hit.get("Content-Encoding") == "gzip") is bool(encoding)


def test_a_conditional_request_for_a_cached_page_gets_the_same_304_as_a_rendered_one(
    client, django_assert_num_queries
):
    make_section(slug="etag", body="Tagged.")
    etag = client.get("/guide/etag/")["ETag"]
    cache.clear()
    rendered_304 = client.get("/guide/etag/", headers={"If-None-Match": etag})
    client.get("/guide/etag/")  # kept again

    hit_304 = served_from_cache(
        client, "/guide/etag/", django_assert_num_queries, **{"If-None-Match": etag}
    )

    assert rendered_304.status_code == hit_304.status_code == 304
    assert hit_304.content == b""
    assert dict(hit_304.headers) == dict(rendered_304.headers)
    assert "Content-Security-Policy" in hit_304


def test_any_content_change_empties_the_cache_once_committed(
    client, django_capture_on_commit_callbacks
):
    section = make_section(slug="signs", component="signs", body="Intro.")
    sign = make_sign(text="You keep calm")
    strategy = make_strategy(title="Breathe Slowly")
    assert "Breathe Slowly" not in client.get("/guide/signs/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        sign.strategies.add(strategy)  # a relation change alone
    assert "Breathe Slowly" in client.get("/guide/signs/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        strategy.delete()
    assert "Breathe Slowly" not in client.get("/guide/signs/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        section.body = "A new introduction."
        section.save()
    assert "A new introduction." in client.get("/guide/signs/").content.decode()


def test_a_page_rendered_while_a_save_is_in_flight_is_not_served_after_it_commits(
    client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    section = make_section(slug="race", body="Old words.")
    client.get("/guide/race/")
    before = cache.get(page_cache.VERSION_KEY)

    with django_capture_on_commit_callbacks(execute=False) as on_commit:
        section.body = "New words."
        section.save()
        # A request racing the save reads the version before its commit and keeps its page
        # under that version.
        client.get("/guide/race/")
        assert cache.get(page_cache.VERSION_KEY) == before
    assert on_commit, "the version changes only once the save commits"
    for callback in on_commit:
        callback()

    assert cache.get(page_cache.VERSION_KEY) != before
    page, queries = rendered(client, "/guide/race/")
    assert queries > 0, "rendered afresh, not the racing request's page"
    assert "New words." in page.content.decode()


def test_a_change_saved_on_another_server_is_live_on_the_next_request_here(
    client, django_assert_num_queries
):
    section = make_section(slug="elsewhere", body="Old words.")
    client.get("/guide/elsewhere/")
    held = served_from_cache(client, "/guide/elsewhere/", django_assert_num_queries)
    assert "Old words." in held.content.decode()
    # This process now holds the page; another server saves a change and sets a new version.
    Section.objects.filter(pk=section.pk).update(body_html="<p>New words.</p>")
    key = cache.make_key(page_cache.VERSION_KEY)
    code = "import pickle, sys, redis; redis.Redis.from_url(sys.argv[1]).set(sys.argv[2], "
    code += "pickle.dumps('set-by-another-server'))"
    subprocess.run([sys.executable, "-c", code, REDIS_URL, key], check=True)

    page, queries = rendered(client, "/guide/elsewhere/")

    assert queries > 0, "rendered afresh, not the copy this process held"
    assert "New words." in page.content.decode()
    again = served_from_cache(client, "/guide/elsewhere/", django_assert_num_queries)
    assert again.content == page.content


def test_signed_in_readers_never_get_the_signed_out_page(client):
    make_section(slug="shared")
    client.get("/guide/shared/")  # cached for signed-out readers
    reader = make_user()
    client.force_login(reader)

    response = client.get("/guide/shared/")

    assert "My space" in response.content.decode()
    assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("cookie", page_cache.BYPASS_COOKIES)
def test_a_reader_with_a_session_or_a_message_waiting_gets_a_rendered_page(
    cookie,
):
    make_section(slug="bypass")
    Client().get("/guide/bypass/")  # cached for everyone else
    reader = Client()
    reader.cookies[cookie] = "anything"

    page, queries = rendered(reader, "/guide/bypass/")
    assert page.status_code == 200
    assert queries > 0


def test_a_staff_preview_of_a_draft_is_never_kept_for_the_public(client, admin_client):
    make_section(slug="draft", published=False, body="Not yet.")
    assert admin_client.get("/guide/draft/").status_code == 200

    assert client.get("/guide/draft/").status_code == 404
    assert client.get("/guide/draft/").status_code == 404


def test_query_strings_are_rendered_not_cached(client):
    make_section(slug="plain")
    client.get("/guide/plain/?utm=1")

    assert rendered(client, "/guide/plain/?utm=1")[1] > 0


def test_a_page_with_a_form_and_its_csrf_token_is_never_kept(client, django_assert_num_queries):
    make_section(slug="signs", component="signs")
    make_sign()
    client.get("/quiz/")

    page, queries = rendered(client, "/quiz/")
    assert "csrfmiddlewaretoken" in page.content.decode()
    assert queries > 0


def test_the_sitemap_is_kept_too(client, django_assert_num_queries):
    make_section(slug="mapped")
    first = client.get("/sitemap.xml")

    again = served_from_cache(client, "/sitemap.xml", django_assert_num_queries)

    assert again.content == first.content
    assert again["Cache-Control"] == SIGNED_OUT


@pytest.mark.parametrize(
    "url", ["/guide/", "/guide/noted/changes/", "/feed/", "/support/uk/", "/how-we-score/"]
)
def test_the_guide_index_change_notes_feed_help_lines_and_scoring_are_kept_too(
    client, url, django_assert_num_queries
):
    make_section(slug="noted", title="Noted")
    make_support_resource(region="uk", name="A line in the UK")
    first = client.get(url)
    assert first.status_code == 200

    again = served_from_cache(client, url, django_assert_num_queries)

    assert again.content == first.content
    assert again["Cache-Control"] == SIGNED_OUT


def test_a_change_note_published_reaches_the_cached_feed_once_committed(
    client, django_capture_on_commit_callbacks
):
    section = make_section(slug="fed", title="Fed")
    assert "Reworded the opening." not in client.get("/feed/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        record_change(section, note="Reworded the opening.")

    assert "Reworded the opening." in client.get("/feed/").content.decode()


def test_a_new_release_never_serves_the_last_releases_pages(
    client, settings, tmp_path, django_assert_num_queries
):
    settings.STATIC_ROOT = tmp_path
    manifest = tmp_path / "staticfiles.json"
    manifest.write_text('{"paths": {"css/site.css": "css/site.1111.css"}}')
    page_cache.release_id.cache_clear()
    make_section(slug="released")
    client.get("/guide/released/")
    served_from_cache(client, "/guide/released/", django_assert_num_queries)

    manifest.write_text('{"paths": {"css/site.css": "css/site.2222.css"}}')  # the next release
    page_cache.release_id.cache_clear()
    try:
        assert rendered(client, "/guide/released/")[1] > 0
    finally:
        page_cache.release_id.cache_clear()


def test_a_failing_cache_costs_a_miss_never_a_page(client, settings):
    make_section(slug="sturdy", body="Still here.")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }

    for _ in range(2):
        response = client.get("/guide/sturdy/")
        assert response.status_code == 200
        assert "Still here." in response.content.decode()
