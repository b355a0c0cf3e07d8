"""Markdown is rendered when an item is saved and read from the row after: the same HTML the
renderer gives, re-rendered when the renderer changes, and pages byte for byte unchanged."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection

from guide import markdown, stored_html
from guide.models import FAQ, Section, Strategy, Therapy
from guide.search import search_guide
from tests.factories import make_faq, make_section, make_strategy

pytestmark = pytest.mark.django_db

RENDERED = (Section, Strategy, Therapy, FAQ)


def test_saving_stores_the_html_the_renderer_gives_with_its_version():
    section = make_section(body="## Hello\n\nSome *words*.", closing="> A quote")

    section.refresh_from_db()
    assert section.body_html == markdown.render("## Hello\n\nSome *words*.")
    assert section.closing_html == markdown.render("> A quote")
    assert section.rendered_with == stored_html.RENDERER_VERSION


def test_a_saved_chapter_is_shown_without_running_markdown(client, monkeypatch):
    make_section(slug="stored", body="Already rendered.")

    def refuse(*args, **kwargs):
        raise AssertionError("markdown ran while a page was read")

    monkeypatch.setattr(markdown, "render", refuse)
    page = client.get("/guide/stored/").content.decode()

    assert "<p>Already rendered.</p>" in page


def test_html_from_an_older_renderer_is_never_shown(client):
    make_section(slug="stale", body="Fresh words.")
    Section.objects.filter(slug="stale").update(
        body_html="<p>Old renderer.</p>", rendered_with="an-older-renderer"
    )

    page = client.get("/guide/stale/").content.decode()

    assert "Fresh words." in page
    assert "Old renderer." not in page


def test_migrate_rerenders_what_an_older_renderer_stored():
    make_strategy(slug="older", body="Now *current*.")
    Strategy.objects.filter(slug="older").update(body_html="old", rendered_with="older")

    call_command("migrate", verbosity=0)

    strategy = Strategy.objects.get(slug="older")
    assert strategy.rendered_with == stored_html.RENDERER_VERSION
    assert strategy.body_html == markdown.render("Now *current*.")


def test_a_heading_that_would_repeat_an_items_anchor_is_renumbered_as_before(client):
    make_section(slug="anxious", component="anxious", body="## Calm breath\n\nIntro.")
    make_strategy(slug="calm-breath", title="Calm Breath", path=Strategy.Path.ANXIOUS)

    page = client.get("/guide/anxious/").content.decode()

    assert 'id="calm-breath"' in page  # the strategy's anchor
    assert 'id="calm-breath_1"' in page  # the body's heading, as rendering in place gives


def test_load_guide_stores_every_items_html(guide):
    for model in RENDERED:
        for item in model.objects.all():
            assert item.rendered_with == stored_html.RENDERER_VERSION, item
            for name in model.markdown_fields:
                source = getattr(item, name)
                assert getattr(item, f"{name}_html") == markdown.render(source), (item, name)


def test_every_page_of_the_real_guide_is_what_rendering_in_place_gives(client, guide):
    urls = ["/", *(s.get_absolute_url() for s in Section.objects.all())]
    urls += [s.get_absolute_url() for s in Strategy.objects.all()]
    stored = {url: client.get(url).content for url in urls}

    for model in RENDERED:
        model.objects.update(rendered_with="")  # every text rendered while the page is read
    rendered = {url: client.get(url).content for url in urls}

    for url in urls:
        assert stored[url] == rendered[url], url


def test_the_history_keeps_sources_not_their_html():
    faq = make_faq(answer="An answer.")

    fields = {field.name for field in FAQ.history.model._meta.fields}

    assert "answer" in fields
    assert not fields & {"answer_html", "rendered_with", "search_vector"}
    assert faq.history.count() == 1


def test_searching_finds_words_saved_a_moment_ago():
    strategy = make_strategy(title="Breathing", body="Nothing unusual.")
    strategy.body = "Try a zeppelin visualisation."
    strategy.save()

    results = search_guide("zeppelin", user=_anonymous())

    assert [result.title for result in results] == ["Breathing"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT search_vector::text FROM guide_strategy WHERE id = %s", [strategy.pk]
            )
            assert "zeppelin" in cursor.fetchone()[0]


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def test_the_migration_fills_rows_saved_before_it():
    import importlib
    from pathlib import Path
    from types import SimpleNamespace

    from django.apps import apps

    make_section(slug="before", body="Saved *before* the columns existed.")
    Section.objects.update(body_html="", closing_html="", rendered_with="", search_vector=None)
    name = next(
        Path(__file__).parents[2].glob("guide/migrations/*_stored_html_and_search_vector.py")
    )
    migration = importlib.import_module(f"guide.migrations.{name.stem}")

    migration.fill(apps, SimpleNamespace(connection=connection))

    section = Section.objects.get(slug="before")
    assert section.body_html == markdown.render("Saved *before* the columns existed.")
    assert section.rendered_with == stored_html.RENDERER_VERSION
    if connection.vendor == "postgresql":
        assert Section.objects.filter(slug="before", search_vector="columns").exists()
