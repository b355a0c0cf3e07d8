"""Our headers in a real Chromium: no feature in Permissions-Policy is unknown to it, and the
strict policy breaks nothing on the site or in the admin (no console error)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.conftest import admin_sign_in
from tests.factories import make_editor, make_section

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_chromium_knows_every_feature_we_turn_off(watched_page, live_server):
    page = watched_page
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    make_section(slug="chapter", title="A chapter")

    page.goto(live_server.url + "/guide/chapter/")
    expect(page.get_by_role("heading", level=1)).to_have_text("A chapter")
    page.goto(live_server.url + "/quiz/")

    assert not [m for m in messages if "Unrecognized feature" in m or "Permissions-Policy" in m]
    # watched_page fails the test on any console error, CSP violations included.


def test_the_admin_works_under_the_policy(watched_page, live_server):
    page = watched_page
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    admin_sign_in(page, live_server.url, make_editor())

    page.goto(live_server.url + "/admin/guide/section/add/")
    page.locator("#id_body").fill("Some **bold** words.")
    expect(page.locator(".field-body .markdownx-preview strong")).to_have_text("bold")
    assert not [m for m in messages if "Unrecognized feature" in m]
