"""A reader's journey through the guide in a real Chromium, with axe on every page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from guide.models import Section, Strategy
from tests.conftest import assert_accessible

pytestmark = pytest.mark.browser


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
    expect(page.get_by_text("Last reviewed November 27, 2026")).to_be_visible()
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

    sources = page.get_by_role("region", name="Sources")
    sources.get_by_role("link", name="Levine, A., & Heller, R. (2010)").click()
    expect(page).to_have_url(re.compile(r"/guide/references/#levine-heller-2010$"))
    target = page.locator(":target")
    expect(target).to_have_id("levine-heller-2010")
    expect(target).to_contain_text(
        "Levine, A., & Heller, R. (2010). Attached: The New Science of Adult Attachment. "
        "Penguin Books."
    )
    expect(target.get_by_role("link", name="From Anxious to Secure")).to_be_visible()
    expect(target).to_be_in_viewport()
    assert_accessible(page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_guide_page_passes_axe_and_fits_a_phone(
    watched_page, live_server, loaded_guide, scheme
):
    page = watched_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.emulate_media(color_scheme=scheme)
    urls = ["/", "/search/?q=repair", "/search/?q=a", "/strategies/the-immediate-apology/"]
    urls += ["/search/?q=" + "x" * 150, "/search/?q=" + "x" * 1000]
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


def test_a_malformed_link_to_a_question_is_ignored_without_an_error(
    watched_page, live_server, loaded_guide
):
    page = watched_page

    page.goto(live_server.url + "/guide/frequently-asked-questions/#%E0%A4%A")

    expect(page.get_by_role("heading", level=1)).to_have_text("Frequently Asked Questions")
    page.evaluate("window.location.hash = '#without-therapy%'")
    page.evaluate("window.location.hash = '#jealous-or-anxious'")
    expect(page.locator("#jealous-or-anxious")).to_have_attribute("open", "")
    # watched_page fails the test on any script error


def test_headings_are_named_by_their_titles_and_permalinks_by_where_they_point(
    watched_page, live_server, loaded_guide
):
    page = watched_page
    page.goto(live_server.url + "/guide/from-anxious-to-secure/")

    expect(
        page.get_by_role("heading", name="1. Build Emotional Awareness", exact=True)
    ).to_be_visible()
    permalink = page.get_by_role(
        "link", name="Link to this section: 1. Build Emotional Awareness", exact=True
    )
    expect(permalink).to_have_attribute("href", "#build-emotional-awareness")
    box = permalink.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44


def test_decorations_are_not_read_aloud(watched_page, live_server, loaded_guide):
    page = watched_page
    page.goto(live_server.url + "/guide/signs-of-secure-attachment/")
    sign = page.locator("#clear-boundaries").aria_snapshot()
    page.goto(live_server.url + "/guide/earned-security/")
    quote = page.locator(".chapter-body > blockquote").aria_snapshot()
    page.goto(live_server.url + "/guide/frequently-asked-questions/")
    question = page.locator("#without-therapy summary").aria_snapshot()

    assert "You set clear boundaries while respecting those of others" in sign
    assert "✓" not in sign
    assert "This is the most hopeful finding" in quote and "“This" not in quote
    assert "Can you become secure without therapy?" in question
    assert "+" not in question and "−" not in question


# Links that stand alone (the only thing in their line), and the controls readers aim for.
STANDALONE_LINKS = """
[...document.querySelectorAll("main a, main button, main summary")]
  .filter(el => el.offsetParent !== null)
  .filter(el => el.matches(".anchor, .more-link, .button, button, summary")
    || el.parentElement.textContent.trim() === el.textContent.trim())
  .map(el => ({
    text: el.textContent.trim().slice(0, 40),
    height: el.getBoundingClientRect().height,
  }))
"""


def test_standalone_links_and_controls_are_at_least_44px_tall(
    watched_page, live_server, loaded_guide
):
    page = watched_page
    page.set_viewport_size({"width": 390, "height": 844})
    urls = ["/", "/search/?q=repair", "/strategies/physiological-sigh/"]
    urls += [
        section.get_absolute_url()
        for section in Section.objects.exclude(component=Section.Component.INTRO)
    ]

    small = []
    for url in urls:
        page.goto(live_server.url + url)
        small += [
            (url, target["text"], round(target["height"], 1))
            for target in page.evaluate(STANDALONE_LINKS)
            if target["height"] < 44
        ]

    assert small == [], "\n".join(map(str, small))


def test_a_printed_chapter_shows_full_addresses_and_no_navigation(
    watched_page, live_server, loaded_guide
):
    section = Section.objects.get(slug="earned-security")
    section.body += "\n\nSee also [the signs](/guide/signs-of-secure-attachment/)."
    section.save()
    page = watched_page
    page.goto(live_server.url + "/guide/signs-of-secure-attachment/")
    page.emulate_media(media="print")

    helping = page.locator(".sign-help a").first
    after = helping.evaluate("link => getComputedStyle(link, '::after').content")
    assert after == f'" ({live_server.url}{helping.get_attribute("href")})"'
    eyebrow = page.locator(".eyebrow").evaluate("element => element.innerText")
    assert re.fullmatch(r"\s*chapter 3 of 10\s*", eyebrow, re.IGNORECASE), eyebrow
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("navigation", name="On this page")).to_be_hidden()

    # A link an editor wrote in the text gets its full address when the reader prints.
    page.goto(live_server.url + "/guide/earned-security/")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    written = page.get_by_role("link", name="the signs")
    after = written.evaluate("link => getComputedStyle(link, '::after').content")
    assert after == f'" ({live_server.url}/guide/signs-of-secure-attachment/)"'
