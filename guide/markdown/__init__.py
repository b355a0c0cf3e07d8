"""The one place markdown becomes HTML, for the site and the admin preview alike.

Python-Markdown renders; nh3 (the Ammonia sanitiser) then keeps only an allow-list
of tags, attributes and URL schemes, so whatever an editor pastes cannot run
script, load from elsewhere or restyle the page.

Python-Markdown was not written for hostile input, so :class:`Hardening` also
closes the ways a paste could make rendering take minutes (measured: 50,000
``[`` took over ten minutes, 5,000 ``<![CDATA[`` over a minute):

* block-level raw HTML is not parsed as HTML. Python's ``html.parser`` is
  quadratic on unclosed tags over the whole document; inline tags such as
  ``<abbr>`` still work, and everything goes through the allow-list anyway;
* link text brackets are matched once per string instead of rescanning the rest
  of the paragraph from every ``[``;
* a link's ``(destination "title")`` is looked for within a bounded window.

Checks (the admin's validation and its preview) render with a deadline as well, so
whatever else turns out to be slow costs an editor a second, not minutes.

Ids: a heading's id is the only one a text can give, and only one this renderer made:
ids in raw HTML or on other elements are dropped, and none repeats an id the page
around the text uses (:data:`RESERVED_IDS`) or another text's on the same page.
"""

from __future__ import annotations

import functools
import html
import re
import secrets
import time
import xml.etree.ElementTree as etree
from dataclasses import dataclass
from html.parser import HTMLParser

import markdown
import nh3
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.extensions.tables import TableProcessor
from markdown.extensions.toc import render_inner_html, slugify, strip_tags, unique
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import Registry

# A paragraph, list or table longer than this is refused (the admin says so): Python-Markdown
# peels some blocks line by line, so time grows with the square of a block's length.
MAX_BLOCK_LENGTH = 5_000
# Longer link destinations (with their title) are left as text: real ones are far shorter.
LINK_WINDOW = 2_000
LINK_TITLE_WINDOW = 500

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl", "dt",
    "em", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "q", "s", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class", "aria-label"},
    "abbr": {"title"},
    "div": {"class"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "li": {"id"},  # a footnote
    "sup": {"id"},  # a footnote's mark in the text
    "td": {"align"},
    "th": {"align", "scope"},
    "ol": {"start"},
}
# Class names markdown itself produces; anything else an editor writes is dropped.
ALLOWED_CLASSES = {"a": {"anchor"}, "div": {"heading"}}
URL_SCHEMES = {"http", "https", "mailto"}
# What markdown's table of contents produces: a heading id can't clobber globals or CSS hooks.
HEADING_ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,79}")
# A heading's slug is cut to this many characters, leaving room for a "_12" suffix.
HEADING_SLUG_LENGTH = 72
# Every id the site's page templates give their own elements (base.html's skip-link target,
# the chapter's, home page's, strategy page's and search page's headings and fields). No
# heading in a text takes one, and no item may use one as its slug (items' slugs are ids
# on their chapter's page). tests/guide/test_page_ids.py checks the templates against it.
RESERVED_IDS = frozenset(
    {
        "main", "top", "contents", "q",
        "chapter-title", "page-contents", "chapter-sources", "signs-list", "signs-quiz",
        "home-title", "guide-contents", "home-quiz", "home-search", "home-q",
        "strategy-title", "strategy-signs", "strategy-path", "strategy-sources",
        "search-help", "search-results", "search-browse",
        "chapter-credits", "chapter-credits-title", "leave-quickly-hint",
        "emergency-title", "region-picker-title", "support-general", "gap-title",
    }
)  # fmt: skip
# Quotes, lists and tables nested deeper than this are refused: real text needs two or
# three levels, and each level indents, so hundreds push the page thousands of pixels wide.
MAX_NESTING = 8
NESTING_TAGS = frozenset({"blockquote", "ul", "ol", "dl", "table"})
ALIGNMENTS = {"left", "center", "right"}
SCOPES = {"col", "row", "colgroup", "rowgroup"}

_BRACKETS = re.compile(r"[\[\]]")
_PARENS = re.compile(r"[()]")
_QUOTES = re.compile(r"""['"]""")


def _pairs(text: str, pattern: re.Pattern[str], opening: str) -> dict[int, int]:
    pairs: dict[int, int] = {}
    stack: list[int] = []
    for match in pattern.finditer(text):
        if match.group() == opening:
            stack.append(match.start())
        elif stack:
            pairs[stack.pop()] = match.start()
    return pairs


@functools.lru_cache(maxsize=32)
def _bracket_pairs(text: str) -> dict[int, int]:
    """Where each ``[`` in ``text`` is closed: the same answer Python-Markdown counts its way to."""
    return _pairs(text, _BRACKETS, "[")


@functools.lru_cache(maxsize=32)
def _paren_pairs(text: str) -> dict[int, int]:
    return _pairs(text, _PARENS, "(")


class _BoundedLinkMixin:
    """Link and image parsing in linear time, with the results Python-Markdown would give.

    ``getText`` counted brackets from every ``[`` to the end of the paragraph; a
    string matched once gives the same closing bracket. ``getLink`` tracks
    parentheses and quotes; without quotes that is plain matching, with them the
    original runs on a bounded window.
    """

    def getText(self, data: str, index: int) -> tuple[str, int, bool]:
        if index < 1 or data[index - 1] != "[":
            return super().getText(data, index)
        close = _bracket_pairs(data).get(index - 1)
        if close is None:
            return data[index:], len(data), False
        return data[index:close], close + 1, True

    def getLink(self, data: str, index: int) -> tuple[str, str | None, int, bool]:
        if index < len(data) and data[index] == "(":
            close = _paren_pairs(data).get(index)
            end = close if close is not None else min(len(data), index + LINK_WINDOW)
            if not _QUOTES.search(data, index, end):
                if close is None:
                    return "", None, index, False
                return super().getLink(data[: close + 1], index)
            return super().getLink(data[: index + LINK_TITLE_WINDOW], index)
        return super().getLink(data[: index + LINK_WINDOW], index)


class _QuickTableTest:
    """Python-Markdown's table test splits and strips every line of a block, and runs again
    each time a heading or rule is taken off the block's top: quadratic in lines. A first
    line without a pipe can't start a table, so say so at once (the original's answer too).
    """

    def test(self, parent, block: str) -> bool:
        first_line = block.partition("\n")[0]
        if "\n" not in block or "|" not in first_line:
            return False
        return super().test(parent, block)


class RenderTooSlow(Exception):
    """Rendering went past its deadline (only checks set one)."""


class _TimedRegistry(Registry):
    """A processor registry that checks the clock each time the parser goes through it.

    The block parser loops over its processors once per block, and the inline processor
    looks up a pattern for every piece of text it tries: both go through here often
    enough to stop a slow text within milliseconds of its deadline.
    """

    deadline: float

    def _check(self) -> None:
        if time.perf_counter() > self.deadline:
            raise RenderTooSlow

    def __iter__(self):
        self._check()
        return super().__iter__()

    def __getitem__(self, key):
        self._check()
        return super().__getitem__(key)


class Hardening(Extension):
    """Keep rendering time proportional to the text, whatever an editor pastes; with a
    ``deadline`` (a ``time.perf_counter()`` value), give up at it."""

    def __init__(self, deadline: float | None = None) -> None:
        super().__init__()
        self.deadline = deadline

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        if "html_block" in md.preprocessors:
            md.preprocessors.deregister("html_block")
        for processor in md.inlinePatterns:
            if isinstance(processor, LinkInlineProcessor):
                processor.__class__ = _with(_BoundedLinkMixin, type(processor))
        for processor in md.parser.blockprocessors:
            if isinstance(processor, TableProcessor):
                processor.__class__ = _with(_QuickTableTest, type(processor))
        if self.deadline is not None:
            for registry in (md.parser.blockprocessors, md.inlinePatterns):
                registry.__class__ = _TimedRegistry
                registry.deadline = self.deadline


@functools.cache
def _with(mixin: type, processor_class: type) -> type:
    return type(f"Hardened{processor_class.__name__}", (mixin, processor_class), {})


CAPTION_PREFIX = "Table:"
HEADING = re.compile(r"h[2-6]")


class AccessibleTables(Treeprocessor):
    """Give tables a caption and header scopes, so screen readers can name and navigate them.

    Markdown tables have no caption syntax; as in Pandoc, a paragraph starting with
    "Table:" just before a table becomes its ``<caption>``.
    """

    def run(self, root: etree.Element) -> None:
        for parent in root.iter():
            children = list(parent)
            for previous, table in zip([None, *children], children, strict=False):
                if table.tag != "table":
                    continue
                for th in table.iter("th"):
                    th.set("scope", "col")
                if previous is not None and previous.tag == "p":
                    text = previous.text or ""
                    if text.startswith(CAPTION_PREFIX):
                        caption = etree.Element("caption")
                        caption.text = text[len(CAPTION_PREFIX) :].lstrip()
                        caption.extend(list(previous))
                        table.insert(0, caption)
                        parent.remove(previous)


class AccessibleTablesExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # After inline processing (20), so the caption's text has its typography already.
        md.treeprocessors.register(AccessibleTables(md), "accessible_tables", 5)


class DemoteTitles(Treeprocessor):
    """``# Title`` becomes an h2: the page's own title is its only h1, and a second one
    would be dropped by the sanitiser, leaving bare text where a heading was meant."""

    def run(self, root: etree.Element) -> None:
        for heading in root.iter("h1"):
            heading.tag = "h2"


class HeadingLinks(Treeprocessor):
    """Keep heading ids unique on the page and give each heading a permalink beside it.

    ``ids`` holds the ids already used on the page (the template's own, earlier texts');
    a heading whose id is taken gets the next free ``_1``, ``_2`` suffix, and one the
    sanitiser would refuse (``{: #Main }``) gets its title's slug instead. The permalink
    sits outside the heading, named for it, so a screen reader hears the heading's title
    alone: ``<div class="heading"><h2 id="x">Title</h2><a class="anchor" href="#x"
    aria-label="Link to this section: Title">#</a></div>``, as the templates' own
    ``guide/includes/heading.html`` writes it.

    Each id is written with ``mark`` in front, a secret of this rendering: the sanitiser
    keeps only ids that carry it (and takes it off), so an id typed in raw HTML, which
    can't know it, never reaches the page.
    """

    def __init__(self, md: markdown.Markdown, ids: set[str], mark: str) -> None:
        super().__init__(md)
        self.ids = ids
        self.mark = mark

    def run(self, root: etree.Element) -> None:
        for parent in list(root.iter()):
            for index, heading in enumerate(list(parent)):
                if not HEADING.fullmatch(str(heading.tag)) or "id" not in heading.attrib:
                    continue
                title = html.unescape(strip_tags(render_inner_html(heading, self.md)))
                heading_id = _safe_id(heading.get("id"), title, self.ids)
                heading.set("id", f"{self.mark}{heading_id}")
                wrapper = etree.Element("div", {"class": "heading"})
                link = etree.SubElement(
                    wrapper,
                    "a",
                    {
                        "class": "anchor",
                        "href": f"#{heading_id}",
                        "aria-label": f"Link to this section: {title}",
                    },
                )
                link.text = "#"
                wrapper.tail, heading.tail = heading.tail, None
                wrapper.insert(0, heading)
                parent[index] = wrapper


FOOTNOTE_ID = re.compile(r"fn(ref\d*)?-.{1,60}")


class FootnoteIds(Treeprocessor):
    """Footnotes and the marks that point to them keep working on a page of several texts.

    Each text numbers its footnotes from 1 ("fn-1", "fnref-1"); here they take the next
    free id on the page (the closing's "fn-1" becomes "fn-1_1") and the links between
    mark and note follow. Ids are marked for the sanitiser as :class:`HeadingLinks`'s are.
    """

    def __init__(self, md: markdown.Markdown, ids: set[str], mark: str) -> None:
        super().__init__(md)
        self.ids = ids
        self.mark = mark

    def run(self, root: etree.Element) -> None:
        renamed = {}
        for element in root.iter():
            old = element.get("id")
            if element.tag in {"li", "sup"} and old and FOOTNOTE_ID.fullmatch(old):
                new = unique(_heading_id(old, "-") or "note", self.ids)
                renamed[f"#{old}"] = f"#{new}"
                element.set("id", f"{self.mark}{new}")
        for link in root.iter("a"):
            if link.get("href") in renamed:
                link.set("href", renamed[link.get("href")])


class HeadingLinksExtension(Extension):
    def __init__(self, ids: set[str], mark: str) -> None:
        super().__init__()
        self.ids = ids
        self.mark = mark

    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(DemoteTitles(md), "demote_titles", 6)
        # After the table of contents (5) has given every heading its id, and after the
        # footnotes' own processors (15 and up) have numbered them.
        md.treeprocessors.register(HeadingLinks(md, self.ids, self.mark), "heading_links", 4)
        md.treeprocessors.register(FootnoteIds(md, self.ids, self.mark), "footnote_ids", 3)


def _heading_id(value: str, separator: str) -> str:
    """Markdown's slug for a heading, kept clear of the ids the page itself uses."""
    slug = slugify(value, separator)[:HEADING_SLUG_LENGTH].rstrip("-_")
    return f"{slug}{separator}section" if slug in RESERVED_IDS else slug


def _safe_id(wanted: str, title: str, taken: set[str]) -> str:
    """An id the sanitiser accepts and the page hasn't used: the one markdown gave (or the
    editor set with ``{: #id }``) when it is well formed, else the title's slug, else
    "section"; then the next free ``_1``, ``_2``. Titles with no Latin letters ("Привет",
    "…") have an empty slug, and long ones are cut short."""
    if not HEADING_ID.fullmatch(wanted) or wanted in RESERVED_IDS:
        wanted = _heading_id(title, "-")
    if not HEADING_ID.fullmatch(wanted):
        wanted = "section"
    return unique(wanted, taken)


EXTENSIONS = [
    # Python-Markdown's "extra", without raw HTML blocks parsed as markdown (see Hardening).
    "abbr",
    "attr_list",
    "def_list",
    "fenced_code",
    "footnotes",
    "tables",
    "sane_lists",
    "smarty",
    "toc",
    AccessibleTablesExtension(),
]
EXTENSION_CONFIGS = {
    # Alignment as an attribute: a style="" attribute would be stripped (and refused by our CSP).
    "tables": {"use_align_attribute": True},
    # "fn-1" rather than "fn:1": an id a CSS selector or the sanitiser's pattern can take.
    "footnotes": {"SEPARATOR": "-"},
    # Permalinks come from HeadingLinks, beside the heading rather than inside it. No [TOC]
    # marker: the page lists its contents itself, and a second list's links could go stale.
    "toc": {"toc_depth": "2-4", "slugify": _heading_id, "marker": ""},
}


def _attribute_filter(mark: str):
    """nh3's attribute filter for one rendering: ids only as :class:`HeadingLinks` and
    :class:`FootnoteIds` marked them."""

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if attribute == "id":
            heading_id = value.removeprefix(mark)
            if value.startswith(mark) and HEADING_ID.fullmatch(heading_id):
                return heading_id
            return None
        return _keep_attribute(tag, attribute, value)

    return keep


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        kept = [name for name in value.split() if name in ALLOWED_CLASSES.get(tag, ())]
        return " ".join(kept) or None
    if attribute == "align":
        return value if value in ALIGNMENTS else None
    if attribute == "scope":
        return value if value in SCOPES else None
    if attribute == "start":
        return value if value.isascii() and value.isdigit() and len(value) <= 6 else None
    return value


def render(source: str, ids: set[str] | None = None) -> SafeString:
    """Markdown source to sanitised HTML, safe to put in any template.

    Texts shown on one page share ``ids`` (updated in place), so no heading id repeats
    another text's or the template's own.

    Nesting too deep to show (a thousand ``1. `` or ``>`` in a row) can't be saved from
    the admin; should it reach here anyway, the text is shown escaped rather than
    failing or stretching the page.
    """
    if not source:
        return mark_safe("")
    try:
        html, nesting = _render(source, ids)
    except RecursionError:
        nesting = MAX_NESTING + 1
    if nesting > MAX_NESTING:
        return mark_safe(linebreaks(escape(source)))  # escaped just here
    return html


@dataclass(frozen=True)
class Trial:
    """A check's rendering: the HTML, how deeply it nests, and how long it took."""

    html: SafeString
    nesting: int
    seconds: float


def trial_render(source: str, *, budget: float) -> Trial:
    """Render as the site would, for a check: raises :class:`RenderTooSlow` once ``budget``
    seconds have passed and ``RecursionError`` on nesting too deep for Python's stack."""
    started = time.perf_counter()
    if not source:
        return Trial(mark_safe(""), 0, 0.0)
    html, nesting = _render(source, deadline=started + budget)
    return Trial(html, nesting, time.perf_counter() - started)


def _page_ids(ids: set[str] | None) -> set[str]:
    """The page's taken ids, the ones every page reserves included."""
    ids = set() if ids is None else ids
    ids |= RESERVED_IDS
    return ids


def _render(
    source: str, ids: set[str] | None = None, deadline: float | None = None
) -> tuple[SafeString, int]:
    mark = f"h{secrets.token_hex(8)}-"
    rendered = markdown.markdown(
        source,
        extensions=[
            *EXTENSIONS,
            Hardening(deadline),
            HeadingLinksExtension(_page_ids(ids), mark),
        ],
        extension_configs=EXTENSION_CONFIGS,
        output_format="html",
    )
    clean = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter(mark),
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # Raw block HTML leaves the paragraph it was wrapped in empty once sanitised.
    clean = clean.replace("<p></p>", "")
    return mark_safe(clean), nesting_depth(clean)  # sanitised by nh3 just above


_BLOCK_BREAK = re.compile(r"\n[ \t]*\n")


def longest_block(source: str) -> int:
    """Length of the longest paragraph, list or table (text between blank lines)."""
    return max((len(block) for block in _BLOCK_BREAK.split(source)), default=0)


class _Nesting(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth = self.deepest = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in NESTING_TAGS:
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag: str) -> None:
        if tag in NESTING_TAGS:
            self.depth -= 1


def nesting_depth(html: str) -> int:
    """How many quotes, lists and tables deep sanitised HTML goes, raw HTML's included
    (sanitised HTML is well formed, so tags balance)."""
    parser = _Nesting()
    parser.feed(html)
    parser.close()
    return parser.deepest


class _Outline(HTMLParser):
    """Collects h2/h3 headings with an id, leaving out their permalink ("#") text."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[dict] = []
        self._current: dict | None = None
        self._in_anchor = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag in {"h2", "h3"} and attributes.get("id"):
            self._current = {"id": attributes["id"], "title": "", "level": int(tag[1])}
        elif tag == "a" and "anchor" in (attributes.get("class") or "").split():
            self._in_anchor = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._in_anchor = False
        elif self._current and tag == f"h{self._current['level']}":
            self._current["title"] = " ".join(self._current["title"].split())
            self.headings.append(self._current)
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None and not self._in_anchor:
            self._current["title"] += data


def outline(html: str) -> list[dict]:
    """The h2 and h3 headings of rendered HTML, for a page's own table of contents."""
    return [dict(heading) for heading in _outline(str(html))]


@functools.lru_cache(maxsize=256)
def _outline(html: str) -> tuple[dict, ...]:
    # Remembered: the same stored HTML is outlined on every view of its page.
    parser = _Outline()
    parser.feed(html)
    parser.close()
    return tuple(parser.headings)
