"""Drafts are invisible to the public and previewed by staff on the real page, marked as drafts;
a section's review date and reviewer show on the chapter."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from guide.models import ChangeNote, Section
from tests.factories import make_reviewer, make_section, make_strategy, staff_login
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
    staff_login(client, editor if who == "editor" else superuser)
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


def test_publishing_from_the_list_makes_a_draft_public_at_once_with_its_change_note(
    editor_client, public, editor
):
    section = make_section(slug="soon", published=False)
    changelist = reverse("admin:guide_section_changelist")

    response = editor_client.post(
        changelist,
        {
            "action": "publish",
            ACTION_CHECKBOX_NAME: [section.pk],
            "change_note": "A new chapter on repair.",
        },
        follow=True,
    )

    assert "1 item published." in response.content.decode()
    assert public.get("/guide/soon/").status_code == 200
    assert section.history.latest().history_user == editor
    note = ChangeNote.objects.get()
    assert (note.section, note.note, note.editor) == (section, "A new chapter on repair.", editor)
    assert "A new chapter on repair." in public.get("/guide/soon/changes/").content.decode()


def test_publishing_from_the_list_without_a_note_says_so_and_changes_nothing(editor_client, public):
    section = make_section(slug="soon", published=False)
    changelist = reverse("admin:guide_section_changelist")

    response = editor_client.post(
        changelist, {"action": "publish", ACTION_CHECKBOX_NAME: [section.pk]}, follow=True
    )

    assert "Nothing published: say in “What changed, for readers”" in response.content.decode()
    section.refresh_from_db()
    assert not section.published
    assert not ChangeNote.objects.exists()
    assert public.get("/guide/soon/").status_code == 404


def test_a_list_note_too_long_is_refused_by_publish_and_other_actions_still_run(
    editor_client, public
):
    section = make_section(slug="soon", published=False)
    live = make_section(slug="live")
    changelist = reverse("admin:guide_section_changelist")

    response = editor_client.post(
        changelist,
        {"action": "publish", ACTION_CHECKBOX_NAME: [section.pk], "change_note": "x" * 301},
        follow=True,
    )
    assert "Nothing published: Ensure this value has at most 300 characters" in (
        response.content.decode()
    )
    section.refresh_from_db()
    assert not section.published and not ChangeNote.objects.exists()

    editor_client.post(
        changelist,
        {"action": "unpublish", ACTION_CHECKBOX_NAME: [live.pk], "change_note": "x" * 301},
    )
    assert public.get("/guide/live/").status_code == 404


def test_a_minor_edit_published_from_the_list_shows_readers_no_note(editor_client, public):
    make_section(slug="soon", published=False)

    editor_client.post(
        reverse("admin:guide_section_changelist"),
        {"action": "publish", ACTION_CHECKBOX_NAME: [Section.objects.get().pk], "minor_edit": "on"},
    )

    assert public.get("/guide/soon/").status_code == 200
    assert ChangeNote.objects.get().minor_edit


def test_unpublishing_hides_a_page_from_the_public(editor_client, public):
    section = make_section(slug="withdrawn")
    assert public.get("/guide/withdrawn/").status_code == 200
    changelist = reverse("admin:guide_section_changelist")

    editor_client.post(changelist, {"action": "unpublish", ACTION_CHECKBOX_NAME: [section.pk]})

    assert public.get("/guide/withdrawn/").status_code == 404


def test_review_date_and_reviewer_set_in_the_admin_show_on_the_chapter(editor_client, public):
    section = make_section(slug="reviewed")
    reviewer = make_reviewer(name="Dr Rosa Kim", credentials="PhD, clinical psychologist")
    url = reverse("admin:guide_section_change", args=[section.pk])
    data = form_data(editor_client.get(url).context["adminform"].form)

    response = editor_client.post(
        url,
        {**data, "last_reviewed": "2026-03-04", "reviewer": str(reviewer.pk), **PUBLISH},
    )

    assert response.status_code == 302
    html = public.get("/guide/reviewed/").content.decode()
    assert (
        'Last reviewed <time datetime="2026-03-04">March 4, 2026</time> by '
        '<a href="#chapter-credits">Dr Rosa Kim</a>'
    ) in html
    assert (
        "Reviewed by <strong>Dr Rosa Kim</strong>, PhD, clinical psychologist, on "
        '<time datetime="2026-03-04">March 4, 2026</time>.'
    ) in html
    assert reviewer.bio in html


def test_mark_reviewed_records_today_and_the_chosen_reviewer(editor_client, public):
    reviewer = make_reviewer(name="Dr Sam Okafor")
    section = make_section(slug="checked")

    response = editor_client.post(
        reverse("admin:guide_section_changelist"),
        {"action": "mark_reviewed", "reviewer": reviewer.pk, ACTION_CHECKBOX_NAME: [section.pk]},
        follow=True,
    )

    section = Section.objects.get(pk=section.pk)
    assert section.reviewer == reviewer
    assert section.last_reviewed == datetime.date.today()
    assert "1 section marked as reviewed today by Dr Sam Okafor." in response.content.decode()
    assert (
        'by <a href="#chapter-credits">Dr Sam Okafor</a>'
        in public.get("/guide/checked/").content.decode()
    )


def test_mark_reviewed_without_a_reviewer_says_so_and_changes_nothing(editor_client, editor):
    section = make_section(last_reviewed=datetime.date(2025, 1, 2))

    response = editor_client.post(
        reverse("admin:guide_section_changelist"),
        {"action": "mark_reviewed", ACTION_CHECKBOX_NAME: [section.pk]},
        follow=True,
    )

    assert "Nothing marked: choose who reviewed them" in response.content.decode()
    section = Section.objects.get(pk=section.pk)
    assert section.last_reviewed == datetime.date(2025, 1, 2)
    assert section.reviewer is None
    assert editor.get_username() not in public_html(section)


def public_html(section) -> str:
    from django.test import Client

    return Client().get(section.get_absolute_url()).content.decode()


def test_the_page_names_its_reviewer_and_the_article_is_by_the_team(public):
    team = make_reviewer(name="Secure Base editorial team", is_person=False, credentials="")
    person = make_reviewer(name="Dr Rosa Kim", credentials="PhD, clinical psychologist")
    reviewed = datetime.date(2026, 3, 4)
    make_section(slug="by-team", reviewer=team, last_reviewed=reviewed)
    make_section(slug="by-person", reviewer=person, last_reviewed=reviewed)

    by_team = json_ld(public.get("/guide/by-team/").content.decode())
    by_person = json_ld(public.get("/guide/by-person/").content.decode())

    for data in (by_team, by_person):
        assert data["@type"] == "WebPage"
        assert data["lastReviewed"] == "2026-03-04"
        article = data["mainEntity"]
        assert article["@type"] == "Article"
        assert article["author"] == {"@type": "Organization", "name": "Secure Base editorial team"}
        assert "lastReviewed" not in article and "reviewedBy" not in article
    assert by_team["reviewedBy"] == {"@type": "Organization", "name": "Secure Base editorial team"}
    assert by_person["reviewedBy"] == {
        "@type": "Person",
        "name": "Dr Rosa Kim",
        "description": "PhD, clinical psychologist",
    }


def test_a_chapter_not_reviewed_for_twelve_months_is_flagged_in_the_admin_list(editor_client):
    today = datetime.date.today()
    make_section(title="Fresh", last_reviewed=today - datetime.timedelta(days=30))
    make_section(title="Stale", last_reviewed=today - datetime.timedelta(days=366))
    make_section(title="Never")
    url = reverse("admin:guide_section_changelist")

    html = editor_client.get(url).content.decode()
    due = editor_client.get(url, {"review": "due"}).context["cl"].result_list

    assert html.count('class="review-due"') == 2
    assert "Never reviewed: due" in html
    assert "due (over 12 months)" in html
    assert sorted(s.title for s in due) == ["Never", "Stale"]


def test_reflection_prompts_are_edited_with_the_markdown_preview_and_start_as_drafts(client):
    from guide.models import ReflectionPrompt
    from tests.factories import make_editor, make_sign

    sign = make_sign()
    ReflectionPrompt.objects.create(slug="a-prompt", sign=sign, text="What did you *notice*?")
    editor = make_editor()
    staff_login(client, editor)

    add = client.get("/admin/guide/reflectionprompt/add/").content.decode()
    assert "markdownx" in add and "js/admin-markdown.js" in add
    assert 'name="published"' in add and 'name="published" checked' not in add
    listing = client.get("/admin/guide/reflectionprompt/").content.decode()
    assert "What did you *notice*?" in listing
    history = client.get(
        f"/admin/guide/reflectionprompt/{ReflectionPrompt.objects.get().pk}/history/"
    )
    assert history.status_code == 200
