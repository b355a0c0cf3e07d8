"""A change saved in the admin is on the public site at the very next request, whatever
caching the pages use (conditional GETs included)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_section, staff_login
from tests.guide.conftest import PUBLISH, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=[False, True], ids=["no-page-cache", "page-cache"])
def page_cache(request, settings):
    """Every freshness promise holds with and without the whole-page cache."""
    from django.core.cache import cache

    settings.GUIDE_PAGE_CACHE = request.param
    cache.clear()
    yield request.param
    cache.clear()


def validators_of(response) -> dict:
    headers = {}
    if response.has_header("ETag"):
        headers["HTTP_IF_NONE_MATCH"] = response["ETag"]
    if response.has_header("Last-Modified"):
        headers["HTTP_IF_MODIFIED_SINCE"] = response["Last-Modified"]
    return headers


def test_a_saved_edit_shows_on_the_next_anonymous_request(
    client, editor, django_capture_on_commit_callbacks
):
    section = make_section(slug="fresh", body="The old wording.")
    first = client.get("/guide/fresh/")
    assert "The old wording." in first.content.decode()
    cached = validators_of(first)
    assert cached, "the chapter carries no validator for conditional requests"
    assert client.get("/guide/fresh/", **cached).status_code == 304  # caching is really on

    staff = Client()
    staff_login(staff, editor)
    url = reverse("admin:guide_section_change", args=[section.pk])
    data = form_data(staff.get(url).context["adminform"].form)
    with django_capture_on_commit_callbacks(execute=True):  # the publish commits
        saved = staff.post(url, {**data, "body": "The new wording.", **PUBLISH})
    assert saved.status_code == 302

    again = client.get("/guide/fresh/", **cached)
    assert again.status_code == 200
    assert "The new wording." in again.content.decode()
    assert "The old wording." not in again.content.decode()
    plain = client.get("/guide/fresh/")
    assert "The new wording." in plain.content.decode()


def test_unpublishing_in_the_admin_takes_a_cached_page_down_at_once(
    client, editor, django_capture_on_commit_callbacks
):
    section = make_section(slug="going")
    cached = validators_of(client.get("/guide/going/"))

    staff = Client()
    staff_login(staff, editor)
    url = reverse("admin:guide_section_change", args=[section.pk])
    data = form_data(staff.get(url).context["adminform"].form)
    data.pop("published")
    with django_capture_on_commit_callbacks(execute=True):  # the publish commits
        staff.post(url, {**data, **PUBLISH})

    assert client.get("/guide/going/", **cached).status_code == 404
