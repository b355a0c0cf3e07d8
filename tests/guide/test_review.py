"""EDITORIAL_REVIEW=1: a second editor approves a draft before anyone publishes it; nobody
approves their own; "Awaiting review" filters every list and the admin home counts them.
Two editors at once: who else is editing shows, and saving over a newer draft is refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from guide.drafts import draft_for
from guide.models import EditingPresence
from tests.factories import (
    make_editor,
    make_faq,
    make_reference,
    make_section,
    make_sign,
    make_strategy,
    make_therapy,
    staff_login,
)
from tests.guide.test_publishing import NEW, OLD, change_url, draft_url, live_section, save

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(settings):
    settings.EDITORIAL_REVIEW = True


def signed_in(name: str, first_name: str = "") -> Client:
    editor = make_editor(name)
    if first_name:
        editor.first_name = first_name
        editor.save()
    client = Client()
    staff_login(client, editor)
    client.user = editor
    return client


def test_with_review_a_draft_waits_for_a_second_editor(review, public):
    author, reviewer = signed_in("maya"), signed_in("sam")
    section, url = live_section()
    form = author.get(change_url(section)).content.decode()
    assert 'name="_publish"' not in form  # no way round the review from the form

    # Pressing Publish anyway (an old form) keeps a draft that awaits review.
    response = save(author, section, "_publish", body=f"{NEW}.", minor_edit="on", follow=True)
    assert "the draft now awaits review" in response.content.decode()
    assert OLD in public.get(url).content.decode()

    refused = author.post(draft_url(section), {"_publish": "x", "minor_edit": "on"}, follow=True)
    assert "needs a second editor’s approval" in refused.content.decode()
    own = author.post(draft_url(section), {"_approve": "x"}, follow=True)
    assert "You can’t approve a draft you wrote or edited" in own.content.decode()
    assert not draft_for(section).approved
    assert OLD in public.get(url).content.decode()

    approved = reviewer.post(
        draft_url(section), {"_approve": "x", "comment": "Reads well."}, follow=True
    )
    assert "Approved: any editor can publish it now." in approved.content.decode()
    draft = draft_for(section)
    assert draft.approved and draft.approved_by == reviewer.user
    assert draft.approval_comment == "Reads well."

    author.post(draft_url(section), {"_publish": "x", "change_note": "Clearer."})
    assert NEW in public.get(url).content.decode()


def test_an_edit_after_approval_needs_approving_again(review):
    author, reviewer = signed_in("maya"), signed_in("sam")
    section, _ = live_section()
    save(author, section, body=f"{NEW}.")
    reviewer.post(draft_url(section), {"_approve": "x"})
    assert draft_for(section).approved

    save(author, section, body=f"{NEW}, and more.")

    assert not draft_for(section).approved
    refused = author.post(draft_url(section), {"_publish": "x", "minor_edit": "on"}, follow=True)
    assert "needs a second editor’s approval" in refused.content.decode()


def test_an_editor_who_touched_the_draft_cannot_approve_it(review):
    first, second, third = signed_in("maya"), signed_in("sam"), signed_in("ada")
    section, _ = live_section()
    save(first, section, body=f"{NEW}.")
    save(second, section, body=f"{NEW}, polished.")

    for client in (first, second):
        client.post(draft_url(section), {"_approve": "x"})
        assert not draft_for(section).approved
    third.post(draft_url(section), {"_approve": "x"})
    assert draft_for(section).approved


def test_with_review_a_hidden_item_is_made_visible_only_after_approval(review, public):
    author, reviewer = signed_in("maya"), signed_in("sam")
    section = make_section(slug="soon", published=False)

    save(author, section, "_save", published="on")

    section.refresh_from_db()
    assert not section.published
    assert draft_for(section).changes == {"published": True}
    assert public.get("/guide/soon/").status_code == 404
    reviewer.post(draft_url(section), {"_approve": "x"})
    reviewer.post(draft_url(section), {"_publish": "x", "change_note": "A new chapter."})
    assert public.get("/guide/soon/").status_code == 200


def test_with_review_the_list_cannot_publish_an_item_around_it(review):
    author = signed_in("maya")
    make_section()

    changelist = author.get(reverse("admin:guide_section_changelist"))

    assert "published" not in changelist.context["cl"].list_editable


@pytest.mark.parametrize(
    "make", [make_section, make_strategy, make_sign, make_therapy, make_faq, make_reference]
)
def test_awaiting_review_filters_every_list_and_the_home_counts_them(review, make):
    author, reviewer = signed_in("maya"), signed_in("sam")
    waiting, approved, untouched = make(), make(), make()
    model = waiting._meta.model_name
    for obj in (waiting, approved):
        data_field = next(
            name for name in ("body", "text", "answer", "title") if hasattr(obj, name)
        )
        save(author, obj, **{data_field: "Reworded for review."})
    reviewer.post(draft_url(approved), {"_approve": "x"})

    listing = reviewer.get(reverse(f"admin:guide_{model}_changelist"), {"draft": "review"})

    assert list(listing.context["cl"].result_list) == [waiting]
    assert untouched not in listing.context["cl"].result_list
    home = reviewer.get(reverse("admin:index")).content.decode()
    assert "1 draft awaiting review" in home
    assert f'href="/admin/guide/{model}/?draft=review"' in home


def test_without_review_any_editor_publishes_and_the_home_counts_drafts(public):
    author, other = signed_in("maya"), signed_in("sam")
    section, url = live_section()
    save(author, section, body=f"{NEW}.")

    assert "1 draft not yet published" in other.get(reverse("admin:index")).content.decode()
    other.post(draft_url(section), {"_publish": "x", "minor_edit": "on"})
    assert NEW in public.get(url).content.decode()


# Two editors at once ----------------------------------------------------------------------


def test_an_editor_sees_who_else_is_editing_and_since_when():
    maya, sam = signed_in("maya", "Maya"), signed_in("sam")
    section, _ = live_section()
    maya.get(change_url(section))
    since = timezone.localtime(EditingPresence.objects.get(user=maya.user).since)

    page = sam.get(change_url(section)).content.decode()

    assert "<strong>Maya</strong> is editing this since <time datetime=" in page
    assert f">{since:%H:%M}</time>" in page
    # Maya, in turn, sees Sam (by account name: no full name given), never herself.
    mayas = maya.get(change_url(section)).content.decode()
    assert "<strong>sam</strong> is editing this" in mayas
    assert "<strong>Maya</strong> is editing" not in mayas


def test_editing_means_opened_or_saved_in_the_last_half_hour():
    maya, sam = signed_in("maya", "Maya"), signed_in("sam")
    section, _ = live_section()
    maya.get(change_url(section))
    EditingPresence.objects.filter(user=maya.user).update(
        seen=timezone.now() - timedelta(minutes=31)
    )

    assert "is editing this" not in sam.get(change_url(section)).content.decode()

    save(maya, section, body=f"{NEW}.")  # a save counts as editing again
    assert "<strong>Maya</strong> is editing this" in sam.get(change_url(section)).content.decode()


def test_saving_over_a_newer_draft_is_refused_and_loses_nothing():
    maya, sam = signed_in("maya", "Maya"), signed_in("sam")
    section, _ = live_section()
    from tests.guide.conftest import form_data

    sams_form = form_data(sam.get(change_url(section)).context["adminform"].form)
    save(maya, section, body="Maya's rework.")  # opened later, saved first

    response = sam.post(
        change_url(section),
        {**sams_form, "edit_version": "0", "body": "Sam's rework.", "_save_draft": "x"},
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "Maya saved a newer version" in page and "your changes were not saved" in page
    assert "Sam&#x27;s rework." in page or "Sam's rework." in page  # still in the form
    assert draft_for(section).changes["body"] == "Maya's rework."
    # Sending the same stale form again is refused again.
    again = sam.post(
        change_url(section),
        {**sams_form, "edit_version": "0", "body": "Sam's rework.", "_save_draft": "x"},
    )
    assert again.status_code == 200
    assert draft_for(section).changes["body"] == "Maya's rework."


def test_panel_actions_on_a_draft_changed_since_are_refused():
    maya, sam = signed_in("maya", "Maya"), signed_in("sam")
    section, url = live_section()
    save(maya, section, body=f"{NEW}.")
    seen_version = draft_for(section).version
    save(maya, section, body=f"{NEW}, changed again.")

    response = sam.post(
        draft_url(section),
        {"_publish": "x", "minor_edit": "on", "edit_version": str(seen_version)},
        follow=True,
    )

    assert "Maya changed this draft since you opened it" in response.content.decode()
    section.refresh_from_db()
    assert section.body == f"{OLD}."


def test_with_review_publishing_from_the_list_waits_for_approval(review, public):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    author, reviewer = signed_in("maya"), signed_in("sam")
    section = make_section(slug="soon", published=False)
    changelist = reverse("admin:guide_section_changelist")

    response = author.post(
        changelist, {"action": "publish", ACTION_CHECKBOX_NAME: [section.pk]}, follow=True
    )

    assert "1 item awaits a second editor’s approval" in response.content.decode()
    section.refresh_from_db()
    assert not section.published
    assert public.get("/guide/soon/").status_code == 404
    reviewer.post(draft_url(section), {"_approve": "x"})
    author.post(draft_url(section), {"_publish": "x", "change_note": "A new chapter."})
    assert public.get("/guide/soon/").status_code == 200


def test_two_editors_of_a_hidden_item_cannot_overwrite_each_other():
    from tests.guide.conftest import form_data

    maya, sam = signed_in("maya", "Maya"), signed_in("sam")
    section = make_section(slug="soon", body="First.", published=False)
    sams_form = form_data(sam.get(change_url(section)).context["adminform"].form)
    mayas_form = form_data(maya.get(change_url(section)).context["adminform"].form)
    maya.post(
        change_url(section),
        {**mayas_form, "edit_version": "0", "body": "Maya's.", "_save": "Save"},
    )

    response = sam.post(
        change_url(section),
        {**sams_form, "edit_version": "0", "body": "Sam's.", "_save": "Save"},
    )

    assert response.status_code == 200
    assert "Maya saved a newer version" in response.content.decode()
    section.refresh_from_db()
    assert section.body == "Maya's."
