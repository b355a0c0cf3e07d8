"""A page's own table of contents: the h2 and h3 headings of its rendered HTML."""

from __future__ import annotations

import functools
from html.parser import HTMLParser


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
