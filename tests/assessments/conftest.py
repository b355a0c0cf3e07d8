"""Fixtures for the quiz and the reader's space: a realistic quiz and two readers. The real
SMTP server (``smtp_server``) comes from tests/conftest.py."""

from __future__ import annotations

import pytest

from tests.factories import Quiz, make_quiz, make_user


@pytest.fixture
def quiz(db) -> Quiz:
    return make_quiz()


@pytest.fixture
def reader(db):
    return make_user("reader-one")


@pytest.fixture
def other_reader(db):
    return make_user("reader-two")
