"""Searching the guide: chapters, strategies, therapies, questions and signs, best match first.

On PostgreSQL this is full-text search (English stemming, titles weighed above bodies,
``ts_headline`` snippets) over a stored ``search_vector`` column with a GIN index: each item's
vector is computed when it is saved (:func:`index`), so a query reads the index instead of
parsing every text. Elsewhere (the SQLite file ``make run`` falls back to) the column stays
empty and search is a plain case-insensitive match over the same fields, reading every row:
fine for a guide's few hundred items, so search still works without PostgreSQL.
Either way a result links to the exact place: a strategy's page, the chapter at the
item's anchor, or a chapter at the subsection that matched.
"""

from __future__ import annotations

import functools
import html
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import F, Func, Model, Q, TextField, Value
from django.db.models.functions import Concat
from django.http import HttpRequest
from django.utils.html import conditional_escape, escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from guide.compiled import IDS, VALUE, compiled
from guide.components import render_chapter
from guide.models import DERIVED, FAQ, Chapters, Section, Sign, Strategy, Therapy, sees_drafts
from guide.templatetags.print_urls import absolute_url

MIN_QUERY_LENGTH = 2
MAX_QUERY_LENGTH = 200
MAX_RESULTS = 30
CONFIG = "english"
# Markers no guide text contains, swapped for <mark> only after the snippet is escaped.
START, STOP = "\u27e6", "\u27e7"
SNIPPET_WORDS = 24
# Markdown punctuation that would clutter a snippet: headings, quotes, tables, emphasis,
# links, rules, and the markers that start list items ("- ", "1. ").
MARKDOWN_NOISE = r"[#>|*_`]+|-{3,}|\[|\]\([^)]*\)|(^|\n)[ \t]*([-+]|[0-9]+\.)[ \t]+"
MARKDOWN_FIELDS = {"body", "closing", "answer"}
# A heading line, ended with a dash so a snippet does not run it into the next sentence
# ("Repair After Rupture — No couple is…"). The same pattern in PostgreSQL and in Python.
HEADING = r"(^|\n)[ \t]*#{1,6}[ \t]+([^\n]*[^ \t\n#])[ \t#]*(?=\n|$)"
HEADING_END = " \u2014"
# Quotes mark a phrase for PostgreSQL; the plain fallback matches words, so drops them.
QUOTES = re.compile(r"[\"“”„]")


@dataclass(frozen=True)
class Source:
    """One kind of item search looks through: the same fields on PostgreSQL and SQLite."""

    label: str  # what a result says it is
    model: type[Model]
    weights: dict[str, str]  # field -> weight, "A" for titles down to "C"
    title: str  # the field a result is titled by
    snippet: tuple[str, ...] = field(default=())  # the fields its snippet is cut from

    @property
    def title_fields(self) -> list[str]:
        return [name for name, weight in self.weights.items() if weight == "A"]


SOURCES = (
    Source(
        "Chapter",
        Section,
        {"title": "A", "summary": "B", "body": "C", "closing": "C"},
        title="title",
        snippet=("body", "closing"),
    ),
    Source("Strategy", Strategy, {"title": "A", "body": "B"}, title="title", snippet=("body",)),
    Source(
        "Therapy",
        Therapy,
        {
            "name": "A",
            "full_name": "A",
            "abbreviation": "A",
            "developed_by": "B",
            "best_for": "B",
            "body": "B",
        },
        title="name",
        snippet=("body", "best_for"),
    ),
    Source(
        "Question", FAQ, {"question": "A", "answer": "B"}, title="question", snippet=("answer",)
    ),
    Source("Sign of security", Sign, {"text": "A", "partner_text": "C"}, title="text"),
)


@dataclass(frozen=True)
class Result:
    kind: str
    title: str
    url: str
    snippet: SafeString
    context: str
    rank: float


def plain(name: str) -> Func | F:
    """A field as search reads it: markdown without its markup."""
    if name not in MARKDOWN_FIELDS:
        return F(name)
    headings_marked = Func(
        F(name),
        Value(HEADING),
        Value(r"\1\2" + HEADING_END),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )
    return Func(
        headings_marked,
        Value(MARKDOWN_NOISE),
        Value(" "),
        Value("g"),
        function="regexp_replace",
        output_field=TextField(),
    )


def snippet_html(text: str) -> SafeString:
    """Escape the snippet, then turn the markers into <mark>: no guide text reaches the
    page unescaped, whatever an editor typed."""
    escaped = escape(" ".join(text.split()))
    return mark_safe(escaped.replace(START, "<mark>").replace(STOP, "</mark>"))


def results_html(results: list[Result], request: HttpRequest) -> SafeString:
    """The search page's list items, one per result, as ``guide/search.html`` lays them out
    (its indentation included): a page of thirty results spent more on the template's
    tags, lookups and escaping than on finding them. Each link carries its full address for
    the print stylesheet, as ``{% print_url %}`` writes it. Every text is escaped as the
    template escaped it; a test holds the two to the same bytes."""
    items = []
    for result in results:
        kind = html.escape(result.kind)
        if result.context:
            kind += f' <span aria-hidden="true">·</span> {html.escape(result.context)}'
        url = html.escape(result.url)
        snippet = ""
        if result.snippet:  # marked safe by snippet_html, so left as it is, as a template would
            snippet = f'<p class="result-snippet">{conditional_escape(result.snippet)}</p>'
        items.append(
            f"""
            <li class="result">
              <p class="result-kind">{kind}</p>
              <h3 class="result-title"><a href="{url}" data-print-url="{html.escape(absolute_url(request, result.url))}">{html.escape(result.title)}</a></h3>
              {snippet}
            </li>
          """  # noqa: E501
        )
    return mark_safe("".join(items))


def document(source: Source) -> SearchVector:
    """The weighed vector of an item's fields, as it is stored in ``search_vector``."""
    vector = None
    for weight in "ABCD":
        names = [name for name, given in source.weights.items() if given == weight]
        if names:
            part = SearchVector(*map(plain, names), weight=weight, config=CONFIG)
            vector = part if vector is None else vector + part
    return vector


def source_for(model: type[Model]) -> Source | None:
    return next((source for source in SOURCES if source.model is model), None)


def index(sender: type[Model], instance: Model, update_fields=None, **kwargs) -> None:
    """After a save (``post_save``): store the item's vector, on PostgreSQL. One UPDATE that
    fires no signals, so it neither versions the item nor empties the page cache again."""
    source = source_for(sender)
    if source is None or connection.vendor != "postgresql":
        return
    if update_fields is not None and not set(update_fields) & set(source.weights):
        return  # a save that changed no searched field (publishing, say)
    fill_vectors(sender, source, pk=instance.pk)


def fill_vectors(model: type[Model], source: Source, pk: int | None = None) -> int:
    """Store the vector of one row (``pk``) or of every row of ``model``: ``model`` may be
    a migration's historical model."""
    rows = model._base_manager.all() if pk is None else model._base_manager.filter(pk=pk)
    return rows.update(search_vector=document(source))


def search_guide(query: str, *, user) -> list[Result]:
    """The reader-visible items matching ``query``, best first (at most MAX_RESULTS)."""
    if connection.vendor == "postgresql":
        return _full_text(query, user)
    chapters = Chapters.visible_to(user)
    results = []
    for source in SOURCES:
        derived = [f.name for f in source.model._meta.concrete_fields if f.name in DERIVED]
        items = source.model.objects.visible_to(user).defer(*derived)
        for item, rank in _plain_match(source, items, query):
            result = _result(source, item, rank, chapters)
            if result is not None:
                results.append(result)
    results.sort(key=lambda result: -result.rank)
    return results[:MAX_RESULTS]


def _full_text(query: str, user) -> list[Result]:
    """Ranked across every source in one query, then the snippets of only the results shown,
    one query per kind of item among them: the work stays the same as the guide grows."""
    drafts = sees_drafts(user)
    chapters = Chapters(_typed_chapters(drafts).rows())
    # Items shown in a chapter the reader may not see have nowhere to link: not searched.
    searched = tuple(
        index
        for index, source in enumerate(SOURCES)
        if source.model in (Section, Strategy) or chapters.showing(source.model.shown_in)
    )
    sql, params = _ranking_sql(drafts, searched)
    with connection.cursor() as cursor:
        cursor.execute(sql, [query if param == VALUE else param for param in params])
        ranked = cursor.fetchall()
    if not ranked:
        return []
    found: dict[tuple[int, int], Model] = {}
    # One query per kind of item found: at most one per kind, whatever the number of items.
    for index in searched:
        ids = [pk for source_index, pk, _ in ranked if source_index == index]
        if not ids:
            continue
        for item in _snippets(index, drafts).rows(query, ids=ids):
            found[index, item.pk] = item
    results = []
    for index, pk, rank in ranked:
        item = found.get((index, pk))
        result = _result(SOURCES[index], item, rank, chapters) if item else None
        if result is not None:
            results.append(result)
    return results


@compiled
def _typed_chapters(drafts: bool):
    """The chapters that show items (one per component): where results link to."""
    sections = Section.objects.shown(drafts=drafts).exclude(component="")
    return sections.exclude(component=Section.Component.INTRO).only(*Chapters.LINK_FIELDS)


def _search_query(text: str) -> SearchQuery:
    return SearchQuery(text, search_type="websearch", config=CONFIG)


@functools.lru_cache(maxsize=16)
def _ranking_sql(drafts: bool, searched: tuple[int, ...]) -> tuple[str, list]:
    """The best MAX_RESULTS matches over the ``searched`` sources: (source, id, rank), best
    first; ties in the order of SOURCES, then of the items. Compiled once per process."""
    search_query = _search_query(VALUE)
    parts, params = [], []
    for index in searched:
        source = SOURCES[index]
        part = (
            source.model.objects.shown(drafts=drafts)
            .filter(search_vector=search_query)
            .annotate(
                source=Value(index),
                item=F("pk"),
                rank=SearchRank(F("search_vector"), search_query),
                position=F("order"),
            )
            .order_by()
            .values_list("source", "item", "rank", "position")
        )
        sql, part_params = part.query.sql_with_params()
        parts.append(f"({sql})")
        params += part_params
    union = " UNION ALL ".join(parts)
    sql = (
        f"SELECT source, item, rank FROM ({union}) AS hits "
        f"ORDER BY rank DESC, source, position LIMIT {MAX_RESULTS}"
    )
    return sql, params


def _headline(source: Source, search_query: SearchQuery) -> SearchHeadline | Value:
    if not source.snippet:
        return Value("")
    parts = [plain(name) for name in source.snippet]
    text = parts[0] if len(parts) == 1 else _joined(parts)
    return SearchHeadline(
        text,
        search_query,
        config=CONFIG,
        start_sel=START,
        stop_sel=STOP,
        max_words=SNIPPET_WORDS,
        min_words=12,
        max_fragments=2,
        fragment_delimiter=" … ",
    )


@compiled
def _snippets(index: int, drafts: bool):
    """The chosen items of one source with their snippets (``ts_headline``)."""
    source = SOURCES[index]
    derived = [f.name for f in source.model._meta.concrete_fields if f.name in DERIVED]
    items = (
        source.model.objects.shown(drafts=drafts)
        .defer(*derived)
        .filter(pk__in=IDS)
        .annotate(headline=_headline(source, _search_query(VALUE)))
    )
    return items


def _joined(parts: list) -> Concat:
    spaced = [parts[0]]
    for part in parts[1:]:
        spaced += [Value(" "), part]
    return Concat(*spaced, output_field=TextField())


def _plain_match(source: Source, queryset, query: str) -> list[tuple[Model, float]]:
    """Every word must appear in one of the fields; a match in the title ranks first."""
    words = QUOTES.sub(" ", query).split()
    if not words:
        return []
    condition = Q()
    for word in words:
        either = Q()
        for name in source.weights:
            either |= Q(**{f"{name}__icontains": word})
        condition &= either
    found = []
    for item in queryset.filter(condition)[:MAX_RESULTS]:
        title = " ".join(str(getattr(item, name)) for name in source.title_fields).lower()
        text = " ".join(str(getattr(item, name)) for name in source.snippet)
        text = re.sub(MARKDOWN_NOISE, " ", re.sub(HEADING, r"\1\2" + HEADING_END, text))
        item.headline = _excerpt(text, words) if text else ""
        rank = 1.0 if all(word.lower() in title for word in words) else 0.5
        found.append((item, rank))
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


def _result(source: Source, item, rank: float, chapters: Chapters) -> Result | None:
    url = chapters.url_for(item)
    if url is None:  # the chapter that shows these items is a draft: nowhere to link
        return None
    headline = getattr(item, "headline", "") or ""
    if isinstance(item, Section):
        url += _best_anchor(item, headline)
        context = ""
    elif isinstance(item, Strategy):
        context = item.get_path_display()
    else:
        context = chapters.showing(item.shown_in).title
    return Result(
        kind=source.label,
        title=getattr(item, source.title),
        url=url,
        snippet=snippet_html(headline),
        context=context,
        rank=rank,
    )


def _best_anchor(section: Section, headline: str) -> str:
    """The anchor of the subsection where the snippet's first highlighted word occurs."""
    marked = re.search(f"{START}(.+?){STOP}", headline)
    if not marked:
        return ""
    word = re.compile(rf"(?<!\w){re.escape(marked.group(1))}(?!\w)", re.IGNORECASE)
    for anchor, text in _subsections(section.body, section.closing):
        if word.search(text):
            return f"#{anchor}" if anchor else ""
    return ""


HEADING_START = re.compile(r'(<h[2-6] id="[^"]+")')


@functools.lru_cache(maxsize=64)
def _subsections(body: str, closing: str) -> tuple[tuple[str, str], ...]:
    """A chapter's text as (heading id, plain text) pieces, split at every heading that has
    an id, the ids as the chapter's page gives them; the text before the first heading has
    no id. Cached: the same chapter is matched by many searches."""
    rendered = "".join(render_chapter(Section(body=body, closing=closing)))
    parts = HEADING_START.split(rendered)
    pieces = [("", parts[0])]
    for start, rest in zip(parts[1::2], parts[2::2], strict=True):
        anchor = re.search(r'id="([^"]+)"', start).group(1)
        pieces.append((html.unescape(anchor), rest))
    return tuple((anchor, html.unescape(strip_tags(text))) for anchor, text in pieces)
