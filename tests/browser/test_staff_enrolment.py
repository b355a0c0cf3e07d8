"""An editor on a new phone: the enrolment link, the QR code, the first code, recovery codes."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from config import staff
from tests.conftest import assert_accessible
from tests.factories import make_editor, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_enrols_a_new_phone_through_the_link(watched_page, live_server):
    page, base = watched_page, live_server.url
    editor = make_editor("noor")
    link = base + urlsplit(staff.enrolment_url(editor)).path

    page.goto(link)
    expect(page.locator("#content-main")).to_contain_text("staff account noor")
    assert_accessible(page)
    page.get_by_role("button", name="Start").click()

    expect(page.get_by_role("img", name="Scan this code")).to_be_visible()
    assert_accessible(page)
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    page.get_by_label("Your password").fill(editor.raw_password)
    page.get_by_label("The 6-digit code your app shows").fill(totp_code(device))
    page.get_by_role("button", name="Confirm").click()

    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="Go to the admin").click()
    expect(page.get_by_role("heading", name="Guide content")).to_be_visible()

    page.goto(link)  # the same link again: spent
    expect(page.locator(".errornote")).to_contain_text("expired or has already been used")
    page.watch.console_errors[:] = [
        e for e in page.watch.console_errors if "status of 410" not in e
    ]
