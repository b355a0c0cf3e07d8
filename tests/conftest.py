"""Shared fixtures: content factories, the browser harness (Chromium + axe)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in the test thread; ORM calls beside it are fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    if not Path(CHROMIUM).exists() and not shutil.which(CHROMIUM):
        # Never a skip: browser tests are part of the suite, in CI and locally alike.
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it (apt-get install chromium) "
            "or point CHROMIUM_PATH at it.",
            pytrace=False,
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            *browser_type_launch_args.get("args", []),
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's superuser client, signed in as the admin requires: with a second factor."""
    from django.test import Client

    from tests.factories import staff_login

    client = Client()
    staff_login(client, admin_user)
    return client


class PageWatch:
    """Collects console errors and requests to other origins while a page is used."""

    def __init__(self) -> None:
        self.console_errors: list[str] = []
        self.foreign_requests: list[str] = []

    def on_console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def on_request(self, request) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in {"data", "blob", "about"}:
            return
        if parts.hostname not in LOCAL_HOSTS:
            self.foreign_requests.append(request.url)

    def assert_clean(self) -> None:
        assert self.foreign_requests == [], f"requests left this machine: {self.foreign_requests}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"


@pytest.fixture
def watched_page(page, live_server) -> Iterator:
    """A Playwright page that fails the test on console errors or third-party requests."""
    watch = PageWatch()
    page.on("console", watch.on_console)
    page.on("pageerror", lambda error: watch.console_errors.append(str(error)))
    page.on("request", watch.on_request)
    page.watch = watch
    yield page
    watch.assert_clean()


def admin_sign_in(page, base: str, user) -> None:
    """Sign a staff account in through the admin's own form: password and a code from its
    authenticator app (made if the account has none)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from playwright.sync_api import expect

    from tests.factories import make_second_factor, totp_code

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = device or make_second_factor(user)
    page.goto(base + "/admin/")
    page.get_by_label("Username").fill(user.get_username())
    page.get_by_label("Password").fill(user.raw_password)
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Guide content")).to_be_visible()


def assert_accessible(page) -> None:
    """Run axe-core (WCAG 2.2 AA plus best practices) on the page; fail on any violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, results.generate_report()
