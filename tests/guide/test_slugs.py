"""An item's slug is its address (and its anchor on its chapter's page): editors can't pick
one the pages use for themselves, can't change one readers' data knows it by, and a
chapter or strategy they rename is still found at its old address."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guide.models import FAQ, Strategy
from tests.factories import (
    make_faq,
    make_section,
    make_sign,
    make_strategy,
    make_user,
    staff_login,
)
from tests.guide.conftest import NOTED, PUBLISH, form_data
from tests.standin_readers.models import AnswerRecord, ToolkitEntry

pytestmark = pytest.mark.django_db

PRIVATE_NOTE = "my private note about my father"


def change_url(obj) -> str:
    return reverse(f"admin:guide_{obj._meta.model_name}_change", args=[obj.pk])


def post_form(client, obj, **changes):
    url = change_url(obj)
    data = {**form_data(client.get(url).context["adminform"].form), **changes, **PUBLISH}
    return client.post(url, data)


def slug_errors(response) -> list[str]:
    return response.context["adminform"].form.errors.get("slug", [])


@pytest.mark.parametrize(
    ("make", "slug"),
    [(make_faq, "main"), (make_sign, "signs-list"), (make_strategy, "chapter-title")],
)
def test_a_slug_the_pages_use_for_their_own_parts_is_refused(editor_client, make, slug):
    item = make()
    old_slug = item.slug

    response = post_form(editor_client, item, slug=slug)

    assert slug_errors(response) == [
        f"“{slug}” is a name the site’s pages use for a part of their own, so links to this "
        "item would land there. Choose a different one."
    ]
    item.refresh_from_db()
    assert item.slug == old_slug


def test_a_new_faq_cannot_take_the_skip_links_target(editor_client):
    data = {"question": "Why?", "slug": "main", "answer": "Because.", "order": "1"}

    response = editor_client.post(reverse("admin:guide_faq_add"), {**data, "_save": "Save"})

    assert slug_errors(response)
    assert not FAQ.objects.exists()


def test_a_strategy_readers_saved_keeps_its_slug(editor_client):
    strategy = make_strategy(slug="self-soothing")
    reader = make_user("bob_reader")
    ToolkitEntry.objects.create(owner=reader, strategy=strategy, note=PRIVATE_NOTE)
    ToolkitEntry.objects.create(owner=reader, strategy=strategy)

    response = post_form(editor_client, strategy, slug="soothing-yourself")

    assert slug_errors(response) == [
        "Readers’ own data knows this strategy by its slug (2 toolkit entries), so changing "
        "it would break their links to it. Keep “self-soothing”. To replace the strategy, "
        "add a new one and unpublish this one."
    ]
    html = response.content.decode()
    assert "bob_reader" not in html and PRIVATE_NOTE not in html
    strategy.refresh_from_db()
    assert strategy.slug == "self-soothing"


def test_a_sign_readers_answered_keeps_its_slug_but_its_wording_can_change(editor_client):
    sign = make_sign(slug="ask-for-help", text="You ask for help")
    AnswerRecord.objects.create(owner=make_user(), sign=sign, sign_text=sign.text, rating=3)

    refused = post_form(editor_client, sign, slug="asking-for-help")
    accepted = post_form(editor_client, sign, text="You ask for help when you need it")

    assert "1 answer record" in slug_errors(refused)[0]
    assert accepted.status_code == 302
    sign.refresh_from_db()
    assert (sign.slug, sign.text) == ("ask-for-help", "You ask for help when you need it")


def test_reverting_to_a_version_with_another_slug_is_refused_once_readers_use_it(editor_client):
    strategy = make_strategy(slug="first-name")
    first = strategy.history.earliest()
    strategy.slug = "second-name"
    strategy.save()
    ToolkitEntry.objects.create(owner=make_user(), strategy=strategy)
    url = reverse("admin:guide_strategy_simple_history", args=[strategy.pk, first.pk])
    data = form_data(editor_client.get(url).context["adminform"].form)

    response = editor_client.post(url, {**data, **NOTED, "_save": "Revert"})

    assert "Keep “second-name”" in slug_errors(response)[0]
    strategy.refresh_from_db()
    assert strategy.slug == "second-name"


def test_a_slug_no_reader_uses_can_change(editor_client):
    strategy = make_strategy(slug="old-name")

    response = post_form(editor_client, strategy, slug="new-name")

    assert response.status_code == 302
    assert Strategy.objects.get(pk=strategy.pk).slug == "new-name"


def test_a_renamed_strategy_and_chapter_are_found_at_their_old_addresses(editor_client, public):
    strategy = make_strategy(slug="old-strategy")
    section = make_section(slug="old-chapter")
    post_form(editor_client, strategy, slug="new-strategy")
    post_form(editor_client, section, slug="new-chapter")

    for old, new in [
        ("/strategies/old-strategy/", "/strategies/new-strategy/"),
        ("/guide/old-chapter/", "/guide/new-chapter/"),
    ]:
        response = public.get(old)
        assert response.status_code == 301, old
        assert response["Location"] == new
        assert "must-revalidate" in response["Cache-Control"]  # renaming back stays safe
        assert public.get(new).status_code == 200


def test_an_address_used_twice_leads_to_the_latest_and_a_live_item_wins(public):
    section = make_section(slug="a")
    for slug in ("b", "c"):
        section.slug = slug
        section.save()
    assert public.get("/guide/a/")["Location"] == "/guide/c/"
    assert public.get("/guide/b/")["Location"] == "/guide/c/"

    make_section(slug="a", title="A new chapter at the old address")

    assert public.get("/guide/a/").status_code == 200


def test_a_renamed_draft_is_not_revealed_by_its_old_address(public, client):
    draft = make_strategy(slug="draft-before", published=False)
    draft.slug = "draft-after"
    draft.save()

    assert public.get("/strategies/draft-before/").status_code == 404
    staff_login(client, make_user(is_staff=True))
    assert client.get("/strategies/draft-before/")["Location"] == "/strategies/draft-after/"


def test_an_address_nothing_ever_had_is_still_a_404(public):
    make_section(slug="real")

    assert public.get("/guide/never-was/").status_code == 404
    assert public.get("/strategies/never-was/").status_code == 404
