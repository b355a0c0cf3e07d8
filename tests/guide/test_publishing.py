"""Draft changes to live content: saved beside the live version, previewed by staff on the real
page, published (links and all, in one transaction, with a note for readers) or discarded;
compared word by word; recorded in the history. Readers never see a draft anywhere."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from guide.drafts import NOTE_REQUIRED, PublishError, draft_for, draft_publish
from guide.models import (
    FAQ,
    DraftEvent,
    Reference,
    Reviewer,
    Section,
    Sign,
    Strategy,
    SupportResource,
    Therapy,
)
from guide.signals import content_published
from tests.factories import (
    make_editor,
    make_faq,
    make_reference,
    make_reviewer,
    make_section,
    make_sign,
    make_strategy,
    make_support_resource,
    make_therapy,
    staff_login,
)
from tests.guide.conftest import form_data

pytestmark = pytest.mark.django_db

OLD, NEW = "The live wording", "The reworked wording"


def live_section() -> tuple[Section, str]:
    return make_section(slug="earned", body=f"{OLD}."), "/guide/earned/"


def live_strategy() -> tuple[Strategy, str]:
    return make_strategy(slug="pause", body=f"{OLD}."), "/strategies/pause/"


def live_sign() -> tuple[Sign, str]:
    make_section(slug="signs", component="signs")
    return make_sign(slug="calm", text=OLD), "/guide/signs/"


def live_therapy() -> tuple[Therapy, str]:
    make_section(slug="therapies", component="therapies")
    return make_therapy(slug="eft", body=f"{OLD}."), "/guide/therapies/"


def live_faq() -> tuple[FAQ, str]:
    make_section(slug="questions", component="faqs")
    return make_faq(slug="why", answer=f"{OLD}."), "/guide/questions/"


def live_reference() -> tuple[Reference, str]:
    make_section(slug="sources", component="references")
    return make_reference(slug="levine", title=OLD), "/guide/sources/"


def live_reviewer() -> tuple[Reviewer, str]:
    reviewer = make_reviewer(slug="kim", name=OLD)
    make_section(slug="reviewed", reviewer=reviewer, last_reviewed="2026-01-05")
    return reviewer, "/guide/reviewed/"


def live_support_resource() -> tuple[SupportResource, str]:
    return make_support_resource(slug="line", region="us", name=OLD), "/support/us/"


# Each type, made live, with the field an editor rewords and the page readers see it on.
TYPES = {
    "section": (live_section, "body"),
    "strategy": (live_strategy, "body"),
    "sign": (live_sign, "text"),
    "therapy": (live_therapy, "body"),
    "faq": (live_faq, "answer"),
    "reference": (live_reference, "title"),
    "reviewer": (live_reviewer, "name"),
    "supportresource": (live_support_resource, "name"),
}


@pytest.fixture(params=TYPES, ids=TYPES)
def live_item(request):
    make, field = TYPES[request.param]
    obj, url = make()
    return obj, url, field


def change_url(obj) -> str:
    return reverse(f"admin:guide_{obj._meta.model_name}_change", args=[obj.pk])


def draft_url(obj) -> str:
    return reverse(f"admin:guide_{obj._meta.model_name}_draft", args=[obj.pk])


def save(client, obj, button: str = "_save_draft", follow: bool = False, **changes):
    """Open the item's form as a browser would, change fields, press ``button``."""
    data = form_data(client.get(change_url(obj)).context["adminform"].form)
    data["edit_version"] = str(draft_for(obj).version if draft_for(obj) else 0)
    return client.post(change_url(obj), {**data, **changes, button: "x"}, follow=follow)


def test_save_draft_keeps_the_change_beside_the_live_version(editor_client, public, live_item):
    obj, url, field = live_item

    response = save(editor_client, obj, **{field: NEW}, follow=True)

    assert "Draft saved. Readers still see the live version." in response.content.decode()
    obj.refresh_from_db()
    assert OLD in getattr(obj, field)
    page = public.get(url).content.decode()
    assert OLD in page and NEW not in page
    # The form opens on the draft, so the editor carries on where they left off.
    form = editor_client.get(change_url(obj)).context["adminform"].form
    assert NEW in form[field].value()


def test_staff_preview_the_draft_on_the_real_page_with_the_banner(
    editor_client, public, reader, live_item
):
    obj, url, field = live_item
    save(editor_client, obj, **{field: NEW})
    preview = f"{url}?preview=draft"

    page = editor_client.get(preview).content.decode()

    assert NEW in page and OLD not in page
    assert "Draft preview, for staff only" in page
    assert f'href="{change_url(obj)}"' in page
    # Without the preview link, staff see what readers see.
    assert OLD in editor_client.get(url).content.decode()
    # The preview link shows readers nothing of it, signed in or not.
    for someone in (public, Client()):
        if someone is not public:
            someone.force_login(reader)
        seen = someone.get(preview).content.decode()
        assert OLD in seen and NEW not in seen and "Draft preview" not in seen


def test_publish_makes_the_draft_live_with_one_version_and_the_note(
    editor_client, public, editor, live_item
):
    obj, url, field = live_item
    save(editor_client, obj, **{field: NEW})
    versions_before = obj.history.count()

    response = editor_client.post(
        draft_url(obj), {"_publish": "x", "change_note": "Clearer wording."}, follow=True
    )

    assert "Published: readers see it now." in response.content.decode()
    page = public.get(url).content.decode()
    assert NEW in page and OLD not in page
    assert obj.history.count() == versions_before + 1
    latest = obj.history.latest()
    assert latest.history_user == editor
    assert latest.history_change_reason == "Published: Clearer wording."
    assert not draft_for(obj).pending
    actions = list(draft_for(obj).events.values_list("action", flat=True))
    assert actions == ["published", "saved"]


def test_discarding_a_draft_leaves_the_live_version_as_it_was(editor_client, public, live_item):
    obj, url, field = live_item
    save(editor_client, obj, **{field: NEW})
    versions_before = obj.history.count()

    response = editor_client.post(draft_url(obj), {"_discard": "x"}, follow=True)

    assert "Draft discarded. The live version was never changed." in response.content.decode()
    assert not draft_for(obj).pending
    assert obj.history.count() == versions_before
    assert OLD in public.get(url).content.decode()
    form = editor_client.get(change_url(obj)).context["adminform"].form
    assert OLD in form[field].value()


def test_publish_from_the_form_goes_live_at_once(editor_client, public):
    section, url = live_section()

    response = save(
        editor_client, section, "_publish", body=f"{NEW}.", change_note="Reworded.", follow=True
    )

    assert "Published: readers see it now." in response.content.decode()
    assert NEW in public.get(url).content.decode()


def test_publishing_needs_a_note_unless_the_edit_is_minor(editor_client, public):
    section, url = live_section()

    response = save(editor_client, section, "_publish", body=f"{NEW}.")

    assert response.status_code == 200
    assert NOTE_REQUIRED in response.content.decode()
    assert OLD in public.get(url).content.decode()
    assert draft_for(section) is None or not draft_for(section).pending

    save(editor_client, section, "_save_draft", body=f"{NEW}.")
    refused = editor_client.post(draft_url(section), {"_publish": "x"}, follow=True)
    assert NOTE_REQUIRED in refused.content.decode()
    assert OLD in public.get(url).content.decode()

    editor_client.post(draft_url(section), {"_publish": "x", "minor_edit": "on"})
    assert NEW in public.get(url).content.decode()


def test_links_are_drafted_and_published_with_the_text(editor_client, public):
    make_section(slug="signs", component="signs")
    sign = make_sign(slug="calm", text=OLD)
    kept, added = make_strategy(title="Kept Strategy"), make_strategy(title="Added Strategy")
    sign.strategies.set([kept])

    save(editor_client, sign, text=NEW, strategies=[str(kept.pk), str(added.pk)])

    assert list(sign.strategies.all()) == [kept]
    assert "Added Strategy" not in public.get("/guide/signs/").content.decode()
    assert "Added Strategy" in editor_client.get("/guide/signs/?preview=draft").content.decode()

    editor_client.post(draft_url(sign), {"_publish": "x", "minor_edit": "on"})

    assert set(sign.strategies.all()) == {kept, added}
    page = public.get("/guide/signs/").content.decode()
    assert NEW in page and "Added Strategy" in page
    # One version for the publish, with its links.
    latest = sign.history.latest()
    assert latest.text == NEW
    assert {link.strategy_id for link in latest.strategies.all()} == {kept.pk, added.pk}


def test_a_publish_that_fails_midway_leaves_the_live_version_whole(editor, monkeypatch):
    section = make_section(body=f"{OLD}.")
    kept, added = make_reference(), make_reference()
    section.references.set([kept])
    client = Client()
    staff_login(client, editor)
    save(client, section, body=f"{NEW}.", references=[str(added.pk)])

    def fail(*args, **kwargs):  # after the fields and links were written
        raise RuntimeError("the database went away")

    monkeypatch.setattr("guide.drafts.history_collapse", fail)
    with pytest.raises(RuntimeError):
        draft_publish(draft_id=draft_for(section).pk, editor=editor, minor_edit=True)

    section.refresh_from_db()
    assert section.body == f"{OLD}."
    assert list(section.references.all()) == [kept]
    assert draft_for(section).pending


def test_publishing_sends_content_published_with_what_changed(editor_client, editor):
    section, _ = live_section()
    received = []

    def receiver(sender, **kwargs):
        received.append({"sender": sender, **kwargs})

    content_published.connect(receiver)
    try:
        save(editor_client, section, title="A new title", body=f"{NEW}.")
        editor_client.post(draft_url(section), {"_publish": "x", "change_note": "New title."})
    finally:
        content_published.disconnect(receiver)

    [sent] = received
    assert sent["sender"] is Section
    assert sent["instance"].pk == section.pk and sent["instance"].title == "A new title"
    assert sent["editor"] == editor
    assert sent["note"] == "New title."
    assert sent["minor_edit"] is False
    assert sent["changed_fields"] == ["body", "title"]


def test_a_slug_taken_since_the_draft_refuses_to_publish_and_changes_nothing(editor_client):
    section, url = live_section()
    save(editor_client, section, slug="new-home", body=f"{NEW}.")
    make_section(slug="new-home")

    response = editor_client.post(draft_url(section), {"_publish": "x", "minor_edit": "on"})

    assert response.status_code == 302
    section.refresh_from_db()
    assert section.slug == "earned" and section.body == f"{OLD}."
    assert draft_for(section).pending
    with pytest.raises(PublishError, match="Not published: Section with this Slug already"):
        draft_publish(draft_id=draft_for(section).pk, editor=None, minor_edit=True)


def test_a_save_that_changes_nothing_keeps_no_draft(editor_client):
    section, _ = live_section()

    response = save(editor_client, section, follow=True)

    assert "Nothing differs from the live version" in response.content.decode()
    assert not draft_for(section).pending


def test_a_hidden_item_is_still_saved_directly(editor_client):
    section = make_section(slug="soon", body=f"{OLD}.", published=False)

    data = form_data(editor_client.get(change_url(section)).context["adminform"].form)
    assert "published" not in data  # unticked
    editor_client.post(change_url(section), {**data, "body": f"{NEW}.", "_save": "Save"})

    section.refresh_from_db()
    assert section.body == f"{NEW}." and not section.published
    assert draft_for(section) is None or not draft_for(section).pending


def test_the_history_records_drafts_and_publishes(editor_client):
    section, _ = live_section()
    save(editor_client, section, body=f"{NEW}.")
    editor_client.post(draft_url(section), {"_publish": "x", "change_note": "Reworded."})

    page = editor_client.get(
        reverse("admin:guide_section_history", args=[section.pk])
    ).content.decode()

    assert "Drafts and publishing" in page
    assert "Draft saved" in page and "Published: Reworded." in page
    assert DraftEvent.objects.filter(draft__object_id=section.pk).count() == 2


# Comparing ---------------------------------------------------------------------------------


def test_compare_shows_every_field_word_by_word_and_as_readers_will_read_it(editor_client):
    section = make_section(title="Earned", body="Security can be **earned** slowly.")
    save(editor_client, section, body="Security can be **earned** at any age.")

    page = editor_client.get(
        reverse("admin:guide_section_draft_compare", args=[section.pk])
    ).content.decode()

    assert "Changed (1)" in page
    assert (
        '<p class="compare-kind">As written:</p><ol class="text-diff"><li class="diff-passage">'
        "… be **earned** <del>slowly</del><ins>at any age</ins>.</li></ol>"
    ) in page
    assert (
        '<p class="compare-kind">As readers will read it:</p><ol class="text-diff">'
        '<li class="diff-passage">Security can be earned <del>slowly</del><ins>at any age</ins>.'
        "</li></ol>"
    ) in page
    # Every other field is listed as unchanged, with its value.
    assert "Unchanged (11)" in page and "<dt>Title</dt><dd>Earned</dd>" in page


def test_any_two_versions_in_the_history_can_be_compared(editor_client):
    section = make_section(body="First wording.")
    save(editor_client, section, "_publish", body="Second wording.", minor_edit="on")
    save(editor_client, section, body="Third wording, a draft.")
    compare = reverse("admin:guide_section_history_compare", args=[section.pk])

    picker = editor_client.get(compare)
    keys = [version.key for version in picker.context["compare_versions"]]
    assert len(keys) == 4  # created, published, and the two drafts saved
    page = editor_client.get(compare, {"from": keys[-1], "to": keys[0]}).content.decode()

    assert "<del>First</del>" in page and "<ins>Third</ins>" in page


# Readers never see a draft ------------------------------------------------------------------


def test_search_and_sitemap_know_only_the_live_version(editor_client, public):
    strategy = make_strategy(slug="pause", title="Pause", body="Breathe before answering.")
    save(editor_client, strategy, slug="renamed-pause", body="Zanzibar marmalade secret.")

    for client in (public, editor_client):
        results = client.get("/search/?q=zanzibar").content.decode()
        assert "renamed-pause" not in results and "Zanzibar" not in results
    assert "Breathe" in public.get("/search/?q=breathe").content.decode()
    sitemap = public.get("/sitemap.xml").content.decode()
    assert "/strategies/pause/" in sitemap and "renamed-pause" not in sitemap
    assert public.get("/strategies/renamed-pause/").status_code == 404


@pytest.mark.parametrize("how", ["by hand", "on schedule"])
def test_a_publish_is_live_at_once_through_the_page_cache(
    settings, editor_client, public, how, django_capture_on_commit_callbacks
):
    from django.core.management import call_command
    from django.utils import timezone

    from guide.models import Draft

    settings.GUIDE_PAGE_CACHE = True
    cache.clear()
    section, url = live_section()
    assert OLD in public.get(url).content.decode()  # now kept whole in the cache
    save(editor_client, section, body=f"{NEW}.")
    assert OLD in public.get(url).content.decode()  # a draft changes no page

    # The publish commits, as it does outside a test: the page cache empties on commit.
    with django_capture_on_commit_callbacks(execute=True):
        if how == "by hand":
            editor_client.post(draft_url(section), {"_publish": "x", "minor_edit": "on"})
        else:
            Draft.objects.filter(pk=draft_for(section).pk).update(
                publish_at=timezone.now(), minor_edit=True
            )
            call_command("publish_scheduled", verbosity=0)

    assert NEW in public.get(url).content.decode()
    cache.clear()


def test_opening_and_drafting_leave_the_page_cache_alone(
    settings, editor_client, public, django_capture_on_commit_callbacks
):
    settings.GUIDE_PAGE_CACHE = True
    cache.clear()
    section, url = live_section()
    public.get(url)
    from guide.page_cache import VERSION_KEY

    version = cache.get(VERSION_KEY)
    assert version is not None  # the page was kept under it
    with django_capture_on_commit_callbacks(execute=True):  # the draft's save commits
        save(editor_client, section, body=f"{NEW}.")

    assert cache.get(VERSION_KEY) == version
    cache.clear()


def test_only_editors_reach_the_draft_pages(client, reader):
    section, _ = live_section()
    other = make_editor()
    staff = Client()
    staff_login(staff, other)
    save(staff, section, body=f"{NEW}.")
    compare = reverse("admin:guide_section_draft_compare", args=[section.pk])

    for url in (compare, draft_url(section)):
        assert client.get(url).status_code == 302
    client.force_login(reader)
    assert client.post(draft_url(section), {"_publish": "x", "minor_edit": "on"}).status_code == 302
    section.refresh_from_db()
    assert section.body == f"{OLD}."


def test_a_slug_readers_came_to_rely_on_after_the_draft_is_not_published(editor_client):
    from tests.standin_readers.models import ToolkitEntry

    strategy, url = live_strategy()
    save(editor_client, strategy, slug="new-pause", body=f"{NEW}.")
    ToolkitEntry.objects.create(owner=make_editor(), strategy=strategy, note="Mine.")

    response = editor_client.post(draft_url(strategy), {"_publish": "x", "minor_edit": "on"})

    assert response.status_code == 302
    strategy.refresh_from_db()
    assert strategy.slug == "pause" and strategy.body == f"{OLD}."
    assert draft_for(strategy).pending


def test_deleting_an_item_drops_its_draft_so_a_restore_brings_back_the_live_version(
    editor_client,
):
    section, _ = live_section()
    save(editor_client, section, body=f"{NEW}.")
    pk = section.pk

    section.delete()

    assert draft_for(Section(pk=pk)) is None


@pytest.mark.parametrize("drafted", [1, 8])
def test_a_preview_costs_the_same_few_queries_however_many_drafts_it_shows(editor_client, drafted):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_section(slug="questions", component="faqs")
    faqs = [make_faq(answer=f"{OLD} {n}.") for n in range(8)]
    for faq in faqs[:drafted]:
        save(editor_client, faq, answer=f"{NEW} {faq.pk}.")

    editor_client.get("/guide/questions/?preview=draft")  # content types, cached for good
    with CaptureQueriesContext(connection) as plain:
        editor_client.get("/guide/questions/")
    with CaptureQueriesContext(connection) as preview:
        page = editor_client.get("/guide/questions/?preview=draft").content.decode()

    assert page.count(NEW) == drafted
    # One query more: the pending drafts, read once for the whole page.
    assert len(preview) == len(plain) + 1
