"""Fixtures for the quiz and the reader's space: a realistic quiz, two readers."""

from __future__ import annotations

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
