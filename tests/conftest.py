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


def assert_accessible(page) -> None:
    """Run axe-core (WCAG 2.2 AA plus best practices) on the page; fail on any violation."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert results.violations_count == 0, results.generate_report()


class LimitsClock:
    """The clock every limit reads (``config.ratelimit.clock``), moved by hand in tests."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(autouse=True)
def limits_clock(monkeypatch) -> Iterator[LimitsClock]:
    """Each test starts with no counts, one second into a clock hour that only it moves, so
    no test ever straddles a limit's window by chance."""
    import time

    from django.core.cache import cache

    from config import ratelimit

    cache.clear()
    clock = LimitsClock((time.time() // 3600) * 3600 + 1)
    monkeypatch.setattr(ratelimit, "clock", clock)
    yield clock
    cache.clear()
