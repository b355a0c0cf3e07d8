"""Drafts are invisible to the public and previewed by staff on the real page, marked as drafts;
a section's review date and reviewer show on the chapter."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from guide.models import Section
from tests.factories import make_section, make_strategy
from tests.guide.conftest import PUBLISH, form_data
from tests.guide.test_pages import json_ld

pytestmark = pytest.mark.django_db

DRAFTS = {
    "chapter": (
        lambda: make_section(slug="draft-chapter", published=False),
        "/guide/draft-chapter/",
        "chapter",
    ),
    "strategy": (
        lambda: make_strategy(slug="draft-strategy", published=False),
        "/strategies/draft-strategy/",
        "strategy",
    ),
}


@pytest.fixture(params=DRAFTS, ids=DRAFTS)
def draft(request):
    make, url, kind = DRAFTS[request.param]
    return make(), url, kind


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_a_draft_is_not_found_by_the_public(client, reader, draft, who):
    if who == "reader":
        client.force_login(reader)
    _, url, _ = draft

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("who", ["editor", "superuser"])
def test_staff_preview_a_draft_on_the_real_page_with_a_banner(
    client, editor, superuser, draft, who
):
    client.force_login(editor if who == "editor" else superuser)
    obj, url, kind = draft

    response = client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert (
        f'<p class="draft-banner">Draft: this {kind} is visible to staff only. Readers get '
        "“page not found” until it is published."
    ) in html
    change_url = reverse(f"admin:guide_{obj._meta.model_name}_change", args=[obj.pk])
    assert f'href="{change_url}"' in html
    # Never stored by a shared cache and served to someone else.
    assert "Cookie" in response.get("Vary", "")


def test_published_pages_carry_no_draft_banner_even_for_staff(editor_client):
    make_section(slug="live")

    assert "draft-banner" not in editor_client.get("/guide/live/").content.decode()


def test_publishing_from_the_list_makes_a_draft_public_at_once(editor_client, public, editor):
    section = make_section(slug="soon", published=False)
    changelist = reverse("admin:guide_section_changelist")

    response = editor_client.post(
        changelist, {"action": "publish", ACTION_CHECKBOX_NAME: [section.pk]}, follow=True
    )

    assert "1 item published." in response.content.decode()
    assert public.get("/guide/soon/").status_code == 200
    assert section.history.latest().history_user == editor


def test_unpublishing_hides_a_page_from_the_public(editor_client, public):
    section = make_section(slug="withdrawn")
    assert public.get("/guide/withdrawn/").status_code == 200
    changelist = reverse("admin:guide_section_changelist")

    editor_client.post(changelist, {"action": "unpublish", ACTION_CHECKBOX_NAME: [section.pk]})

    assert public.get("/guide/withdrawn/").status_code == 404


def test_review_date_and_reviewer_set_in_the_admin_show_on_the_chapter(editor_client, public):
    section = make_section(slug="reviewed")
    url = reverse("admin:guide_section_change", args=[section.pk])
    data = form_data(editor_client.get(url).context["adminform"].form)

    editor_client.post(
        url,
        {**data, "last_reviewed": "2026-03-04", "reviewed_by": "Dr Rosa Kim", **PUBLISH},
    )

    html = public.get("/guide/reviewed/").content.decode()
    assert 'Last reviewed <time datetime="2026-03-04">March 4, 2026</time> by Dr Rosa Kim' in html


def test_mark_reviewed_records_today_and_the_editor(editor_client, editor):
    editor.first_name, editor.last_name = "Sam", "Okafor"
    editor.save()
    section = make_section()

    editor_client.post(
        reverse("admin:guide_section_changelist"),
        {"action": "mark_reviewed", ACTION_CHECKBOX_NAME: [section.pk]},
    )

    section = Section.objects.get(pk=section.pk)
    assert section.reviewed_by == "Sam Okafor"
    assert section.last_reviewed == datetime.date.today()


def test_mark_reviewed_never_publishes_a_login_name(editor_client, editor, public):
    assert editor.get_full_name() == ""
    section = make_section(slug="checked")

    editor_client.post(
        reverse("admin:guide_section_changelist"),
        {"action": "mark_reviewed", ACTION_CHECKBOX_NAME: [section.pk]},
    )

    section = Section.objects.get(pk=section.pk)
    assert section.reviewed_by == "Secure Base editorial team"
    html = public.get("/guide/checked/").content.decode()
    assert "by Secure Base editorial team" in html
    assert editor.get_username() not in html


def test_the_article_is_by_the_team_and_a_named_reviewer_is_a_person(public):
    make_section(slug="by-team", reviewed_by="Secure Base editorial team")
    make_section(slug="by-person", reviewed_by="Dr Rosa Kim")

    team = json_ld(public.get("/guide/by-team/").content.decode())
    person = json_ld(public.get("/guide/by-person/").content.decode())

    for data in (team, person):
        assert data["author"] == {"@type": "Organization", "name": "Secure Base editorial team"}
    assert "editor" not in team
    assert person["editor"] == {"@type": "Person", "name": "Dr Rosa Kim"}
