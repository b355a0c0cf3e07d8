"""Every id on every page is unique, and every link within a page reaches its target.

Headings editors write are rendered text by text (body, each item, closing) into a page
whose template has ids of its own; a repeated id would send a contents link, a
permalink or the skip link to the wrong place.
"""

from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

from django.conf import settings

from guide.markdown import RESERVED_IDS
from guide.models import FAQ, Section, Sign, Strategy
from tests.factories import make_user

EXTRA_PAGES = [
    "/search/?q=repair",
    "/search/?q=",
    "/search/?q=a",
    "/support/uk/",
    "/guide/",
    "/nowhere/",
]
NOT_FOUND = {"/nowhere/"}  # the 404 page has ids too; every other page, and every link, is 200
# The same headings in a chapter's body and closing, in an item, and named like the
# template's own elements (the skip link's target, the contents, the sources).
COLLIDING = (
    "## Why it matters\n\n## Main\n\n## Contents\n\n## On this page\n\n## Page contents\n\n"
    "## Chapter sources\n\n## Sources for this chapter\n\n## Chapter title\n\n"
    "## The immediate apology\n\n## Signs list\n\n## Signs quiz"
)
# Ids given by hand: in raw HTML, with attr_list, on a top-level heading, in footnotes.
FORCED = (
    '<h2 id="chapter-title">Raw heading</h2>\n\n<span id="main">raw</span>\n\n'
    "## Forced {: #toc-title }\n\n## Forced again {: #page-contents }\n\n"
    "A paragraph\n{: #strategy-sources }\n\n# Sources\n\n"
    "A claim[^1].\n\n[^1]: Its note."
)
TEMPLATES = Path(settings.BASE_DIR) / "templates"


class Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.links: list[str] = []
        self.fragments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.append(attributes["id"])
        href = attributes.get("href") or ""
        if tag == "a" and href.startswith("#") and len(href) > 1:
            self.fragments.append(href[1:])
        elif tag == "a" and href.startswith("/"):
            self.links.append(urldefrag(href).url)


def page_ids(client, url: str, linked_from: str | None = None) -> Ids:
    response = client.get(url)
    expected = 404 if url in NOT_FOUND else 200
    assert response.status_code == expected, f"{url} (linked from {linked_from or 'the list'})"
    parser = Ids()
    parser.feed(response.content.decode())
    return parser


def crawl(client) -> dict[str, Ids]:
    pages: dict[str, Ids] = {}
    queue: list[tuple[str, str | None]] = [(url, None) for url in ["/", *EXTRA_PAGES]]
    while queue:
        url, linked_from = queue.pop(0)
        if url in pages:
            continue
        pages[url] = page_ids(client, url, linked_from)
        queue += [
            (link, url)
            for link in pages[url].links
            if link.startswith(("/guide/", "/strategies/")) and link not in pages
        ]
    return pages


def assert_ids_unique_and_links_land(pages: dict[str, Ids]) -> None:
    for url, page in pages.items():
        repeated = [id_ for id_, count in Counter(page.ids).items() if count > 1]
        assert repeated == [], f"{url} repeats ids {repeated}"
        missing = sorted(set(page.fragments) - set(page.ids))
        assert missing == [], f"{url} links to missing ids {missing}"


def test_no_page_of_the_guide_repeats_an_id(client, guide):
    pages = crawl(client)

    assert len(pages) >= 1 + 10 + 12 + len(EXTRA_PAGES)
    assert_ids_unique_and_links_land(pages)


def test_headings_editors_write_never_collide_with_each_other_or_the_page(client, guide):
    for section in Section.objects.all():
        section.body += "\n\n" + COLLIDING
        section.closing = COLLIDING
        section.save()
    for strategy in Strategy.objects.all():
        strategy.body += "\n\n## Why it matters\n\n## Main"
        strategy.save()
    FAQ.objects.update(answer="Yes.\n\n## Why it matters\n\n## Main")
    client.force_login(make_user(is_staff=True))  # drafts and all

    pages = crawl(client)

    assert_ids_unique_and_links_land(pages)
    apology = pages["/guide/creating-secure-relationships/"]
    assert apology.ids.count("the-immediate-apology") == 1  # the strategy keeps its anchor
    assert "the-immediate-apology_1" in apology.ids


def test_headings_and_slugs_chosen_to_collide_still_leave_every_id_unique(client, guide):
    for section in Section.objects.all():
        section.body += "\n\n" + COLLIDING + "\n\n" + FORCED
        section.closing = FORCED
        section.save()
    for strategy in Strategy.objects.all():
        strategy.body += "\n\n## Sources\n\n" + FORCED
        strategy.save()
    # Item slugs equal to the headings' own slugs: the item keeps its anchor.
    faq = FAQ.objects.first()
    faq.slug = "why-it-matters"
    faq.answer = FORCED
    faq.save()
    Sign.objects.filter(pk=Sign.objects.first().pk).update(slug="raw-heading")

    pages = crawl(client)

    assert_ids_unique_and_links_land(pages)
    faqs = pages[faq.get_absolute_url().split("#")[0]]
    assert faqs.ids.count("why-it-matters") == 1 and "why-it-matters_1" in faqs.ids
    for page in pages.values():
        assert page.ids.count("main") == 1


def test_every_id_the_templates_give_their_own_elements_is_reserved():
    """Headings and item slugs keep clear of RESERVED_IDS: it must name all the fixed ids."""
    fixed = set()
    for template in TEMPLATES.glob("**/*.html"):
        if template.relative_to(TEMPLATES).parts[0] in {"admin", "assessments"}:
            continue  # pages that show no editor's markdown and no item anchors
        text = template.read_text()
        fixed |= set(re.findall(r'\bid="([a-z][a-z0-9-]*)"', text))
        # Ids passed to includes: heading_id="…", field_id="…", field_id|default:'…'.
        fixed |= set(re.findall(r'(?:field_id|heading_id)="([a-z][a-z0-9-]*)"', text))
        fixed |= set(re.findall(r"field_id\|default:'([a-z][a-z0-9-]*)'", text))

    assert "chapter-sources" in fixed and "q" in fixed  # the patterns find them
    assert fixed - RESERVED_IDS == set()
