"""The site's own Python-Markdown extensions, and the set of extensions every rendering uses.

Ids: a heading's id is the only one a text can give, and only one this renderer made:
ids in raw HTML or on other elements are dropped, and none repeats an id the page
around the text uses (:data:`RESERVED_IDS`) or another text's on the same page.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree

import markdown
from markdown.extensions import Extension
from markdown.extensions.toc import render_inner_html, slugify, strip_tags, unique
from markdown.treeprocessors import Treeprocessor

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
