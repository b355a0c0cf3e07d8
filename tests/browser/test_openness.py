"""Openness in a real Chromium: the new pages pass axe and fit a phone; "Leave quickly" works
with JavaScript (button or Escape twice, replacing the page in the history) and without it
(a plain link); an editor changes a sign's side, publishes a noted change and adds a help line.

The neutral site is intercepted with ``page.route``: nothing leaves the machine."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from assessments.models import QuizVersion
from guide.changes import record_change
from guide.models import Section, Sign, SupportResource
from tests.browser.test_reader import STANDALONE_LINKS
from tests.conftest import admin_sign_in, assert_accessible
from tests.factories import make_editor, make_quiz, make_user, take_quiz

pytestmark = pytest.mark.browser

NEUTRAL = "https://weather.example/today"
# The vertical middle of the reading time's text and of the reviewer link's text, in the
# chapter's meta line: a text's own rectangle, as a box stretched by flex says nothing.
TEXT_MIDDLES = """meta => [meta.querySelector("span"), meta.querySelector("a")].map(element => {
  const range = document.createRange();
  range.selectNodeContents(element.tagName === "A" ? element : element.firstChild);
  const box = range.getBoundingClientRect();
  return box.top + box.height / 2;
})"""


@pytest.fixture
def neutral_site(settings):
    """LEAVE_QUICKLY_URL pointed at a site the browser tests answer themselves."""
    settings.LEAVE_QUICKLY_URL = NEUTRAL
    served: list[str] = []

    def serve(route):
        served.append(route.request.url)
        route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            body="<!doctype html><html lang='en'><title>Weather</title><h1>Weather</h1></html>",
        )

    return serve, served


def forget_intercepted(page, served: list[str]) -> None:
    """The watch saw the request for the neutral site; page.route answered it, so it never
    left the machine. Anything else foreign still fails the test."""
    assert served, "the neutral site was never requested"
    page.watch.foreign_requests = [u for u in page.watch.foreign_requests if u not in served]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_new_pages_pass_axe_and_fit_a_phone(watched_page, live_server, loaded_guide, scheme):
    record_change(Section.objects.get(slug="earned-security"), note="Added a line on repair.")
    page = watched_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.emulate_media(color_scheme=scheme)

    for url in [
        "/guide/",
        "/guide/earned-security/changes/",
        "/guide/frequently-asked-questions/changes/",
        "/how-we-score/",
        "/support/uk/",
        "/support/us/",
        "/support/elsewhere/",
        "/privacy/",
    ]:
        page.goto(live_server.url + url)
        assert page.locator("h1").count() == 1, url
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px on a phone"
        small = [t["text"] for t in page.evaluate(STANDALONE_LINKS) if t["height"] < 44]
        assert small == [], f"{url}: links under 44px tall: {small}"
        assert_accessible(page)


def test_a_reader_follows_a_chapters_changes_and_breadcrumbs(
    watched_page, live_server, loaded_guide
):
    record_change(Section.objects.get(slug="earned-security"), note="Added a line on repair.")
    page = watched_page
    page.goto(live_server.url + "/guide/earned-security/")
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb")
    link = breadcrumb.get_by_role("link", name="Guide").bounding_box()
    here = breadcrumb.locator("[aria-current=page]").bounding_box()
    # The chapter's name reads on the line of the links before it, not above them.
    assert abs((link["y"] + link["height"] / 2) - (here["y"] + here["height"] / 2)) <= 2
    # So does the reading time beside the reviewer's link (where the text is, not its box).
    minutes, reviewer = page.locator(".chapter-meta").evaluate(TEXT_MIDDLES)
    assert abs(minutes - reviewer) <= 2

    expect(page.get_by_text("Reviewed by Secure Base editorial team")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Updated .*: what changed$")).click()
    expect(page).to_have_url(re.compile(r"/guide/earned-security/changes/$"))
    expect(page.get_by_role("listitem").filter(has_text="Added a line on repair.")).to_be_visible()
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Guide").click()
    expect(page).to_have_url(re.compile(r"/guide/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("The guide")


def test_support_opens_on_the_readers_region_with_the_others_one_press_away(
    browser, live_server, loaded_guide
):
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(live_server.url + "/support/")
    assert page.url == live_server.url + "/support/uk/"
    expect(page.get_by_role("link", name="United Kingdom")).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_role("link", name="116 123")).to_be_visible()

    page.get_by_role("navigation", name="Help lines for").get_by_role(
        "link", name="Australia"
    ).click()
    expect(page).to_have_url(re.compile(r"/support/au/$"))
    expect(page.get_by_role("link", name="13 11 14")).to_be_visible()
    context.close()


def test_leave_quickly_replaces_the_page_so_back_skips_it(
    watched_page, live_server, loaded_guide, neutral_site
):
    serve, served = neutral_site
    page = watched_page
    page.route(NEUTRAL, serve)
    page.goto(live_server.url + "/privacy/")
    page.goto(live_server.url + "/support/uk/")
    expect(page.get_by_text("Or press Escape twice.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Leave quickly").click()

    expect(page).to_have_url(NEUTRAL)
    expect(page.get_by_role("heading", name="Weather")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(live_server.url + "/privacy/")  # earlier pages stay
    forget_intercepted(page, served)


def test_escape_pressed_twice_leaves_a_partner_page(
    watched_page, live_server, transactional_db, neutral_site
):
    make_quiz()
    serve, served = neutral_site
    page = watched_page
    page.route(NEUTRAL, serve)
    page.goto(live_server.url + "/quiz/")
    page.goto(live_server.url + "/quiz/?about=partner")
    expect(page.get_by_role("link", name="Leave quickly")).to_be_visible()

    page.keyboard.press("Escape")
    page.wait_for_timeout(100)
    assert page.url.endswith("/quiz/?about=partner")  # one press is not enough
    page.keyboard.press("Escape")

    expect(page).to_have_url(NEUTRAL)
    page.go_back()
    expect(page).to_have_url(live_server.url + "/quiz/")
    forget_intercepted(page, served)


def test_escape_presses_far_apart_do_not_leave(watched_page, live_server, loaded_guide):
    page = watched_page
    page.goto(live_server.url + "/support/uk/")
    page.keyboard.press("Escape")
    page.wait_for_timeout(1300)
    page.keyboard.press("Escape")
    page.wait_for_timeout(200)
    assert page.url.endswith("/support/uk/")


def test_leave_quickly_is_a_plain_link_without_javascript(
    browser, live_server, loaded_guide, neutral_site
):
    serve, served = neutral_site
    context = browser.new_context(java_script_enabled=False)
    context.route(NEUTRAL, serve)
    page = context.new_page()
    foreign: list[str] = []
    page.on(
        "request",
        lambda request: (
            foreign.append(request.url) if not request.url.startswith(live_server.url) else None
        ),
    )
    page.goto(live_server.url + "/support/uk/")
    expect(page.get_by_text("Or press Escape twice.")).to_be_hidden()

    page.get_by_role("link", name="Leave quickly").click()

    expect(page).to_have_url(NEUTRAL)
    assert foreign == served == [NEUTRAL]  # answered by the route: nothing left the machine
    context.close()


def test_a_partner_result_offers_leave_quickly(
    watched_page, live_server, transactional_db, neutral_site
):
    quiz = make_quiz()
    reader = make_user("partner-reader")
    result = take_quiz(quiz, reader, 2, subject="partner")
    serve, served = neutral_site
    page = watched_page
    page.route(NEUTRAL, serve)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(reader.get_username())
    page.get_by_label("Password").fill(reader.raw_password)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + f"/me/results/{result.pk}/")
    expect(page.get_by_text(f"scored with quiz version {result.version.number}")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Leave quickly").click()

    expect(page).to_have_url(NEUTRAL)
    forget_intercepted(page, served)


def test_an_editor_changes_a_signs_side_publishes_a_noted_change_and_adds_a_help_line(
    watched_page, live_server, loaded_guide
):
    page = watched_page
    base = live_server.url
    sign = Sign.objects.get(slug="no-fear-of-abandonment")
    assert sign.leaning == "anxious"
    admin_sign_in(page, base, make_editor("sam"))

    # A sign moves to the other side: the scoring key follows at once.
    page.goto(base + f"/admin/guide/sign/{sign.pk}/change/")
    page.get_by_label("Leaning").select_option("both")
    page.get_by_label("What changed, for readers").fill("This sign now counts on both sides.")
    page.get_by_role("button", name="Publish", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("Published: readers see it now.")
    page.goto(base + "/how-we-score/")
    row = page.locator(f'tr:has-text("{sign.text}")')
    expect(row.get_by_role("cell", name="Both sides")).to_be_visible()

    # The note is on the chapter that shows signs, and in the feed.
    page.goto(base + "/guide/signs-of-secure-attachment/changes/")
    expect(page.get_by_text("This sign now counts on both sides.")).to_be_visible()
    assert_accessible(page)
    feed = page.request.get(base + "/feed/").text()
    assert "This sign now counts on both sides." in feed

    # A line for Scotland closes its gap on the UK page.
    page.goto(base + "/support/uk/")
    expect(page.get_by_text("Scotland, Wales and Northern Ireland have their own")).to_be_visible()
    page.goto(base + "/admin/guide/supportresource/add/")
    page.get_by_label("Name").fill("A Scottish helpline")
    page.get_by_label("Region").select_option("uk")
    page.get_by_label("Area").fill("Scotland")
    page.get_by_label("Purpose").select_option("domestic-abuse")
    page.get_by_label("Phone").fill("0800 000 0000")
    page.get_by_label("Last checked").fill("2026-11-29")
    page.get_by_label("Published").check()
    page.get_by_label("What changed, for readers").fill("Added a helpline for Scotland.")
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    assert SupportResource.objects.filter(area="Scotland", published=True).exists()
    page.goto(base + "/support/uk/")
    expect(page.get_by_role("heading", name=re.compile("A Scottish helpline"))).to_be_visible()
    expect(page.get_by_text("Wales and Northern Ireland have their own")).to_be_visible()
    assert QuizVersion.objects.count() == 0  # versions are made by results, not by edits
