"""Shared fixtures: the browser harness (Chromium + axe), a real SMTP server and a real task
worker."""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from tests.guide_snapshot import load_guide

# Playwright's sync API runs an event loop in the test thread; ORM calls beside it are fine.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


# Areas of the site, for running one alone: `make test PYTEST_ARGS="-m quiz"`. By file, so a
# new test in these files is marked without anyone remembering to.
AREAS = {
    "quiz": [
        "tests/assessments/test_quiz_views.py",
        "tests/assessments/test_scoring.py",
        "tests/browser/test_quiz_journey.py",
    ],
}


def pytest_collection_modifyitems(config, items) -> None:
    root = Path(config.rootpath)
    for marker, paths in AREAS.items():
        missing = [path for path in paths if not (root / path).exists()]
        if missing:
            raise pytest.UsageError(f"tests/conftest.py AREAS names missing files: {missing}")
        files = {root / path for path in paths}
        for item in items:
            if Path(item.path) in files:
                item.add_marker(getattr(pytest.mark, marker))


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


@pytest.fixture
def fetch_raise(monkeypatch):
    """Every queryset made from here on raises instead of loading a field or relation lazily
    (Django 6.1's FETCH_RAISE), so a page that would make N+1 queries fails its test."""
    from django.db import models
    from django.db.models import query

    monkeypatch.setattr(query, "DEFAULT_FETCH_MODE", models.FETCH_RAISE)


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
def loaded_guide(transactional_db):
    """The real guide, committed so the live server's thread can read it."""
    load_guide()


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

    # A click that navigates returns once the new page commits; check the whole page.
    page.wait_for_load_state()
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


# -- mail and the task queue, for real ------------------------------------------------------------


@dataclass
class CaughtMail:
    """One message as the SMTP server received it: its envelope and the parsed message.
    Headers read as on the message itself (``mail["Subject"]``)."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    def __getitem__(self, header: str) -> str | None:
        return self.message[header]

    def get_content(self) -> str:
        return self.message.get_content()

    @property
    def subject(self) -> str:
        return self.message["Subject"]

    @property
    def body(self) -> str:
        return self.message.get_body(("plain",)).get_content()


@dataclass
class SmtpServer:
    """An SMTP server on the loopback address; ``messages`` holds what it received."""

    host: str
    port: int
    messages: list[CaughtMail] = field(default_factory=list)

    @property
    def recipients(self) -> list[list[str]]:
        return [mail.recipients for mail in self.messages]

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd's handler hook
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append(CaughtMail(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server(settings) -> Iterator[SmtpServer]:
    """A real SMTP server (aiosmtpd), with the site's default mailer pointed at it: mail sent in
    this process, or by the worker ``real_task_queue`` starts, arrives in ``messages``."""
    from aiosmtpd.controller import Controller

    server = SmtpServer(host="127.0.0.1", port=free_port())
    controller = Controller(server, hostname=server.host, port=server.port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": server.host, "port": server.port, "use_tls": False, "timeout": 10},
        }
    }
    yield server
    controller.stop()


@dataclass
class TaskWorker:
    """Runs the real ``manage.py db_worker`` in its own process, on the test database."""

    settings: object

    def env(self) -> dict[str, str]:
        """The environment of a process that works on this test's queue and database."""
        from django.db import connection

        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
            "DATABASE_URL": database_url(connection.settings_dict),
            "TEST_WORKER_MAILERS": json.dumps(self.settings.MAILERS),
        }

    def run(self) -> subprocess.CompletedProcess:
        """Work through every task queued so far (``db_worker --batch``), then return."""
        result = subprocess.run(
            [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay"],
            cwd=self.settings.BASE_DIR,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result


def database_url(database: dict) -> str:
    user, password = quote(database["USER"] or ""), quote(database["PASSWORD"] or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(database["HOST"] or "", safe="")
    port = f":{database['PORT']}" if database["PORT"] else ""
    return f"postgres://{auth}{host}{port}/{database['NAME']}"


@pytest.fixture
def real_task_queue(settings, transactional_db) -> TaskWorker:
    """Tasks go to the database queue (django-tasks-db) instead of running at once, and
    ``.run()`` starts the real worker on them. Needs ``django_db(transaction=True)``, so the
    worker's process sees what the test committed."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    return TaskWorker(settings=settings)
