"""The editor's journey in a real browser: sign in, edit a chapter with the live preview, save,
see it on the site, restore the old text from history. No console errors (our CSP holds)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible
from tests.factories import make_editor, make_reference, make_section, make_sign, make_strategy

pytestmark = pytest.mark.browser

OLD = "Security can be **earned**, whatever your start."
NEW = "Security can be **earned** at any age, one repair at a time."


def sign_in(page, base: str, editor) -> None:
    page.goto(base + "/admin/")
    page.get_by_label("Username").fill(editor.get_username())
    page.get_by_label("Password").fill(editor.raw_password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Guide content")).to_be_visible()


def test_an_editor_edits_previews_publishes_and_reverts_a_chapter(watched_page, live_server):
    page = watched_page
    base = live_server.url
    make_section(slug="earned-security", title="Earned security", body=OLD)
    editor = make_editor("maya")

    sign_in(page, base, editor)
    page.get_by_role("link", name="Sections").first.click()
    page.get_by_role("link", name="Earned security").click()

    body = page.locator("#id_body")
    preview = page.locator(".field-body .markdownx-preview")
    expect(preview.locator("strong")).to_have_text("earned")  # the preview renders on load
    body.fill(NEW)
    expect(preview).to_contain_text("at any age, one repair at a time.")
    expect(preview.locator("strong")).to_have_text("earned")

    page.get_by_label("What changed, for readers").fill("Security can be earned at any age.")
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(base + "/guide/earned-security/")
    expect(page.locator("article")).to_contain_text("at any age, one repair at a time.")
    assert page.locator(".draft-banner").count() == 0

    page.goto(base + "/admin/guide/section/")
    page.get_by_role("link", name="Earned security").click()
    page.get_by_role("link", name="History").click()
    expect(page.locator("#change-history")).to_contain_text("maya")
    page.locator("#change-history tbody tr").last.get_by_role("link").click()
    expect(page.locator("#id_body")).to_have_value(OLD)
    page.get_by_label("What changed, for readers").fill("Back to the earlier wording.")
    page.get_by_role("button", name="Revert").first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    page.goto(base + "/guide/earned-security/")
    expect(page.locator("article")).to_contain_text("whatever your start.")
    expect(page.locator("article")).not_to_contain_text("at any age")


def test_a_draft_is_previewed_on_the_real_page_with_a_banner(watched_page, live_server):
    page = watched_page
    make_section(slug="coming-soon", title="Coming soon", body="Not yet.", published=False)
    sign_in(page, live_server.url, make_editor())

    page.goto(live_server.url + "/guide/coming-soon/")

    expect(page.locator(".draft-banner")).to_contain_text("visible to staff only")
    expect(page.get_by_role("link", name="Edit or publish it")).to_be_visible()
    assert page.locator("h1").count() == 1
    assert_accessible(page)


def test_references_are_picked_by_searching_under_our_csp(watched_page, live_server):
    page = watched_page
    make_section(slug="sources", title="Sources", body="Cited.")
    make_reference(authors="Johnson, S.", year=2008, title="Hold Me Tight")
    sign_in(page, live_server.url, make_editor())

    page.goto(live_server.url + "/admin/guide/section/")
    page.get_by_role("link", name="Sources", exact=True).click()
    page.locator(".field-references .select2-selection").click()
    page.locator(".select2-search__field").fill("hold")
    page.get_by_role("option", name=re.compile("Hold Me Tight")).click()
    page.get_by_label("What changed, for readers").fill("Cites Hold Me Tight.")
    page.get_by_role("button", name="Save", exact=True).first.click()

    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")


def test_hostile_markdown_stays_inert_in_the_preview_and_on_the_page(watched_page, live_server):
    from tests.guide.test_markdown_sanitising import HOSTILE

    page = watched_page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    make_section(slug="hostile", title="Hostile", body="Plain.")
    sign_in(page, live_server.url, make_editor())
    page.goto(live_server.url + "/admin/guide/section/")
    page.get_by_role("link", name="Hostile").click()

    # An unclosed <style> or <template> rightly swallows what follows: mark the start instead.
    page.locator("#id_body").fill("\n\n".join(["The corpus begins.", *HOSTILE.values()]))
    preview = page.locator(".field-body .markdownx-preview")
    expect(preview).to_contain_text("The corpus begins.")
    preview.locator("a").first.hover()
    page.get_by_label("Minor edit").check()
    page.get_by_role("button", name="Save", exact=True).first.click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    page.goto(live_server.url + "/guide/hostile/")
    expect(page.locator("article")).to_contain_text("The corpus begins.")
    for link in page.locator("article a").all()[:10]:
        link.hover()

    assert dialogs == []


def test_dropping_an_image_into_the_editor_explains_uploads_are_off(watched_page, live_server):
    page = watched_page
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    make_section(slug="pictures", title="Pictures", body="Words only.")
    sign_in(page, live_server.url, make_editor())
    page.goto(live_server.url + "/admin/guide/section/")
    page.get_by_role("link", name="Pictures").click()

    page.locator("#id_body").evaluate(
        """editor => {
            const transfer = new DataTransfer();
            transfer.items.add(new File(["png"], "photo.png", {type: "image/png"}));
            editor.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
        }"""
    )

    expect(page.locator(".field-body .markdown-note")).to_contain_text("image upload is turned off")
    assert not any("/upload/" in url for url in requests)
    expect(page.locator("#id_body")).to_have_value("Words only.")


def test_the_preview_waits_for_a_pause_in_typing_and_explains_what_saving_would_refuse(
    watched_page, live_server
):
    page = watched_page
    make_section(slug="typing", title="Typing", body="Start.")
    sign_in(page, live_server.url, make_editor())
    page.goto(live_server.url + "/admin/guide/section/")
    page.get_by_role("link", name="Typing").click()
    preview = page.locator(".field-body .markdownx-preview")
    expect(preview).to_contain_text("Start.")
    previews: list[str] = []
    page.on("request", lambda r: previews.append(r.url) if "markdownify" in r.url else None)

    page.locator("#id_body").press("End")
    page.keyboard.type(" One keystroke at a time, quickly.", delay=20)
    expect(preview).to_contain_text("at a time, quickly.")
    page.wait_for_timeout(800)  # longer than the pause the preview waits for

    assert len(previews) == 1  # one request for the whole burst, not one per key
    page.locator("#id_body").fill(">" * 40 + " too deep")
    expect(preview.locator(".preview-problem")).to_contain_text("nested too deeply")


def test_an_editor_deletes_a_strategy_by_mistake_and_restores_it_from_the_list(
    watched_page, live_server
):
    page = watched_page
    strategy = make_strategy(slug="name-it", title="Name it to tame it")
    make_sign(text="You can name what you feel").strategies.add(strategy)
    sign_in(page, live_server.url, make_editor())

    page.goto(live_server.url + f"/admin/guide/strategy/{strategy.pk}/delete/")
    expect(page.locator("#content")).to_contain_text("“You can name what you feel”")
    page.get_by_role("button", name="Yes, I’m sure").click()
    expect(page.locator(".messagelist")).to_contain_text("Recently deleted")

    page.get_by_role("link", name="Recently deleted").click()
    expect(page.locator("#deleted-items")).to_contain_text("Name it to tame it")
    page.get_by_role("link", name="Review and restore").click()
    expect(page.locator("#id_title")).to_have_value("Name it to tame it")
    page.get_by_role("button", name="Revert").first.click()

    expect(page.locator(".messagelist")).to_contain_text("1 link other items had to it is back.")
    page.goto(live_server.url + "/strategies/name-it/")
    expect(page.locator("article")).to_contain_text("You can name what you feel")
