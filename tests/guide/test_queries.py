"""Every guide page renders in a small, fixed number of queries, whatever the item count."""

from __future__ import annotations

import pytest
from django.core.exceptions import FieldFetchBlocked
from django.db import connection
from django.test.utils import CaptureQueriesContext

from guide.changes import record_change
from guide.models import Section, Strategy, SupportResource
from tests.factories import (
    make_faq,
    make_reference,
    make_reviewer,
    make_section,
    make_sign,
    make_strategy,
    make_support_resource,
    make_therapy,
    make_user,
    staff_login,
)

pytestmark = pytest.mark.django_db

# Exact counts: a page that starts costing more should be noticed, not absorbed by slack.
URLS = {
    "/": 2,
    "/guide/": 10,  # the chapters, then each typed chapter's items for its reading time
    "/guide/signs/": 5,
    "/guide/anxious/": 4,
    "/guide/repair/": 4,
    "/guide/therapies/": 4,
    "/guide/faqs/": 4,
    "/guide/references/": 5,
    "/guide/signs/changes/": 2,
    "/strategies/strategy-a/": 5,
    # The chapters results link to, one ranking across every kind of item, then the snippets
    # of the results shown, one query per kind of item among them.
    "/search/?q=practice": 3,  # only strategies match: one snippet query
    "/search/?q=zebra": 3,  # nothing found: no snippets, then the chapters to browse
    "/search/?q=": 1,
    "/sitemap.xml": 3,  # chapters with their sources' dates, items' dates, strategies
    "/feed/": 1,
    "/support/us/": 1,
    "/support/uk/": 1,
    "/how-we-score/": 3,  # the signs, the chapters, the quiz version
}


def build_guide() -> None:
    reviewer = make_reviewer()
    make_section(slug="intro", component=Section.Component.INTRO, title="Secure intro")
    for component in ["signs", "anxious", "avoidant", "repair", "therapies", "faqs", "references"]:
        make_section(
            slug=component, component=component, title=f"Secure {component}", reviewer=reviewer
        )
    make_strategy(slug="strategy-a", title="Secure start", path=Strategy.Path.ANXIOUS)


def add_items(count: int) -> None:
    """``count`` more of everything, with relations, so a lazy load would show as N queries."""
    chapters = list(Section.objects.exclude(component=Section.Component.INTRO))
    anchor = Strategy.objects.get(slug="strategy-a")
    for _ in range(count):
        strategies = [
            make_strategy(path=path, body="Secure practice.") for path in Strategy.Path.values
        ]
        sign = make_sign()
        sign.strategies.set([*strategies, anchor])
        make_therapy(body="Secure therapy.")
        make_faq(answer="Secure answer.")
        reference = make_reference()
        reference.sections.set(chapters)
        for chapter in chapters:
            record_change(chapter, note=f"Changed {chapter.slug}.")
        record_change(sign, note="A sign changed.")
        for region in SupportResource.Region.values:
            make_support_resource(region=region, purpose=SupportResource.Purpose.DOMESTIC_ABUSE)


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_every_page_costs_its_exact_queries_for_1_and_for_100_of_each_item(
    client, django_assert_num_queries
):
    build_guide()
    add_items(1)
    for url, budget in URLS.items():
        with django_assert_num_queries(budget, info=f"{url} with 1 of each item"):
            assert client.get(url).status_code == 200, url

    add_items(99)
    for url, budget in URLS.items():
        with django_assert_num_queries(budget, info=f"{url} with 100 of each item"):
            assert client.get(url).status_code == 200, url


def test_search_costs_one_snippet_query_per_kind_of_item_shown_for_1_and_for_100_of_each(
    client,
):
    """Chapters, strategies, therapies and questions all match "secure": the chapters results
    link to, the ranking, then one query per kind among the results shown, never per item."""
    build_guide()
    for count in (1, 99):
        add_items(count)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/search/?q=secure")
        kinds = {result.kind for result in response.context["results"]}

        assert response.status_code == 200
        assert kinds, "the search finds something"
        assert len(queries) == 2 + len(kinds), [q["sql"][:80] for q in queries]


def test_a_signed_in_reader_costs_only_the_session_and_user_lookups_more(client):
    build_guide()
    add_items(3)
    anonymous = count_queries(client, "/guide/signs/")
    client.force_login(make_user())

    assert count_queries(client, "/guide/signs/") == anonymous + 2


def test_fetch_raise_is_in_force_for_the_page_tests(fetch_raise):
    make_section(slug="deferred")

    with pytest.raises(FieldFetchBlocked):
        _ = Section.objects.only("id").get(slug="deferred").title


@pytest.mark.parametrize("url", URLS)
def test_no_page_loads_anything_lazily(client, fetch_raise, url):
    build_guide()
    add_items(2)

    assert client.get(url).status_code == 200


def test_no_page_loads_anything_lazily_for_staff_either(client, fetch_raise):
    build_guide()
    add_items(2)
    staff_login(client, make_user(is_staff=True))

    for url in URLS:
        assert client.get(url).status_code == 200, url


def test_the_home_page_reads_only_the_introduction_s_body(client):
    build_guide()
    add_items(2)

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200

    reading_bodies = [query["sql"] for query in queries if '"body"' in query["sql"]]
    assert len(reading_bodies) == 1
    assert "= 'intro'" in reading_bodies[0]  # the chapters' contents come without bodies
