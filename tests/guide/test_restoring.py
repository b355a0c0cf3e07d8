"""A deleted item can be found and brought back whole: its own links, the links other items
had to it, one new version saying so. Items readers' data points to are never deleted."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guide.models import Reference, Reviewer, Section, Sign, Strategy
from tests.factories import make_reference, make_reviewer, make_section, make_sign, make_strategy
from tests.guide.conftest import NOTED, PUBLISH, form_data

pytestmark = pytest.mark.django_db


def deleted_url(model) -> str:
    return reverse(f"admin:guide_{model._meta.model_name}_deleted")


def delete(client, obj):
    url = reverse(f"admin:guide_{obj._meta.model_name}_delete", args=[obj.pk])
    response = client.post(url, {"post": "yes"}, follow=True)
    assert not type(obj).objects.filter(pk=obj.pk).exists()
    return response


def restore(client, model, pk: int, *, expect_saved: bool = True):
    """From "Recently deleted", open the item's last version and press "Revert"."""
    page = client.get(deleted_url(model))
    html = page.content.decode()
    version = model.history.filter(id=pk).exclude(history_type="-").latest()
    link = reverse(f"admin:guide_{model._meta.model_name}_simple_history", args=[pk, version.pk])
    assert f'href="{link}"' in html
    form = client.get(link).context["adminform"].form
    response = client.post(link, {**form_data(form), **NOTED, "_save": "Revert"}, follow=True)
    if expect_saved:
        assert response.redirect_chain, response.context["adminform"].form.errors
    return response


def test_every_list_links_to_its_recently_deleted_items(editor_client):
    for model in (Section, Strategy, Sign, Reference):
        html = editor_client.get(reverse(f"admin:guide_{model._meta.model_name}_changelist"))
        assert f'href="{deleted_url(model)}"' in html.content.decode()


def test_the_deleted_list_shows_what_was_deleted_by_whom_newest_first(editor_client, editor):
    first, second, kept = (
        make_strategy(title="Name it"),
        make_strategy(title="Breathe"),
        (make_strategy(title="Still here")),
    )
    delete(editor_client, first)
    delete(editor_client, second)

    html = editor_client.get(deleted_url(Strategy)).content.decode()

    assert html.index("Breathe") < html.index("Name it")
    assert editor.get_username() in html
    assert kept.title not in html
    history = editor_client.get(reverse("admin:guide_strategy_history", args=[first.pk]))
    assert history.status_code == 200 and "Deleted" in history.content.decode()


def test_the_deleted_list_says_when_nothing_was_deleted(editor_client):
    html = editor_client.get(deleted_url(Sign)).content.decode()

    assert "No signs have been deleted." in html


def test_the_deleted_list_is_for_staff_only(client, reader):
    assert client.get(deleted_url(Strategy)).status_code == 302  # to the admin's sign-in
    client.force_login(reader)
    assert client.get(deleted_url(Strategy)).status_code == 302


def test_a_restored_strategy_is_helped_by_its_signs_again(editor_client, public):
    strategy = make_strategy(slug="self-soothing", title="Self-soothing", body="Breathe out.")
    signs = [make_sign(), make_sign()]
    for sign in signs:
        sign.strategies.add(strategy)
    unrelated = make_sign()
    pk = strategy.pk
    deleted = delete(editor_client, strategy)
    assert "Recently deleted" in deleted.content.decode()
    signs[0].text = "Edited after the strategy went"  # a later edit doesn't lose the link
    signs[0].save()

    response = restore(editor_client, Strategy, pk)

    strategy = Strategy.objects.get(pk=pk)
    assert (strategy.slug, strategy.body) == ("self-soothing", "Breathe out.")
    for sign in signs:
        assert list(Sign.objects.get(pk=sign.pk).strategies.all()) == [strategy]
        assert list(sign.history.latest().strategies.values_list("strategy_id", flat=True)) == [pk]
    assert list(unrelated.strategies.all()) == []
    assert "2 links other items had to it are back." in response.content.decode()
    assert public.get("/strategies/self-soothing/").status_code == 200
    assert strategy.history.latest().history_type == "+"


def test_a_restored_sign_gets_its_strategies_back_in_one_version(editor_client, editor):
    helps = [make_strategy(), make_strategy()]
    sign = make_sign(text="You ask for comfort")
    sign.strategies.set(helps)
    pk = sign.pk
    versions_before = sign.history.count()
    delete(editor_client, sign)

    restore(editor_client, Sign, pk)

    sign = Sign.objects.get(pk=pk)
    assert sign.text == "You ask for comfort"
    assert set(sign.strategies.all()) == set(helps)
    restored = sign.history.latest()
    assert sign.history.count() == versions_before + 2  # the deletion, then the restore
    assert restored.history_user == editor
    assert set(restored.strategies.values_list("strategy_id", flat=True)) == {s.pk for s in helps}


def test_a_restored_reference_is_cited_again_by_its_chapters(editor_client):
    reference = make_reference(title="Attached")
    citing, other = make_section(), make_section()
    citing.references.add(reference)
    pk = reference.pk
    delete(editor_client, reference)
    assert list(citing.references.all()) == []

    restore(editor_client, Reference, pk)

    assert list(Section.objects.get(pk=citing.pk).references.values_list("pk", flat=True)) == [pk]
    assert list(other.references.all()) == []


def test_a_restored_reviewer_is_credited_again_on_the_chapters_they_checked(editor_client, editor):
    reviewer = make_reviewer(name="Dr Ada Reviewer")
    checked = [make_section(reviewer=reviewer), make_section(reviewer=reviewer)]
    reassigned, other = make_section(reviewer=reviewer), make_section()
    pk = reviewer.pk
    delete(editor_client, reviewer)
    assert not Section.objects.filter(reviewer_id=pk).exists()
    # An editor's own choice since the deletion stands.
    someone_else = make_reviewer()
    reassigned.reviewer = someone_else
    reassigned.save()

    response = restore(editor_client, Reviewer, pk)

    for section in checked:
        assert Section.objects.get(pk=section.pk).reviewer_id == pk
        latest = section.history.latest()
        assert (latest.reviewer_id, latest.history_user) == (pk, editor)
    assert Section.objects.get(pk=reassigned.pk).reviewer == someone_else
    assert Section.objects.get(pk=other.pk).reviewer is None
    assert "2 links other items had to it are back." in response.content.decode()


def test_an_item_whose_slug_was_taken_meanwhile_says_so_and_stays_deleted(editor_client):
    strategy = make_strategy(slug="grounding")
    pk = strategy.pk
    delete(editor_client, strategy)
    make_strategy(slug="grounding")

    response = restore(editor_client, Strategy, pk, expect_saved=False)

    assert response.context["adminform"].form.errors["slug"]
    assert not Strategy.objects.filter(pk=pk).exists()


def test_one_save_that_changes_text_and_links_is_one_version(editor_client):
    first, second = make_strategy(), make_strategy()
    sign = make_sign(text="Before")
    sign.strategies.set([first])
    versions = sign.history.count()
    url = reverse("admin:guide_sign_change", args=[sign.pk])
    data = form_data(editor_client.get(url).context["adminform"].form)

    editor_client.post(url, {**data, "text": "After", "strategies": [second.pk], **PUBLISH})

    assert sign.history.count() == versions + 1
    latest = sign.history.latest()
    assert latest.text == "After" and latest.history_type == "~"
    assert list(latest.strategies.values_list("strategy_id", flat=True)) == [second.pk]
