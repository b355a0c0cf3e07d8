"""Every sentence, heading, list item, table cell and reference of the seed is on the site,
on the right chapter's page, as the same kind of element, in the seed's order.

The site is crawled from the home page as a reader would, following the guide's own
links; each page is read as a sequence of blocks (headings, paragraphs, list items,
table cells) and compared with fixtures/secure-attachment-guide.md chapter by chapter.
Only typography may differ: curly quotes, real dashes, and the seed's ✓ and • glyphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

import pytest
from django.conf import settings

from guide.models import FAQ, Reference, Section, Strategy

SEED = Path(settings.BASE_DIR) / "fixtures" / "secure-attachment-guide.md"
CRAWLED = ("/guide/", "/strategies/")
# The seed's chapters, each the <h1> of its own page; what comes before the first is the
# guide's opening, shown on the home page.
CHAPTERS = [
    "What Is Secure Attachment?",
    "Characteristics of Secure Attachment",
    "Signs of Secure Attachment",
    "Earned Security: The Good News",
    "From Anxious to Secure",
    "From Avoidant to Secure",
    "Therapy That Helps",
    "Creating Secure Relationships",
    "Frequently Asked Questions",
    "References",
]
HOME = "(the guide's opening)"
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


# ---------------------------------------------------------------------------- the seed
@dataclass(frozen=True)
class Unit:
    """One line of the seed: its kind, its chapter, its text and its sentences."""

    kind: str  # heading, text, item or cell
    chapter: str
    text: str
    sentences: tuple[str, ...]


def seed_units() -> list[Unit]:
    """The seed line by line. It is plain text: a line is a heading when it does not end
    like a sentence (a question is a heading too), an item when it starts with "- ", a
    cell when it is part of a table; "Best for: …" lines are paragraphs."""
    units = []
    chapter = HOME
    for line in SEED.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or re.fullmatch(r"\|[\s|:-]+\|", line):
            continue
        if line.startswith("|"):
            for cell in line.strip("|").split("|"):
                units.append(Unit("cell", chapter, normalise(cell), ()))
            continue
        if line in CHAPTERS:
            chapter = line
        if line.startswith("- "):
            kind, line = "item", line[2:]
        elif line.startswith("Best for:") or line.endswith((".", '"', "\u201d")):
            kind = "text"
        else:
            kind = "heading"
        sentences = re.split(r"(?<=[.?!])\s+(?=[A-Z\"“])", line)
        units.append(
            Unit(kind, chapter, normalise(line), tuple(filter(None, map(normalise, sentences))))
        )
    return units


# ---------------------------------------------------------------------------- the site
class PageBlocks(HTMLParser):
    """A page's main content as a reader sees it: (kind, text) blocks in order, leaving out
    navigation (contents, pager) and permalinks; and the links to follow."""

    SKIP = {"script", "style", "head", "template", "nav"}
    INLINE = {"a", "abbr", "b", "cite", "code", "em", "i", "mark", "q", "small", "span", "strong",
              "sub", "sup", "time"}  # fmt: skip
    VOID = {"br", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self.links: list[str] = []
        self._stack: list[str] = []
        self._skipping: list[str] = []
        self._text: list[str] = []
        self._in_main = False

    def _kind(self) -> str:
        if {"td", "th"} & set(self._stack):
            return "cell"
        if any(re.fullmatch(r"h[1-6]|summary", tag) for tag in self._stack):
            return "heading"
        return "item" if "li" in self._stack else "text"

    def _close_block(self) -> None:
        text = normalise("".join(self._text))
        if text:
            self.blocks.append((self._block_kind, text))
        self._text = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        self._in_main = self._in_main or tag == "main"
        permalink = tag == "a" and "anchor" in (attributes.get("class") or "").split()
        if tag in self.SKIP or permalink:
            self._skipping.append(tag)
        if tag not in self.INLINE and tag not in self.VOID:
            self._close_block()
            self._stack.append(tag)
            self._block_kind = self._kind()

    def handle_endtag(self, tag: str) -> None:
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()
        if tag not in self.INLINE and tag in self._stack:
            self._close_block()
            self._in_main = self._in_main and tag != "main"
            while self._stack.pop() != tag:
                pass
            self._block_kind = self._kind()

    def handle_data(self, data: str) -> None:
        if self._in_main and not self._skipping:
            self._text.append(data)

    _block_kind = "text"


@dataclass
class Page:
    url: str
    blocks: list[tuple[str, str]]

    @property
    def title(self) -> str:
        return next((text for kind, text in self.blocks if kind == "heading"), "")


def crawl(client) -> dict[str, Page]:
    """Every guide page reachable from the home page, read as blocks."""
    pages: dict[str, Page] = {}
    queue = ["/"]
    while queue:
        url = queue.pop(0)
        if url in pages:
            continue
        response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        parser = PageBlocks()
        parser.feed(response.content.decode())
        parser.close()
        pages[url] = Page(url, parser.blocks)
        for link in parser.links:
            path = urldefrag(link).url
            if path.startswith(CRAWLED) and path not in pages:
                queue.append(path)
    return pages


def chapter_pages(pages: dict[str, Page]) -> dict[str, Page]:
    """Each seed chapter's page, found by its <h1>; the home page holds the opening."""
    by_title = {page.title: page for url, page in pages.items() if url.startswith("/guide/")}
    return {HOME: pages["/"], **{title: by_title.get(title) for title in CHAPTERS}}


# ---------------------------------------------------------------------------- comparing
def find(page: Page, unit_kind: str, text: str, start: int = 0) -> int | None:
    for index in range(start, len(page.blocks)):
        kind, block = page.blocks[index]
        if kind == unit_kind and text in block:
            return index
    return None


def problems(pages: dict[str, Page]) -> list[tuple[str, str, str]]:
    """(what is wrong, chapter, seed text) for every unit not where the seed puts it."""
    found: list[tuple[str, str, str]] = []
    chapters = chapter_pages(pages)
    positions = dict.fromkeys(chapters, 0)
    for unit in seed_units():
        page = chapters[unit.chapter]
        if page is None:
            found.append(("no page", unit.chapter, unit.chapter))
            continue
        # APA 7 lists references alphabetically; the seed's list is in no order (checked below).
        ordered = unit.chapter != "References"
        index = find(page, unit.kind, unit.text, positions[unit.chapter] if ordered else 0)
        if index is not None:
            positions[unit.chapter] = index if ordered else positions[unit.chapter]
            continue
        found.append((diagnose(pages, page, unit), unit.chapter, unit.text))
        for sentence in unit.sentences:
            if not any(sentence in block for _, block in page.blocks):
                found.append(("missing", unit.chapter, sentence))
    return found


def diagnose(pages: dict[str, Page], page: Page, unit: Unit) -> str:
    if find(page, unit.kind, unit.text) is not None:
        return "out of order"
    if any(unit.text in block for _, block in page.blocks):
        return f"not a {unit.kind}"
    elsewhere = [p.url for p in pages.values() if p is not page and unit.text in str(p.blocks)]
    return "on another page" if elsewhere else "missing"


# ---------------------------------------------------------------------------- the tests
def test_the_seed_reads_as_expected():
    units = seed_units()
    kinds = {(unit.kind, unit.text) for unit in units}

    assert ("heading", "What Is Secure Attachment?") in kinds
    assert ("heading", "1. Build Emotional Awareness") in kinds
    assert ("heading", "How long does it take to become securely attached?") in kinds
    assert ("cell", "Consistent, attuned childhood caregiving") in kinds
    assert (
        "item",
        "You proactively build trust and closeness rather than waiting for it to happen",
    ) in kinds
    assert ("text", "Best for: Couples in high-conflict or emotionally distant cycles") in kinds
    assert {unit.chapter for unit in units} == {HOME, *CHAPTERS}
    assert sum(len(unit.sentences) for unit in units) > 150
    assert len(units) > 120


def test_every_line_of_the_seed_is_on_its_chapter_s_page_as_the_same_element_in_order(
    client, guide
):
    pages = crawl(client)

    assert problems(pages) == []
    assert len(pages) >= 1 + 10 + 12  # home, every chapter, every strategy page


def test_references_are_listed_alphabetically_as_apa_7_asks(client, guide):
    page = chapter_pages(crawl(client))["References"]
    entries = [text for kind, text in page.blocks if re.match(r"[^()]+ \(\d{4}\)\.", text)]

    assert len(entries) == Reference.objects.count() == 6
    assert entries == sorted(entries, key=str.casefold)


def test_the_fidelity_check_notices_a_missing_sentence(client, guide):
    sigh = Strategy.objects.get(slug="physiological-sigh")
    sigh.body = sigh.body.replace("This activates your vagus nerve", "This calms you")
    sigh.save()

    found = problems(crawl(client))

    sentence = "This activates your vagus nerve and signals safety to your brainstem."
    assert ("missing", "From Anxious to Secure", sentence) in found


def demote_a_heading() -> None:
    section = Section.objects.get(slug="characteristics-of-secure-attachment")
    section.body = section.body.replace("## Direct Communication", "Direct Communication")
    section.save()


def move_a_subsection_to_another_chapter() -> None:
    earned = Section.objects.get(slug="earned-security")
    moved, rest = earned.body.split("## The Science of Change")[1].split("Table:", 1)
    earned.body = earned.body.split("## The Science of Change")[0] + "Table:" + rest
    earned.save()
    first = Section.objects.get(slug="what-is-secure-attachment")
    first.body += "\n\n## The Science of Change" + moved
    first.save()


def move_the_last_question_first() -> None:
    FAQ.objects.filter(slug="most-important-skill").update(order=0)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            demote_a_heading,
            ("not a heading", "Characteristics of Secure Attachment", "Direct Communication"),
        ),
        (
            move_a_subsection_to_another_chapter,
            ("on another page", "Earned Security: The Good News", "The Science of Change"),
        ),
        (
            move_the_last_question_first,
            (
                "out of order",
                "Frequently Asked Questions",
                "What is the single most important skill for earning security?",
            ),
        ),
    ],
    ids=["heading-demoted", "moved-chapter", "out-of-order"],
)
def test_the_fidelity_check_notices_structure_changes(client, guide, change, expected):
    change()

    assert expected in problems(crawl(client))
