"""Signed-out readers get whole pages from the cache until any guide content changes."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.factories import make_section, make_sign, make_strategy, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.GUIDE_PAGE_CACHE = True
    cache.clear()
    yield
    cache.clear()


def test_a_repeat_visit_is_served_without_touching_the_database(client, django_assert_num_queries):
    make_section(slug="kept", body="Kept whole.")
    first = client.get("/guide/kept/")

    with django_assert_num_queries(0):
        again = client.get("/guide/kept/")

    assert again.status_code == 200
    assert again.content == first.content
    assert "public" in again["Cache-Control"]
    assert not again.cookies


def test_any_content_change_empties_the_cache(client):
    section = make_section(slug="signs", component="signs", body="Intro.")
    sign = make_sign(text="You keep calm")
    strategy = make_strategy(title="Breathe Slowly")
    assert "Breathe Slowly" not in client.get("/guide/signs/").content.decode()

    sign.strategies.add(strategy)  # a relation change alone
    assert "Breathe Slowly" in client.get("/guide/signs/").content.decode()

    strategy.delete()
    assert "Breathe Slowly" not in client.get("/guide/signs/").content.decode()

    section.body = "A new introduction."
    section.save()
    assert "A new introduction." in client.get("/guide/signs/").content.decode()


def test_signed_in_readers_never_get_the_signed_out_page(client):
    make_section(slug="shared")
    client.get("/guide/shared/")  # cached for signed-out readers
    reader = make_user()
    client.force_login(reader)

    page = client.get("/guide/shared/").content.decode()

    assert "My space" in page
    assert "private" in client.get("/guide/shared/")["Cache-Control"]


def test_a_staff_preview_of_a_draft_is_never_kept_for_the_public(client, admin_client):
    make_section(slug="draft", published=False, body="Not yet.")
    assert admin_client.get("/guide/draft/").status_code == 200

    assert client.get("/guide/draft/").status_code == 404


def test_query_strings_are_rendered_not_cached(client, django_assert_max_num_queries):
    make_section(slug="plain")
    client.get("/guide/plain/?utm=1")

    with django_assert_max_num_queries(10) as captured:
        client.get("/guide/plain/?utm=1")
    assert len(captured.captured_queries) > 0
