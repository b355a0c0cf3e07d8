"""Deleting a sign or strategy that readers' data points to in any way: refused with a clear
message (unpublish instead), nothing lost, and no reader named. Readers' data here is
tests/standin_readers, standing in for the quiz's."""

from __future__ import annotations

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from guide import admin as guide_admin
from guide.models import Sign, Strategy
from guide.references_from_readers import reader_references
from tests.factories import make_sign, make_strategy, make_user
from tests.standin_readers.models import AnswerRecord, Bookmark, Pin, ToolkitEntry

pytestmark = pytest.mark.django_db

PRIVATE_NOTE = "my private note about my mother"


@pytest.fixture
def reader_alice(db):
    return make_user("alice_reader")


def delete_url(obj) -> str:
    return reverse(f"admin:guide_{obj._meta.model_name}_delete", args=[obj.pk])


def assert_no_reader_named(html: str, reader) -> None:
    assert reader.get_username() not in html
    assert PRIVATE_NOTE not in html


def test_a_strategy_in_readers_toolkits_is_not_deleted(editor_client, reader_alice):
    strategy = make_strategy(title="Self-soothing")
    for _ in range(3):
        ToolkitEntry.objects.create(owner=reader_alice, strategy=strategy, note=PRIVATE_NOTE)

    page = editor_client.get(delete_url(strategy))
    html = page.content.decode()
    assert "can’t be deleted" in html
    assert "3 toolkit entries in readers’ accounts point to this strategy." in html
    assert "Unpublish it instead" in html
    assert 'value="Yes, I’m sure"' not in html
    assert_no_reader_named(html, reader_alice)

    response = editor_client.post(delete_url(strategy), {"post": "yes"})

    assert response.status_code == 200
    assert Strategy.objects.filter(pk=strategy.pk).exists()
    assert ToolkitEntry.objects.filter(strategy=strategy).count() == 3


def test_a_strategy_protected_by_the_database_gets_the_same_clear_message(
    editor_client, reader_alice
):
    strategy = make_strategy()
    Pin.objects.create(owner=reader_alice, strategy=strategy)

    html = editor_client.get(delete_url(strategy)).content.decode()

    assert "1 pin in readers’ accounts points to this strategy." in html
    assert "protected related objects" not in html
    assert_no_reader_named(html, reader_alice)
    editor_client.post(delete_url(strategy), {"post": "yes"})
    assert Strategy.objects.filter(pk=strategy.pk).exists()


def test_a_strategy_readers_bookmarked_is_not_deleted(editor_client, reader_alice):
    strategy = make_strategy()
    Bookmark.objects.create(owner=reader_alice).strategies.add(strategy)

    editor_client.post(delete_url(strategy), {"post": "yes"})

    assert Strategy.objects.filter(pk=strategy.pk).exists()


def test_a_sign_readers_answered_is_not_deleted_and_their_answers_stay_linked(
    editor_client, reader_alice
):
    # Deleting would only unlink the answers (they keep the wording), but that link is what
    # lets a result show the sign's guide entry: a sign is retired by unpublishing it.
    sign = make_sign(text="You ask for what you need")
    answer = AnswerRecord.objects.create(
        owner=reader_alice, sign=sign, sign_text=sign.text, rating=4
    )

    html = editor_client.get(delete_url(sign)).content.decode()
    assert "can’t be deleted" in html
    assert "1 answer record in readers’ accounts points to this sign." in html
    assert "Unpublish it instead" in html
    assert_no_reader_named(html, reader_alice)

    response = editor_client.post(delete_url(sign), {"post": "yes"})

    assert response.status_code == 200
    assert Sign.objects.filter(pk=sign.pk).exists()
    answer.refresh_from_db()
    assert answer.sign == sign


def test_answers_arriving_after_the_confirmation_still_stop_the_deletion(
    editor_client, reader_alice, monkeypatch
):
    sign = make_sign()
    AnswerRecord.objects.create(owner=reader_alice, sign=sign, sign_text=sign.text, rating=2)
    # As if the answer was saved between the confirmation page and the click.
    monkeypatch.setattr(
        guide_admin.ContentAdmin, "get_deleted_objects", lambda *args: ([], {}, set(), [])
    )

    response = editor_client.post(delete_url(sign), {"post": "yes"}, follow=True)

    assert Sign.objects.filter(pk=sign.pk).exists()
    assert "Not deleted: readers’ data now points to it." in response.content.decode()


def test_content_no_reader_uses_is_deleted_normally(editor_client):
    strategy = make_strategy()
    sign = make_sign()
    sign.strategies.add(strategy)

    response = editor_client.post(delete_url(strategy), {"post": "yes"})

    assert response.status_code == 302
    assert not Strategy.objects.filter(pk=strategy.pk).exists()
    assert list(sign.strategies.all()) == []


def test_deleting_several_from_the_list_is_refused_when_readers_use_one(
    editor_client, reader_alice
):
    used, unused = make_strategy(), make_strategy()
    ToolkitEntry.objects.create(owner=reader_alice, strategy=used, note=PRIVATE_NOTE)
    data = {"action": "delete_selected", ACTION_CHECKBOX_NAME: [used.pk, unused.pk]}
    changelist = reverse("admin:guide_strategy_changelist")

    page = editor_client.post(changelist, data)
    html = page.content.decode()
    assert "can’t be deleted" in html and "1 toolkit entry in readers’ accounts" in html
    assert_no_reader_named(html, reader_alice)

    editor_client.post(changelist, {**data, "post": "yes"})
    assert Strategy.objects.filter(pk__in=[used.pk, unused.pk]).count() == 2


def test_readers_data_arriving_after_the_confirmation_still_stops_the_deletion(
    editor_client, reader_alice, monkeypatch
):
    strategy = make_strategy()
    Pin.objects.create(owner=reader_alice, strategy=strategy)
    # As if the pin was made between the confirmation page and the click.
    monkeypatch.setattr(
        guide_admin.ContentAdmin, "get_deleted_objects", lambda *args: ([], {}, set(), [])
    )

    response = editor_client.post(delete_url(strategy), {"post": "yes"}, follow=True)

    assert Strategy.objects.filter(pk=strategy.pk).exists()
    assert "Not deleted: readers’ data now points to it." in response.content.decode()


def test_protection_reader_references_misses_still_names_no_one(
    editor_client, reader_alice, monkeypatch
):
    strategy = make_strategy()
    Pin.objects.create(owner=reader_alice, strategy=strategy)
    monkeypatch.setattr(guide_admin, "reader_references", lambda obj: [])

    html = editor_client.get(delete_url(strategy)).content.decode()

    assert "Other data the site keeps points to it and is protected." in html
    assert_no_reader_named(html, reader_alice)


def test_reader_references_count_other_apps_rows_only(reader_alice):
    strategy = make_strategy()
    make_sign().strategies.add(strategy)  # the guide's own link: not readers' data
    ToolkitEntry.objects.create(owner=reader_alice, strategy=strategy)
    ToolkitEntry.objects.create(owner=reader_alice, strategy=strategy)
    Pin.objects.create(owner=reader_alice, strategy=strategy)

    found = {ref.model: (ref.count, ref.unlinks) for ref in reader_references(strategy)}

    assert found == {ToolkitEntry: (2, False), Pin: (1, False)}
    sign = make_sign()
    AnswerRecord.objects.create(owner=reader_alice, sign=sign, sign_text="x", rating=1)
    assert [(ref.model, ref.unlinks) for ref in reader_references(sign)] == [(AnswerRecord, True)]
    assert reader_references(make_strategy()) == []


def test_the_confirmation_names_the_links_that_go_in_words(editor_client):
    strategy = make_strategy(title="Self-soothing")
    make_sign(text="You calm yourself").strategies.add(strategy)

    html = editor_client.get(delete_url(strategy)).content.decode()

    assert "sign “You calm yourself” → strategy “Self-soothing”" in html
    assert "object (" not in html
