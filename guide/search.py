"""Searching the guide: chapters, strategies, therapies and FAQs, best match first.

On PostgreSQL this is full-text search (English stemming, titles weighed above bodies,
``ts_headline`` snippets); elsewhere (the SQLite file ``make run`` falls back to) a plain
case-insensitive match, so search still works without PostgreSQL. Either way a result
links to the exact place: a strategy's page, or the chapter at the item's anchor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Func, Q, TextField, Value
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from guide.markdown import outline, render
from guide.models import FAQ, Section, Strategy, Therapy

MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 200
MAX_RESULTS = 30
CONFIG = "english"
# Markers no guide text contains, swapped for <mark> only after the snippet is escaped.
START, STOP = "\u27e6", "\u27e7"
SNIPPET_WORDS = 24
# Markdown punctuation that would clutter a snippet: headings, quotes, tables, emphasis.
MARKDOWN_NOISE = r"[#>|*_`]+|-{3,}|\[|\]\([^)]*\)"


@dataclass(frozen=True)
class Result:
    kind: str
    title: str
    url: str
    snippet: SafeString
    context: str
    rank: float


def plain(field: str) -> Func:
    """A markdown field without its markup, for indexing and snippets."""
    return Func(
        F(field),
        Value(MARKDOWN_NOISE),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def snippet_html(text: str) -> SafeString:
    """Escape the snippet, then turn the markers into <mark>: no guide text reaches the
    page unescaped, whatever an editor typed."""
    html = escape(" ".join(text.split()))
    return mark_safe(html.replace(START, "<mark>").replace(STOP, "</mark>"))


def search_guide(query: str, *, user) -> list[Result]:
    """The reader-visible items matching ``query``, best first (at most MAX_RESULTS)."""
    chapters = list(Section.objects.visible_to(user).only("id", "slug", "title", "component"))
    if connection.vendor == "postgresql":
        found = _full_text(query, user)
    else:
        found = _plain_match(query, user)
    results = [_result(kind, item, rank, chapters) for kind, item, rank in found]
    results = [result for result in results if result is not None]
    results.sort(key=lambda result: -result.rank)
    return results[:MAX_RESULTS]


def _full_text(query: str, user) -> list[tuple[str, object, float]]:
    search_query = SearchQuery(query, search_type="websearch", config=CONFIG)
    sources = [
        (
            "section",
            Section.objects.visible_to(user),
            SearchVector("title", weight="A", config=CONFIG)
            + SearchVector("summary", weight="B", config=CONFIG)
            + SearchVector(plain("body"), plain("closing"), weight="C", config=CONFIG),
            Concat(plain("body"), Value(" "), plain("closing"), output_field=TextField()),
        ),
        (
            "strategy",
            Strategy.objects.visible_to(user),
            SearchVector("title", weight="A", config=CONFIG)
            + SearchVector(plain("body"), weight="B", config=CONFIG),
            plain("body"),
        ),
        (
            "therapy",
            Therapy.objects.visible_to(user),
            SearchVector("name", "full_name", "abbreviation", weight="A", config=CONFIG)
            + SearchVector("developed_by", "best_for", weight="B", config=CONFIG)
            + SearchVector(plain("body"), weight="B", config=CONFIG),
            Concat(plain("body"), Value(" Best for: "), F("best_for"), output_field=TextField()),
        ),
        (
            "faq",
            FAQ.objects.visible_to(user),
            SearchVector("question", weight="A", config=CONFIG)
            + SearchVector(plain("answer"), weight="B", config=CONFIG),
            plain("answer"),
        ),
    ]
    found = []
    for kind, queryset, vector, text in sources:
        matches = (
            queryset.annotate(
                document=vector,
                rank=SearchRank(vector, search_query),
                headline=SearchHeadline(
                    text,
                    search_query,
                    config=CONFIG,
                    start_sel=START,
                    stop_sel=STOP,
                    max_words=SNIPPET_WORDS,
                    min_words=12,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                ),
            )
            .filter(document=search_query)
            .order_by("-rank", "order")[:MAX_RESULTS]
        )
        found.extend((kind, item, item.rank) for item in matches)
    return found


def _plain_match(query: str, user) -> list[tuple[str, object, float]]:
    """Every word must appear somewhere in the item; a title match ranks first."""
    words = query.split()
    sources = [
        ("section", Section.objects.visible_to(user), ["title"], ["summary", "body", "closing"]),
        ("strategy", Strategy.objects.visible_to(user), ["title"], ["body"]),
        ("therapy", Therapy.objects.visible_to(user), ["name", "full_name"], ["body", "best_for"]),
        ("faq", FAQ.objects.visible_to(user), ["question"], ["answer"]),
    ]
    found = []
    for kind, queryset, titles, texts in sources:
        condition = Q()
        for word in words:
            either = Q()
            for field in [*titles, *texts]:
                either |= Q(**{f"{field}__icontains": word})
            condition &= either
        for item in queryset.filter(condition)[:MAX_RESULTS]:
            title = " ".join(str(getattr(item, field)) for field in titles).lower()
            body = " ".join(str(getattr(item, field)) for field in texts)
            rank = 1.0 if all(word.lower() in title for word in words) else 0.5
            item.headline = _excerpt(re.sub(MARKDOWN_NOISE, " ", body), words)
            found.append((kind, item, rank))
    return found


def _excerpt(text: str, words: list[str]) -> str:
    """About SNIPPET_WORDS words around the first match, the matches marked."""
    tokens = text.split()
    lowered = [token.lower() for token in tokens]
    first = next(
        (i for i, token in enumerate(lowered) if any(w.lower() in token for w in words)), 0
    )
    start = max(0, first - SNIPPET_WORDS // 3)
    chosen = tokens[start : start + SNIPPET_WORDS]
    pattern = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
    marked = [pattern.sub(lambda m: f"{START}{m.group(0)}{STOP}", token) for token in chosen]
    prefix = "… " if start else ""
    suffix = " …" if start + SNIPPET_WORDS < len(tokens) else ""
    return prefix + " ".join(marked) + suffix


def _result(kind: str, item, rank: float, chapters: list[Section]) -> Result | None:
    by_component = {chapter.component: chapter for chapter in chapters}
    snippet = snippet_html(item.headline)
    if kind == "section":
        return Result(
            kind="Chapter",
            title=item.title,
            url=item.get_absolute_url() + _best_anchor(item, item.headline),
            snippet=snippet,
            context="",
            rank=rank,
        )
    if kind == "strategy":
        return Result(
            kind="Strategy",
            title=item.title,
            url=item.get_absolute_url(),
            snippet=snippet,
            context=item.get_path_display(),
            rank=rank,
        )
    component = Section.Component.THERAPIES if kind == "therapy" else Section.Component.FAQS
    chapter = by_component.get(component)
    if chapter is None:  # the chapter that shows these items is a draft: nowhere to link
        return None
    return Result(
        kind="Therapy" if kind == "therapy" else "Question",
        title=item.name if kind == "therapy" else item.question,
        url=f"{chapter.get_absolute_url()}#{item.slug}",
        snippet=snippet,
        context=chapter.title,
        rank=rank,
    )


def _best_anchor(section: Section, headline: str) -> str:
    """The anchor of the subsection where the snippet's first highlighted word occurs."""
    marked = re.search(f"{START}(.+?){STOP}", headline)
    if not marked:
        return ""
    word = marked.group(1).lower()
    chunks = re.split(r"^#{2,4} .*$", section.body, flags=re.MULTILINE)
    headings = outline(render(section.body))
    for index, chunk in enumerate(chunks):
        if word in chunk.lower():
            if index == 0 or index > len(headings):
                return ""
            return f"#{headings[index - 1]['id']}"
    return ""
