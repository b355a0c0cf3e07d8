"""Every sentence, heading, list item, table cell and reference of the seed is on the site.

The site is crawled from the home page as a reader would, following the guide's own
links, and its visible text compared with fixtures/secure-attachment-guide.md. Only
typography may differ: curly quotes, real dashes, and the seed's ✓ and • bullet glyphs.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

from django.conf import settings

SEED = Path(settings.BASE_DIR) / "fixtures" / "secure-attachment-guide.md"
CRAWLED = ("/guide/", "/strategies/")
TYPOGRAPHY = str.maketrans(
    {
        "\u201c": '"',
        "\u201d": '"',
        "\u2018": "'",
        "\u2019": "'",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2713": " ",
        "\u2022": " ",
    }
)


def normalise(text: str) -> str:
    return " ".join(text.translate(TYPOGRAPHY).split())


class PageText(HTMLParser):
    """The text a reader sees, and the links they can follow."""

    SKIP = {"script", "style", "head", "template"}
    INLINE = {"a", "abbr", "b", "cite", "code", "em", "i", "mark", "q", "small", "span", "strong",
              "sub", "sup", "time"}  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        classes = (attributes.get("class") or "").split()
        hidden = "anchor" in classes and tag == "a"  # the "#" permalink beside a heading
        if tag in self.SKIP or hidden:
            self._skipping.append(tag)
        if tag not in self.INLINE:  # block boundaries are word boundaries
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()
        if tag not in self.INLINE:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return normalise("".join(self.parts))


def crawl(client) -> dict[str, str]:
    """Every guide page reachable from the home page, with its visible text."""
    pages: dict[str, str] = {}
    queue = ["/"]
    while queue:
        url = queue.pop(0)
        if url in pages:
            continue
        response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        parser = PageText()
        parser.feed(response.content.decode())
        pages[url] = parser.text
        for link in parser.links:
            path = urldefrag(link).url
            if path.startswith(CRAWLED) and path not in pages:
                queue.append(path)
    return pages


def seed_units() -> list[str]:
    """Headings, paragraphs, list items, table cells and references, then their sentences."""
    units = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or re.fullmatch(r"\|[\s|:-]+\|", line):
            continue
        if line.startswith("|"):
            units.extend(cell.strip() for cell in line.strip("|").split("|"))
            continue
        line = re.sub(r"^- ", "", line)
        units.append(line)
        units.extend(re.split(r"(?<=[.?!])\s+(?=[A-Z\"“])", line))
    return [normalise(unit) for unit in units if normalise(unit)]


def test_the_seed_reads_as_expected():
    units = seed_units()

    assert "What Is Secure Attachment?" in units
    assert "Consistent, attuned childhood caregiving" in units  # a table cell
    assert "You proactively build trust and closeness rather than waiting for it to happen" in (
        units
    )
    assert len(units) > 250


def test_every_sentence_heading_item_cell_and_reference_of_the_seed_is_on_the_site(client, guide):
    pages = crawl(client)
    site = "\n".join(pages.values())

    missing = [unit for unit in seed_units() if unit not in site]

    assert missing == [], f"{len(missing)} pieces of the seed are not on the site: {missing}"
    assert len(pages) >= 1 + 10 + 12  # home, every chapter, every strategy page


def test_the_fidelity_check_notices_a_missing_sentence(client, guide):
    from guide.models import Strategy

    sigh = Strategy.objects.get(slug="physiological-sigh")
    sigh.body = sigh.body.replace("This activates your vagus nerve", "This calms you")
    sigh.save()

    site = "\n".join(crawl(client).values())

    missing = [unit for unit in seed_units() if unit not in site]
    assert "This activates your vagus nerve and signals safety to your brainstem." in missing
