"""The one place markdown becomes HTML, for the site and the admin preview alike.

Python-Markdown renders; nh3 (the Ammonia sanitiser) then keeps only an allow-list
of tags, attributes and URL schemes, so whatever an editor pastes cannot run
script, load from elsewhere or restyle the page.
"""

from __future__ import annotations

import xml.etree.ElementTree as etree
from html.parser import HTMLParser

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

CAPTION_PREFIX = "Table:"


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


EXTENSIONS = ["extra", "sane_lists", "smarty", "toc", AccessibleTablesExtension()]
EXTENSION_CONFIGS = {
    "toc": {
        "permalink": "#",
        "permalink_class": "anchor",
        "permalink_title": "Link to this section",
        "toc_depth": "2-4",
    },
}

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "caption", "cite", "code", "dd", "del", "div", "dl", "dt",
    "em", "h2", "h3", "h4", "h5", "h6", "hr", "li", "ol", "p", "pre", "q", "s", "strong", "sub",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "abbr": {"title"},
    "h2": {"id"},
    "h3": {"id"},
    "h4": {"id"},
    "h5": {"id"},
    "h6": {"id"},
    "td": {"align"},
    "th": {"align", "scope"},
    "ol": {"start"},
}
# Class names markdown itself produces; anything else an editor writes is dropped.
ALLOWED_CLASSES = {"a": {"anchor"}}
URL_SCHEMES = {"http", "https", "mailto"}


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "class":
        kept = [name for name in value.split() if name in ALLOWED_CLASSES.get(tag, ())]
        return " ".join(kept) or None
    if attribute == "align" and value not in {"left", "center", "right"}:
        return None
    return value


def render(source: str) -> SafeString:
    """Markdown source to sanitised HTML, safe to put in any template."""
    if not source:
        return mark_safe("")
    html = markdown.markdown(
        source, extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS, output_format="html"
    )
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return mark_safe(clean)  # sanitised by nh3 just above


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
    parser = _Outline()
    parser.feed(str(html))
    parser.close()
    return parser.headings
