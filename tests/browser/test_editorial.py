"""Two editors rework a live chapter in real browsers while a reader watches the page: the
draft stays private until a second editor approves it and it is published; a stale save is
refused; every admin page passes axe and fits 1280 px and 390 px without sideways scrolling."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PageWatch, admin_sign_in, assert_accessible
from tests.factories import (
    make_editor,
    make_faq,
    make_reference,
    make_section,
    make_sign,
    make_strategy,
    make_therapy,
)

pytestmark = pytest.mark.browser

OLD = "Security can be **earned**, whatever your start."
NEW = "Security can be **earned** at any age, one repair at a time."


def watched(context):
    page = context.new_page()
    watch = PageWatch()
    page.on("console", watch.on_console)
    page.on("pageerror", lambda error: watch.console_errors.append(str(error)))
    page.on("request", watch.on_request)
    page.watch = watch
    return page


def assert_fits(page) -> None:
    """No sideways scrolling: the document is no wider than the window."""
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"{page.url} is {widths[0]} px wide in {widths[1]} px"


def test_two_editors_rework_a_live_chapter_with_review_while_a_reader_watches(
    browser, live_server, settings
):
    settings.EDITORIAL_REVIEW = True
    base = live_server.url
    section = make_section(slug="earned-security", title="Earned security", body=OLD)
    maya, sam = make_editor("maya"), make_editor("sam")
    maya_context, sam_context, reader_context = (browser.new_context() for _ in range(3))
    author, reviewer, reader = (watched(c) for c in (maya_context, sam_context, reader_context))

    # Maya drafts the rework; readers keep the live chapter.
    admin_sign_in(author, base, maya)
    author.goto(f"{base}/admin/guide/section/{section.pk}/change/")
    assert author.get_by_role("button", name="Publish").count() == 0  # review comes first
    author.locator("#id_body").fill(NEW)
    author.get_by_role("button", name="Save draft").first.click()
    expect(author.locator(".messagelist")).to_contain_text("Draft saved")
    expect(author.locator(".messagelist")).to_contain_text("awaits review")
    expect(author.locator(".draft-panel")).to_contain_text("Awaiting review")
    assert_accessible(author)

    reader.goto(f"{base}/guide/earned-security/")
    expect(reader.locator("article")).to_contain_text("whatever your start")
    expect(reader.locator("article")).not_to_contain_text("at any age")

    # She previews it on the real page, with the banner, and compares it with live.
    author.get_by_role("link", name="Preview the draft on the site").click()
    expect(author.locator("article")).to_contain_text("at any age, one repair at a time.")
    expect(author.locator(".draft-preview")).to_contain_text("Readers still see the live version")
    assert_accessible(author)
    author.go_back()
    author.get_by_role("link", name="Compare the draft with live").click()
    expect(author.locator("#field-body ins").first).to_contain_text("at any age")
    expect(author.get_by_text("As readers will read it:")).to_be_visible()
    assert_accessible(author)
    author.go_back()

    # She cannot approve her own draft.
    assert author.get_by_role("button", name="Approve").count() == 0
    expect(author.locator(".draft-panel")).to_contain_text("another editor approves it")

    # Sam finds it from the admin home, awaiting review, and approves it.
    admin_sign_in(reviewer, base, sam)
    expect(reviewer.locator(".drafts-summary")).to_contain_text("1 draft awaiting review")
    assert_accessible(reviewer)
    reviewer.locator(".drafts-summary").get_by_role("link", name="1 section").click()
    expect(reviewer.locator("#result_list")).to_contain_text("Earned security")
    expect(reviewer.locator("#result_list")).to_contain_text("Draft, awaiting review")
    assert_accessible(reviewer)
    reviewer.get_by_role("link", name="Earned security").click()
    expect(reviewer.locator(".editing-others")).to_contain_text("maya is editing this since")
    reviewer.get_by_label("Review comment (optional):").fill("Warm and accurate.")
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.locator(".messagelist")).to_contain_text("Approved")
    assert_accessible(reviewer)

    # Maya publishes it with a note; the reader sees it on the next request.
    author.reload()
    expect(author.locator(".draft-panel")).to_contain_text("Approved by sam: “Warm and accurate.”")
    author.get_by_label("What changed, for readers").first.fill("Reworded the opening.")
    author.get_by_role("button", name="Publish now").click()
    expect(author.locator(".messagelist")).to_contain_text("Published: readers see it now.")
    reader.reload()
    expect(reader.locator("article")).to_contain_text("at any age, one repair at a time.")

    # The history shows the draft and the publish; any two versions compare.
    author.get_by_role("link", name="History").click()
    expect(author.locator("#change-history")).to_contain_text("Published: Reworded the opening.")
    expect(author.locator("#draft-history")).to_contain_text("Approved")
    assert_accessible(author)
    author.get_by_role("link", name="Compare any two versions, live or draft").click()
    assert_accessible(author)
    author.get_by_role("button", name="Compare").click()
    expect(author.locator(".compare-field").first).to_be_visible()
    assert_accessible(author)

    for page in (author, reviewer, reader):
        page.watch.assert_clean()
    for context in (maya_context, sam_context, reader_context):
        context.close()


def test_a_second_editor_cannot_save_over_a_newer_draft(browser, live_server):
    base = live_server.url
    section = make_section(slug="shared", title="Shared chapter", body=OLD)
    maya, sam = make_editor("maya"), make_editor("sam")
    contexts = [browser.new_context(), browser.new_context()]
    first, second = (watched(c) for c in contexts)
    change = f"{base}/admin/guide/section/{section.pk}/change/"

    admin_sign_in(first, base, maya)
    first.goto(change)
    admin_sign_in(second, base, sam)
    second.goto(change)
    expect(second.locator(".editing-others")).to_contain_text(
        re.compile(r"maya is editing this since \d\d:\d\d")
    )
    assert_accessible(second)

    first.locator("#id_body").fill("Maya's rework.")
    first.get_by_role("button", name="Save draft").first.click()
    expect(first.locator(".messagelist")).to_contain_text("Draft saved")

    second.locator("#id_body").fill("Sam's rework.")
    second.get_by_role("button", name="Save draft").first.click()
    expect(second.locator("ul.errorlist").first).to_contain_text("maya saved a newer version")
    expect(second.locator("#id_body")).to_have_value("Sam's rework.")  # nothing lost
    assert_accessible(second)

    first.reload()
    expect(first.locator("#id_body")).to_have_value("Maya's rework.")
    for page in (first, second):
        page.watch.assert_clean()
    for context in contexts:
        context.close()


@pytest.mark.parametrize("width", [1280, 390])
def test_every_admin_page_an_editor_uses_fits_the_screen(browser, live_server, width):
    base = live_server.url
    section = make_section(slug="long", title="A chapter " * 8, body=OLD, component="signs")
    section.references.add(make_reference())
    items = [make_strategy(), make_sign(), make_therapy(), make_faq(), make_reference()]
    editor = make_editor("maya")
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = watched(context)
    admin_sign_in(page, base, editor)
    page.goto(f"{base}/admin/guide/section/{section.pk}/change/")
    page.locator("#id_body").fill(NEW + " A-very-long-unbroken-word-" * 6)
    page.get_by_role("button", name="Save draft").first.click()
    expect(page.locator(".messagelist")).to_contain_text("Draft saved")

    urls = ["/admin/", f"/admin/guide/section/{section.pk}/change/"]
    for model in ("section", "strategy", "sign", "therapy", "faq", "reference"):
        urls += [f"/admin/guide/{model}/", f"/admin/guide/{model}/add/"]
    for item in items:
        urls.append(f"/admin/guide/{item._meta.model_name}/{item.pk}/change/")
    urls += [
        f"/admin/guide/section/{section.pk}/draft/compare/",
        f"/admin/guide/section/{section.pk}/history/",
        f"/admin/guide/section/{section.pk}/history/compare/",
        "/admin/guide/section/deleted/",
    ]
    for url in urls:
        page.goto(base + url)
        assert_fits(page)
    # The list's action bar stays beside the filter panel, never under it.
    page.goto(f"{base}/admin/guide/section/")
    action = page.get_by_label("Action:").bounding_box()
    panel = page.locator("#changelist-filter").bounding_box()
    if width == 1280:
        assert action["x"] + action["width"] <= panel["x"]
    else:  # stacked on a phone: the bar above the panel, within the screen
        assert action["x"] + action["width"] <= width
    page.get_by_label("Action:").select_option(index=1)
    assert_fits(page)
    page.watch.assert_clean()
    context.close()
