"""Guards on rendering: time that stays proportional to the text, and the limits a check enforces.

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
"""

from __future__ import annotations

import functools
import re
import time
from html.parser import HTMLParser

import markdown
from markdown.extensions import Extension
from markdown.extensions.tables import TableProcessor
from markdown.inlinepatterns import LinkInlineProcessor
from markdown.util import Registry

# A paragraph, list or table longer than this is refused (the admin says so): Python-Markdown
# peels some blocks line by line, so time grows with the square of a block's length.
MAX_BLOCK_LENGTH = 5_000
# Longer link destinations (with their title) are left as text: real ones are far shorter.
LINK_WINDOW = 2_000
LINK_TITLE_WINDOW = 500
# Quotes, lists and tables nested deeper than this are refused: real text needs two or
# three levels, and each level indents, so hundreds push the page thousands of pixels wide.
MAX_NESTING = 8
NESTING_TAGS = frozenset({"blockquote", "ul", "ol", "dl", "table"})

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
