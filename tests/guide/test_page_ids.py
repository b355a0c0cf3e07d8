"""Every id on every page is unique, and every link within a page reaches its target.

Headings editors write are rendered text by text (body, each item, closing) into a page
whose template has ids of its own; a repeated id would send a contents link, a
permalink or the skip link to the wrong place.
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urldefrag

from guide.models import FAQ, Section, Strategy
from tests.factories import make_user

EXTRA_PAGES = ["/search/?q=repair", "/search/?q=", "/search/?q=a", "/support/", "/nowhere/"]
# The same headings in a chapter's body and closing, in an item, and named like the
# template's own elements (the skip link's target, the contents, the sources).
COLLIDING = (
    "## Why it matters\n\n## Main\n\n## Contents\n\n## On this page\n\n## Page contents\n\n"
    "## Chapter sources\n\n## Sources for this chapter\n\n## Chapter title\n\n"
    "## The immediate apology\n\n## Signs list\n\n## Signs quiz"
)


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


def page_ids(client, url: str) -> Ids:
    response = client.get(url)
    assert response.status_code in {200, 404}, url
    parser = Ids()
    parser.feed(response.content.decode())
    return parser


def crawl(client) -> dict[str, Ids]:
    pages: dict[str, Ids] = {}
    queue = ["/", *EXTRA_PAGES]
    while queue:
        url = queue.pop(0)
        if url in pages:
            continue
        pages[url] = page_ids(client, url)
        queue += [
            link
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
