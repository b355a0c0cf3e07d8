"""The sanitiser: nh3 (Ammonia) keeps only an allow-list of tags, attributes and URL
schemes, so whatever an editor pastes cannot run script, load from elsewhere or restyle
the page."""

from __future__ import annotations

import nh3

from guide.markdown.extensions import HEADING_ID

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
ALIGNMENTS = {"left", "center", "right"}
SCOPES = {"col", "row", "colgroup", "rowgroup"}


def clean(rendered: str, mark: str) -> str:
    """Python-Markdown's HTML with only the allowed tags, attributes and URL schemes left,
    and ids only as this rendering's ``mark`` marked them."""
    cleaned = nh3.clean(
        rendered,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_attribute_filter(mark),
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # Raw block HTML leaves the paragraph it was wrapped in empty once sanitised.
    return cleaned.replace("<p></p>", "")


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
