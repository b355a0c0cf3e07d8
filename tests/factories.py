"""Small factories for tests: each makes one valid, published item with overridable fields."""

from __future__ import annotations

from itertools import count

from django.contrib.auth import get_user_model

from guide.models import FAQ, Reference, Section, Sign, Strategy, Therapy

_seq = count(1)


def _n() -> int:
    return next(_seq)


def make_reference(**fields) -> Reference:
    n = _n()
    defaults = {
        "slug": f"ref-{n}",
        "order": n,
        "authors": "Author, A.",
        "year": 2000 + n % 20,
        "title": f"A Book {n}",
        "source": "Publisher",
    }
    return Reference.objects.create(**{**defaults, **fields})


def make_section(**fields) -> Section:
    n = _n()
    defaults = {
        "slug": f"chapter-{n}",
        "order": n,
        "title": f"Chapter {n}",
        "summary": f"What chapter {n} is about.",
        "body": f"Body of chapter {n}.",
    }
    return Section.objects.create(**{**defaults, **fields})


def make_strategy(**fields) -> Strategy:
    n = _n()
    defaults = {
        "slug": f"strategy-{n}",
        "order": n,
        "title": f"Strategy {n}",
        "path": Strategy.Path.ANXIOUS,
        "body": f"How to practise strategy {n}.",
    }
    return Strategy.objects.create(**{**defaults, **fields})


def make_sign(**fields) -> Sign:
    n = _n()
    defaults = {
        "slug": f"sign-{n}",
        "order": n,
        "text": f"You do thing {n}",
        "partner_text": f"They do thing {n}",
        "leaning": Sign.Leaning.BOTH,
    }
    return Sign.objects.create(**{**defaults, **fields})


def make_therapy(**fields) -> Therapy:
    n = _n()
    defaults = {
        "slug": f"therapy-{n}",
        "order": n,
        "name": f"Therapy {n}",
        "developed_by": "Dr. Someone",
        "body": f"About therapy {n}.",
        "best_for": "Anyone",
    }
    return Therapy.objects.create(**{**defaults, **fields})


def make_faq(**fields) -> FAQ:
    n = _n()
    defaults = {
        "slug": f"faq-{n}",
        "order": n,
        "question": f"Question {n}?",
        "answer": f"Answer {n}.",
    }
    return FAQ.objects.create(**{**defaults, **fields})


def make_user(username: str | None = None, password: str = "a-long-passphrase-42", **fields):
    user = get_user_model().objects.create_user(
        username=username or f"reader{_n()}", password=password, **fields
    )
    user.raw_password = password
    return user


def make_editor(username: str | None = None, password: str = "a-long-passphrase-42", **fields):
    """A staff account in the Editors group, made the way `manage.py add_editor` makes one."""
    from guide.editors import editor_create

    user = editor_create(username=username or f"editor{_n()}", password=password, **fields)
    user.raw_password = password
    return user
