"""Fixtures for the quiz and the reader's space: a realistic quiz, two readers, and a real
SMTP server on loopback."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest

from tests.factories import Quiz, make_quiz, make_user


@pytest.fixture
def quiz(db) -> Quiz:
    return make_quiz()


@pytest.fixture
def fetch_raise(monkeypatch):
    """Every queryset made from here on raises instead of loading a relation lazily."""
    from django.db import models
    from django.db.models import query

    monkeypatch.setattr(query, "DEFAULT_FETCH_MODE", models.FETCH_RAISE)


@pytest.fixture
def reader(db):
    return make_user("reader-one")


@pytest.fixture
def other_reader(db):
    return make_user("reader-two")


@dataclass
class CaughtMail:
    """One message as the SMTP server received it: envelope and parsed headers and body."""

    sender: str
    recipients: list[str]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return self.message["Subject"]

    @property
    def body(self) -> str:
        return self.message.get_body(("plain",)).get_content()


class _Catcher:
    def __init__(self) -> None:
        self.messages: list[CaughtMail] = []

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        parsed = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        self.messages.append(CaughtMail(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback (aiosmtpd), with the site's mailer pointed at it.

    ``smtp_server.messages`` holds what arrived, parsed."""
    from aiosmtpd.controller import Controller

    catcher = _Catcher()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(catcher, hostname="127.0.0.1", port=port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 5},
        }
    }
    try:
        yield catcher
    finally:
        controller.stop()
