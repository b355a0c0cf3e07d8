"""Bad input in the admin gets a clear message and changes nothing."""

from __future__ import annotations

import itertools

import pytest
from django.conf import settings
from django.urls import reverse

from guide import markdown as markdown_module
from guide import validators
from guide.markdown import MAX_BLOCK_LENGTH, render
from guide.models import MARKDOWN_MAX_LENGTH, Strategy
from tests.factories import make_section, make_strategy
from tests.guide.conftest import NOTED, form_data

pytestmark = pytest.mark.django_db

ADD_STRATEGY = reverse("admin:guide_strategy_add")


def strategy_form(**fields) -> dict:
    return {
        "title": "Name the feeling",
        "slug": "name-the-feeling",
        "path": "anxious",
        "body": "Say it out loud.",
        "order": "1",
        "published": "on",
        **NOTED,
        "_save": "Save",
        **fields,
    }


def errors(response, field: str) -> list[str]:
    return response.context["adminform"].form.errors.get(field, [])


def test_a_clashing_slug_is_refused_in_plain_words(editor_client):
    make_strategy(slug="name-the-feeling")

    response = editor_client.post(ADD_STRATEGY, strategy_form())

    assert response.status_code == 200
    assert errors(response, "slug") == [
        "This slug is already in use: each page needs its own address. Choose a different one."
    ]
    assert Strategy.objects.filter(slug="name-the-feeling").count() == 1


def test_a_malformed_slug_is_refused(editor_client):
    response = editor_client.post(ADD_STRATEGY, strategy_form(slug="not a slug!"))

    assert errors(response, "slug")
    assert not Strategy.objects.exists()


def test_empty_required_fields_are_named_and_nothing_is_saved(editor_client):
    response = editor_client.post(ADD_STRATEGY, strategy_form(title="", body="", path=""))

    for field in ("title", "body", "path"):
        assert errors(response, field) == ["This field is required."], field
    assert not Strategy.objects.exists()


def test_markdown_over_the_limit_is_refused_with_its_length(editor_client):
    strategy = make_strategy(body="Short and true.")
    url = reverse("admin:guide_strategy_change", args=[strategy.pk])
    too_long = ("A sentence of reasonable length. " * 2000)[: MARKDOWN_MAX_LENGTH + 1]
    data = {**form_data(editor_client.get(url).context["adminform"].form), "body": too_long}

    response = editor_client.post(url, {**data, "_save": "Save"})

    assert errors(response, "body") == [
        "This text is 50,001 characters long; the most it can hold is 50,000. "
        "Shorten it, or move part of it to another section."
    ]
    strategy.refresh_from_db()
    assert strategy.body == "Short and true."


def test_the_editor_is_not_cut_short_by_the_browser(editor_client):
    # A maxlength attribute would make a browser drop the end of a long paste silently.
    page = editor_client.get(ADD_STRATEGY).content.decode()

    assert 'name="body"' in page
    assert "maxlength" not in page.split('name="body"')[1].split(">")[0]


def test_one_enormous_paragraph_is_refused(editor_client):
    paragraph = ("word " * MAX_BLOCK_LENGTH)[: MAX_BLOCK_LENGTH + 1]
    response = editor_client.post(ADD_STRATEGY, strategy_form(body=f"Intro.\n\n{paragraph}"))

    assert errors(response, "body") == [
        f"One paragraph, list or table is {MAX_BLOCK_LENGTH + 1:,} characters long; "
        f"the most is {MAX_BLOCK_LENGTH:,}. Break it up with a blank line."
    ]
    assert not Strategy.objects.exists()


TOO_DEEP = "Lists or quotes are nested too deeply to show (the most is 8 levels). Flatten them."


@pytest.mark.parametrize(
    "body",
    [
        "1. " * 1500,  # deeper than Python's stack
        ">" * 3000 + " x",  # 3 KB that rendered 297 quotes inside each other
        "> - " * 5 + "x",  # quotes and lists together
        "<blockquote>" * 9 + "x",  # raw HTML nests too
    ],
)
def test_nesting_too_deep_to_show_is_refused(editor_client, body):
    response = editor_client.post(ADD_STRATEGY, strategy_form(body=body))

    assert errors(response, "body") == [TOO_DEEP]
    assert not Strategy.objects.exists()


def test_ordinary_nesting_is_accepted(editor_client):
    body = "> A quote\n>\n> - with a list\n>     - and a sub-list\n>         1. and steps"

    response = editor_client.post(ADD_STRATEGY, strategy_form(body=body))

    assert response.status_code == 302
    assert Strategy.objects.get().body == body


def test_the_preview_warns_of_nesting_too_deep(editor_client):
    response = editor_client.post(settings.MARKDOWNX_URLS_PATH, {"content": ">" * 3000 + " x"})

    assert response.content.decode() == f'<p class="preview-problem">{TOO_DEEP}</p>'


def test_deep_nesting_already_saved_is_shown_flat_on_the_site(public):
    strategy = make_strategy(slug="deep", body=">" * 3000 + " x")  # saved around the admin

    html = public.get("/strategies/deep/").content.decode()

    assert html.count("<blockquote") == 0
    assert "&gt;&gt;&gt;" in html
    assert render(strategy.body).count("<blockquote") == 0


def test_the_preview_refuses_text_too_slow_to_format(editor_client, monkeypatch):
    # Stands in for a paste that takes seconds to format: every render now counts as too slow.
    monkeypatch.setattr(validators, "RENDER_BUDGET_SECONDS", -1.0)

    response = editor_client.post(settings.MARKDOWNX_URLS_PATH, {"content": "Say it *now*."})

    assert response.content.decode().startswith(
        '<p class="preview-problem">This text takes too long to format'
    )


def test_a_check_gives_up_at_its_deadline_instead_of_formatting_to_the_end(monkeypatch):
    # A loose definition list this long took seconds to format, per keystroke in the preview.
    # A clock that moves a millisecond each time it is read: the budget runs out after 50 reads.
    slow = ("Term\n: definition\n\n" * 3000)[:MARKDOWN_MAX_LENGTH]
    ticks = itertools.count()
    monkeypatch.setattr(markdown_module.time, "perf_counter", lambda: next(ticks) / 1000)

    with pytest.raises(markdown_module.RenderTooSlow):
        markdown_module.trial_render(slow, budget=0.05)

    assert next(ticks) < 100  # stopped near its deadline: thousands of blocks were left
    monkeypatch.undo()
    assert "<dl>" in markdown_module.trial_render(slow, budget=60).html


def test_text_too_slow_to_format_is_refused(editor_client, monkeypatch):
    # Stands in for a paste that takes seconds to format: every render now counts as too slow.
    monkeypatch.setattr(validators, "RENDER_BUDGET_SECONDS", -1.0)

    response = editor_client.post(ADD_STRATEGY, strategy_form())

    assert errors(response, "body")[0].startswith("This text takes too long to format")
    assert not Strategy.objects.exists()


def test_a_long_real_chapter_is_accepted(editor_client):
    paragraph = "Security is built in small, repeated moments of being met. " * 20
    body = "\n\n".join(f"## Part {n}\n\n{paragraph.strip()}" for n in range(35))
    assert len(body) < MARKDOWN_MAX_LENGTH

    response = editor_client.post(ADD_STRATEGY, strategy_form(body=body))

    assert response.status_code == 302
    assert Strategy.objects.get().body == body


def test_the_preview_explains_a_text_too_long_instead_of_rendering_it(editor_client):
    response = editor_client.post(
        settings.MARKDOWNX_URLS_PATH, {"content": "x" * (MARKDOWN_MAX_LENGTH + 1)}
    )

    assert response.status_code == 200
    assert response.content.decode() == (
        '<p class="preview-problem">This text is 50,001 characters long; the most it can hold '
        "is 50,000. Shorten it, or move part of it to another section.</p>"
    )


def test_a_reverted_version_is_checked_like_any_edit(editor_client):
    section = make_section(slug="taken-later")
    first = section.history.earliest()
    section.slug = "renamed"
    section.save()
    make_section(slug="taken-later")
    url = reverse("admin:guide_section_simple_history", args=[section.pk, first.pk])
    data = form_data(editor_client.get(url).context["adminform"].form)

    response = editor_client.post(url, {**data, **NOTED, "_save": "Revert"})

    assert errors(response, "slug")
    section.refresh_from_db()
    assert section.slug == "renamed"


def test_every_text_of_the_real_guide_passes_the_checks(guide):
    from django.apps import apps

    from guide.validators import validate_markdown

    checked = 0
    for model in apps.get_app_config("guide").get_models():
        for field in model._meta.fields:
            if field.get_internal_type() != "TextField" or model.__name__.startswith("Historical"):
                continue
            for text in model.objects.values_list(field.name, flat=True):
                validate_markdown(text)
                checked += 1
    assert checked > 40


def test_an_editor_saves_a_real_chapter_unchanged(guide, editor_client, public):
    from guide.models import Section

    def text_of(url: str) -> str:  # the chapter without its modification time
        return public.get(url).content.decode().split("<h1")[1]

    chapter = Section.objects.exclude(component="intro").exclude(body="").first()
    before = text_of(chapter.get_absolute_url())
    url = reverse("admin:guide_section_change", args=[chapter.pk])
    data = form_data(editor_client.get(url).context["adminform"].form)

    response = editor_client.post(url, {**data, **NOTED, "_save": "Save"})

    assert response.status_code == 302
    assert text_of(chapter.get_absolute_url()) == before
    assert chapter.history.latest().history_type == "~"
