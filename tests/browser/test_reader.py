"""A reader's journey through the guide in a real Chromium, with axe on every page."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from guide.models import Section, Strategy
from tests.conftest import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def loaded_guide(transactional_db):
    """The real guide, committed so the live server's thread can read it."""
    call_command("load_guide", verbosity=0)


def test_a_reader_goes_from_home_through_chapters_and_search_to_a_reference(
    watched_page, live_server, loaded_guide
):
    page = watched_page
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Secure attachment is a set of skills you can grow"
    )
    assert_accessible(page)

    page.get_by_role("link", name="What Is Secure Attachment?").click()
    expect(page).to_have_url(re.compile(r"/guide/what-is-secure-attachment/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("What Is Secure Attachment?")
    expect(page.get_by_text("Last reviewed 27 November 2026")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="On this page").get_by_role(
        "link", name="Internal Working Models"
    ).click()
    expect(page).to_have_url(re.compile(r"#internal-working-models$"))

    page.get_by_role("navigation", name="Chapters").get_by_role(
        "link", name=re.compile("Next")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Characteristics of Secure Attachment"
    )
    assert_accessible(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    page.get_by_label("Search the guide").fill("physiological sigh")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=physiological\+sigh$"))
    results = page.get_by_role("list", name=re.compile("result"))
    expect(results.locator("mark").first).to_have_text(re.compile("physiological", re.I))
    assert_accessible(page)

    page.get_by_role("link", name="Master the Physiological Sigh").click()
    expect(page).to_have_url(re.compile(r"/strategies/physiological-sigh/$"))
    expect(page.get_by_text("a double inhale through the nose")).to_be_visible()
    save = page.get_by_role("link", name=re.compile("Sign in to save"))
    expect(save).to_have_attribute("href", "/accounts/login/?next=/strategies/physiological-sigh/")
    assert_accessible(page)

    page.get_by_role("link", name="All references").click()
    expect(page).to_have_url(re.compile(r"/guide/references/$"))
    reference = page.locator("#levine-heller-2010")
    expect(reference).to_contain_text("Levine, A., & Heller, R. (2010).")
    expect(reference.get_by_role("link", name="From Anxious to Secure")).to_be_visible()
    assert_accessible(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_guide_page_passes_axe_and_fits_a_phone(
    watched_page, live_server, loaded_guide, scheme
):
    page = watched_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.emulate_media(color_scheme=scheme)
    urls = ["/", "/search/?q=repair", "/search/?q=a", "/strategies/the-immediate-apology/"]
    urls += [
        section.get_absolute_url()
        for section in Section.objects.exclude(component=Section.Component.INTRO)
    ]
    assert Strategy.objects.filter(slug="the-immediate-apology").exists()

    for url in urls:
        page.goto(live_server.url + url)
        assert page.locator("h1").count() == 1, url
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px on a phone"
        assert_accessible(page)


def test_the_keyboard_reaches_the_text_first_and_focus_is_visible(
    watched_page, live_server, loaded_guide
):
    page = watched_page
    page.goto(live_server.url + "/guide/earned-security/")

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    outline = skip.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"#main$"))
    table = page.get_by_role(
        "table", name="How continuously secure and earned-secure adults compare"
    )
    expect(table.get_by_role("columnheader", name="Earned Secure")).to_be_visible()


def test_a_link_to_a_closed_question_opens_it(watched_page, live_server, loaded_guide):
    page = watched_page
    url = live_server.url + "/guide/frequently-asked-questions/"
    page.goto(url)
    question = page.locator("#without-therapy")
    question.locator("summary").click()
    expect(question).not_to_have_attribute("open", "")

    page.goto(url + "#without-therapy")

    expect(question).to_have_attribute("open", "")
    expect(question.get_by_text("Your brain responds to any repeated experience")).to_be_visible()
