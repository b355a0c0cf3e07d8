"""A small, realistic quiz: 15 signs across both leanings, their strategies and chapters."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from guide.models import Section, Sign, Strategy
from tests.factories import make_faq, make_section, make_sign, make_strategy, make_user

LEANINGS = [Sign.Leaning.ANXIOUS] * 5 + [Sign.Leaning.AVOIDANT] * 5 + [Sign.Leaning.BOTH] * 5


@dataclass
class Quiz:
    signs: list[Sign]
    strategies: list[Strategy]
    chapters: dict[str, Section]

    def post_data(self, values, *, key, subject="self") -> dict:
        """A complete, valid quiz post; ``values`` is one int per sign, or one for all."""
        if isinstance(values, int):
            values = [values] * len(self.signs)
        data = {"key": str(key), "subject": subject}
        for sign, value in zip(self.signs, values, strict=True):
            data[f"sign-{sign.slug}"] = str(value)
        return data


@pytest.fixture
def quiz(db) -> Quiz:
    chapters = {
        component: make_section(slug=f"chapter-{component}", component=component)
        for component in (
            Section.Component.SIGNS,
            Section.Component.ANXIOUS,
            Section.Component.AVOIDANT,
            Section.Component.THERAPIES,
            Section.Component.REPAIR,
            Section.Component.FAQS,
        )
    }
    strategies = [
        make_strategy(slug="calm-breath", title="Calm Breath", path=Strategy.Path.ANXIOUS),
        make_strategy(slug="wait-ten", title="Wait Ten Minutes", path=Strategy.Path.ANXIOUS),
        make_strategy(slug="small-reach", title="Small Reach", path=Strategy.Path.AVOIDANT),
        make_strategy(slug="body-scan", title="Body Scan", path=Strategy.Path.AVOIDANT),
        make_strategy(slug="quick-apology", title="Quick Apology", path=Strategy.Path.REPAIR),
    ]
    signs = []
    for position, leaning in enumerate(LEANINGS, start=1):
        sign = make_sign(
            slug=f"sign-{position:02d}",
            order=position,
            text=f"You show sign number {position}",
            partner_text=f"They show sign number {position}",
            leaning=leaning,
        )
        if leaning == Sign.Leaning.ANXIOUS:
            sign.strategies.set(strategies[0:2])
        elif leaning == Sign.Leaning.AVOIDANT:
            sign.strategies.set(strategies[2:4])
        else:
            sign.strategies.set([strategies[0], strategies[2], strategies[4]])
        signs.append(sign)
    make_faq(
        slug="secure-partner",
        question="How can I tell if a potential partner is securely attached?",
    )
    return Quiz(signs=signs, strategies=strategies, chapters=chapters)


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
