"""A reader on a shared laptop: after signing out, Back shows nothing private."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assessments import services
from guide.models import Strategy
from tests.factories import make_strategy, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Ask Sam for a walk on Sunday"


def test_back_after_signing_out_shows_nothing_private(watched_page, live_server):
    page, base = watched_page, live_server.url
    strategy = make_strategy(slug="calm-breath", title="Calm Breath", path=Strategy.Path.ANXIOUS)
    reader = make_user("shared-laptop")
    saved = services.strategy_save(owner=reader, strategy=strategy)
    services.note_update(saved=saved, note=NOTE)

    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(reader.username)
    page.get_by_label("Password").fill(reader.raw_password)
    page.get_by_role("button", name="Sign in").click()
    page.goto(base + "/me/toolkit/")
    expect(page.locator("main")).to_contain_text(NOTE)

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    page.go_back()

    page.wait_for_load_state()
    assert NOTE not in page.content()
    assert "shared-laptop" not in page.content()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
