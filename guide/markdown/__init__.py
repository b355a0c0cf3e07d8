"""The one place markdown becomes HTML, for the site and the admin preview alike.

Python-Markdown renders; nh3 (the Ammonia sanitiser) then keeps only an allow-list
of tags, attributes and URL schemes, so whatever an editor pastes cannot run
script, load from elsewhere or restyle the page. :func:`render` is the entry point;
each part of the work has its own module:

* :mod:`guide.markdown.guards`: rendering time that stays proportional to the text
  (Python-Markdown was not written for hostile input), a deadline for checks, and the
  limits on a block's length and on nesting;
* :mod:`guide.markdown.extensions`: the site's own extensions (accessible tables,
  heading permalinks, ids unique on the page) and the configured set;
* :mod:`guide.markdown.sanitise`: the allow-list;
* :mod:`guide.markdown.contents`: a page's table of contents from rendered HTML.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import markdown
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe

from guide.markdown.contents import outline
from guide.markdown.extensions import (
    EXTENSION_CONFIGS,
    EXTENSIONS,
    HEADING_ID,
    RESERVED_IDS,
    HeadingLinksExtension,
)
from guide.markdown.guards import (
    MAX_BLOCK_LENGTH,
    MAX_NESTING,
    Hardening,
    RenderTooSlow,
    longest_block,
    nesting_depth,
)
from guide.markdown.sanitise import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, clean

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_TAGS",
    "HEADING_ID",
    "MAX_BLOCK_LENGTH",
    "MAX_NESTING",
    "RESERVED_IDS",
    "RenderTooSlow",
    "Trial",
    "longest_block",
    "nesting_depth",
    "outline",
    "render",
    "trial_render",
]


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
    html = clean(rendered, mark)
    return mark_safe(html), nesting_depth(html)  # sanitised by clean just above
