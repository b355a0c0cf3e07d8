"""How a chapter shows the typed items its ``component`` names, in one table.

A chapter is its markdown body, then its items (signs, strategies, therapies,
questions or references), then its closing text. Each kind of item says here how it
is fetched, which template lists it, what it adds to the page's contents and to its
reading time, and which of its fields is markdown. Views and templates ask this
table; nothing else branches on the component.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Prefetch
from django.utils.safestring import SafeString

from guide.compiled import VALUE, compiled
from guide.models import (
    FAQ,
    Chapters,
    Reference,
    Section,
    Sign,
    Strategy,
    Therapy,
    sees_drafts,
)
from guide.stored_html import html

Component = Section.Component


@dataclass(frozen=True)
class Kind:
    """One kind of typed item as a chapter shows it."""

    template: str
    model: type
    fetch: Callable[..., list]  # (user, component) -> the items, relations prefetched
    contents: Callable[[list], list[dict]]  # the page's contents entries for the items
    text: Callable[..., str]  # what a reader reads of one item, for the reading time
    markdown: str = ""  # the item's markdown field, rendered with the page's heading ids
    heading_level: int = 2
    numbered: bool = False


def _signs(user, component: str) -> list[Sign]:
    """The signs, each with the strategies that help it grow (``sign.strategies.all``, as
    a prefetch leaves them, so a draft's links can stand in for them). Two queries."""
    drafts = sees_drafts(user)
    signs = _sign_list(drafts).rows()
    helping: dict[int, list[Strategy]] = {}
    for strategy in _helping(drafts).rows():
        helping.setdefault(strategy.sign_id, []).append(strategy)
    strategies = Strategy.objects.none()
    for sign in signs:
        found = strategies._chain()
        found._result_cache, found._prefetch_done = helping.get(sign.pk, []), True
        sign._prefetched_objects_cache = {"strategies": found}
    return signs


# The typed items' lists, compiled once per process (guide.compiled).
@compiled
def _sign_list(drafts: bool):
    return Sign.objects.shown(drafts=drafts)


@compiled
def _helping(drafts: bool):
    """Each (strategy, sign it helps) pair the reader may see, in the strategies' order."""
    pairs = Strategy.objects.shown(drafts=drafts).filter(
        signs__in=Sign.objects.shown(drafts=drafts).values("pk")
    )
    fields = ("id", "slug", "title", "order", "path", "published")
    return pairs.annotate(sign_id=F("signs__id")).only(*fields)


@compiled
def _strategy_list(drafts: bool):
    return Strategy.objects.shown(drafts=drafts).filter(path=VALUE)


@compiled
def _therapy_list(drafts: bool):
    return Therapy.objects.shown(drafts=drafts)


@compiled
def _faq_list(drafts: bool):
    return FAQ.objects.shown(drafts=drafts)


def _strategies(user, component: str) -> list[Strategy]:
    return _strategy_list(sees_drafts(user)).rows(component)


def _therapies(user, component: str) -> list[Therapy]:
    return _therapy_list(sees_drafts(user)).rows()


def _faqs(user, component: str) -> list[FAQ]:
    return _faq_list(sees_drafts(user)).rows()


def _references(user, component: str) -> list[Reference]:
    citing = (
        Section.objects.visible_to(user).exclude(component=Component.INTRO).only(*Chapters.FIELDS)
    )
    return list(Reference.objects.visible_to(user).prefetch_related(Prefetch("sections", citing)))


def _entries(title: Callable, level: int = 2, numbered: bool = False) -> Callable:
    def contents(items: list) -> list[dict]:
        return [
            {
                "id": item.slug,
                "title": f"{number}. {title(item)}" if numbered else title(item),
                "level": level,
            }
            for number, item in enumerate(items, 1)
        ]

    return contents


def _sign_contents(signs: list[Sign]) -> list[dict]:
    return [
        {"id": "signs-list", "title": f"The {len(signs)} signs", "level": 2},
        {"id": "signs-quiz", "title": "See where you stand", "level": 2},
    ]


def _strategy_kind(level: int, numbered: bool) -> Kind:
    return Kind(
        template="guide/items/strategies.html",
        model=Strategy,
        fetch=_strategies,
        contents=_entries(lambda item: item.title, level, numbered),
        text=lambda item: f"{item.title} {item.body}",
        markdown="body",
        heading_level=level,
        numbered=numbered,
    )


KINDS: dict[str, Kind] = {
    Component.SIGNS: Kind(
        template="guide/items/signs.html",
        model=Sign,
        fetch=_signs,
        contents=_sign_contents,
        text=lambda item: item.text,
    ),
    # Numbered steps, as the seed numbers them.
    Component.ANXIOUS: _strategy_kind(level=2, numbered=True),
    Component.AVOIDANT: _strategy_kind(level=2, numbered=True),
    # Under the body's "Repair After Rupture" heading.
    Component.REPAIR: _strategy_kind(level=3, numbered=False),
    Component.THERAPIES: Kind(
        template="guide/items/therapies.html",
        model=Therapy,
        fetch=_therapies,
        contents=_entries(lambda item: item.name),
        text=lambda item: f"{item.name} {item.body} {item.best_for}",
        markdown="body",
    ),
    Component.FAQS: Kind(
        template="guide/items/faqs.html",
        model=FAQ,
        fetch=_faqs,
        contents=_entries(lambda item: item.question),
        text=lambda item: f"{item.question} {item.answer}",
        markdown="answer",
    ),
    Component.REFERENCES: Kind(
        template="guide/items/references.html",
        model=Reference,
        fetch=_references,
        contents=_entries(lambda item: f"{item.authors} ({item.year})"),
        text=lambda item: "",
    ),
}


def render_chapter(
    section: Section, kind: Kind | None = None, items: list = ()
) -> tuple[SafeString, SafeString]:
    """The chapter's body and closing as HTML, and each item's markdown as ``item.html``.

    Stored HTML where it can be used (:mod:`guide.stored_html`), else rendered in page
    order with one set of ids, so a heading never repeats an id
    the template (``guide.markdown.RESERVED_IDS``), an item's anchor or an earlier
    text already uses.
    """
    ids = {item.slug for item in items}
    body = html(section, "body", ids)
    if kind is not None and kind.markdown:
        for item in items:
            item.html = html(item, kind.markdown, ids)
    closing = html(section, "closing", ids)
    return body, closing


def last_modified(section: Section, items: Iterable, references: Iterable) -> datetime:
    """When a chapter's page last changed: its own text, an item it shows or a source it
    cites, for the chapter's page (JSON-LD, Open Graph). The sitemap applies the same rule
    to aggregate dates (``guide.sitemaps.pages``), without fetching the items."""
    return max(
        [section.updated, *(item.updated for item in items), *(r.updated for r in references)]
    )


def item_texts(kind: Kind | None, items: list) -> list[str]:
    return [kind.text(item) for item in items] if kind else []


def item_contents(kind: Kind | None, items: list) -> list[dict]:
    return kind.contents(items) if kind and items else []
