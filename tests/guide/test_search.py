"""Search: PostgreSQL full-text across the guide, ranked, highlighted, linked to the place."""

from __future__ import annotations

import re
from unittest import mock

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template import Context, Template
from django.utils.safestring import SafeString

from guide.models import FAQ, Strategy
from guide.search import MAX_QUERY_LENGTH, Result, results_html, search_guide, snippet_html
from tests.factories import (
    make_faq,
    make_second_factor,
    make_section,
    make_sign,
    make_strategy,
    make_user,
    signed_in_with,
)


def _anonymous() -> AnonymousUser:
    return AnonymousUser()


def search(client, query: str) -> str:
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    return response.content.decode()


def test_the_physiological_sigh_is_found_and_links_to_its_strategy(client, guide):
    page = search(client, "physiological sigh")

    assert (
        '<a href="/strategies/physiological-sigh/" '
        'data-print-url="http://testserver/strategies/physiological-sigh/">'
        "Master the Physiological Sigh</a>"
    ) in page
    assert "<mark>physiological</mark> <mark>sigh</mark>" in page


def test_results_span_chapters_strategies_therapies_questions_and_signs(guide):
    kinds = {result.kind for result in search_guide("partner", user=_anonymous())}

    assert kinds == {"Chapter", "Strategy", "Therapy", "Question", "Sign of security"}


@pytest.mark.parametrize(
    ("query", "slug"),
    [("empathy", "empathy-for-partner"), ("boundaries", "clear-boundaries")],
)
def test_the_signs_are_found_and_link_to_their_place_in_the_signs_chapter(guide, query, slug):
    results = search_guide(query, user=_anonymous())

    signs = [result for result in results if result.kind == "Sign of security"]
    assert [result.url for result in signs] == [f"/guide/signs-of-secure-attachment/#{slug}"]
    assert signs[0].context == "Signs of Secure Attachment"
    assert signs[0].title.startswith("You ")


def test_a_sign_whose_chapter_is_a_draft_is_not_offered(db):
    make_section(slug="signs", component="signs", published=False)
    make_sign(text="You hold a lantern steady")

    assert search_guide("lantern", user=_anonymous()) == []


def test_english_stemming_matches_other_forms_of_a_word(guide):
    results = search_guide("repairing", user=_anonymous())

    titles = [result.title for result in results]
    assert "Creating Secure Relationships" in titles


def test_a_title_match_ranks_above_a_body_match(db):
    make_strategy(slug="in-body", title="Breathing", body="Mention boundaries once here.")
    make_strategy(slug="in-title", title="Boundaries", body="Nothing else to see.")

    results = search_guide("boundaries", user=_anonymous())

    assert [result.url for result in results] == [
        "/strategies/in-title/",
        "/strategies/in-body/",
    ]


def test_therapies_and_questions_link_to_their_anchor_in_the_chapter(guide):
    therapy = search_guide("Francine Shapiro", user=_anonymous())[0]
    question = search_guide("jealous", user=_anonymous())[0]

    assert therapy.url == "/guide/therapy-that-helps/#emdr"
    assert question.url == "/guide/frequently-asked-questions/#jealous-or-anxious"
    assert question.context == "Frequently Asked Questions"


def test_a_chapter_result_links_to_the_subsection_that_matched(guide):
    results = search_guide("firmware", user=_anonymous())

    assert results[0].url == "/guide/what-is-secure-attachment/#internal-working-models"


def test_a_match_under_a_fourth_level_heading_links_to_that_heading(db):
    make_section(
        slug="deep",
        title="Deep",
        body="Opening words.\n\n## First\n\nNothing here.\n\n### Second\n\nStill nothing."
        "\n\n#### Third\n\nA lighthouse stands here.",
    )

    assert search_guide("lighthouse", user=_anonymous())[0].url == "/guide/deep/#third"


def test_the_subsection_is_found_by_whole_words_not_parts_of_words(db):
    make_section(
        slug="studio",
        title="Studio",
        body="Opening words.\n\n## With a partner\n\nSit with your partner.\n\n"
        "## Making things\n\nMaking art together.",
    )

    assert search_guide("art", user=_anonymous())[0].url == "/guide/studio/#making-things"


def test_a_match_in_the_closing_text_links_to_its_heading_with_the_page_s_own_id(db):
    make_section(
        slug="twice",
        title="Twice",
        body="## Notes\n\nFirst notes.",
        closing="## Notes\n\nA compass rose.",
    )

    assert search_guide("compass", user=_anonymous())[0].url == "/guide/twice/#notes_1"


def test_a_chapter_title_match_ranks_above_a_question_that_mentions_it(db):
    make_section(slug="faqs", component="faqs", title="Questions")
    make_faq(slug="q", question="What now?", answer="Lanterns help, and lanterns glow.")
    make_section(slug="lanterns", title="Lanterns", body="A chapter about light.")

    results = search_guide("lanterns", user=_anonymous())

    assert [(result.kind, result.url) for result in results] == [
        ("Chapter", "/guide/lanterns/"),
        ("Question", "/guide/faqs/#q"),
    ]


def test_snippets_leave_out_the_markers_of_list_items(guide):
    results = search_guide("engine", user=_anonymous())
    with mock.patch.object(connection, "vendor", "sqlite"):
        fallback = search_guide("engine", user=_anonymous())

    for result in (results[0], fallback[0]):
        assert result.title == "Creating Secure Relationships"
        assert "<mark>engine</mark>" in result.snippet
        assert "growth Protect each other" in result.snippet
        assert not re.search(r"(^|\s)-\s", result.snippet), result.snippet


def test_snippets_keep_a_heading_apart_from_the_sentence_after_it(guide):
    results = search_guide("perfectly attuned", user=_anonymous())
    with mock.patch.object(connection, "vendor", "sqlite"):
        fallback = search_guide("perfectly attuned", user=_anonymous())

    for result in (results[0], fallback[0]):
        assert result.title == "Creating Secure Relationships"
        assert "Repair After Rupture — No couple is <mark>perfectly</mark>" in result.snippet
        assert "Rupture No couple" not in result.snippet


def test_a_heading_in_a_snippet_ends_with_one_dash_whatever_its_markup(db):
    make_section(
        slug="marked-up",
        body="Zeppelin rides.\n\n## Why? ##\nzeppelin stays.\n\n"
        "#### Deep heading\n\nzeppelin again.",
    )

    (result,) = search_guide("zeppelin", user=_anonymous())
    with mock.patch.object(connection, "vendor", "sqlite"):
        (fallback,) = search_guide("zeppelin", user=_anonymous())

    for snippet in (result.snippet, fallback.snippet):
        assert "rides. Why? — <mark>zeppelin</mark> stays." in snippet, snippet
        assert "Deep heading — <mark>zeppelin</mark> again" in snippet, snippet


def test_a_phrase_in_quotes_is_matched_as_a_phrase(guide):
    assert search_guide('"couple bubble"', user=_anonymous())
    assert not search_guide('"bubble couple"', user=_anonymous())


def test_drafts_are_not_found_by_the_public_but_are_by_staff(guide):
    Strategy.objects.filter(slug="physiological-sigh").update(published=False)

    assert search_guide("physiological sigh", user=_anonymous()) == []
    staff = make_user(is_staff=True)
    assert search_guide("physiological sigh", user=signed_in_with(staff, None)) == []
    staff = signed_in_with(staff, make_second_factor(staff))
    assert search_guide("physiological sigh", user=staff)[0].title == (
        "Master the Physiological Sigh"
    )


def test_a_question_whose_chapter_is_a_draft_is_not_offered(db):
    make_faq(question="Where is the bubble?", answer="Here.")
    make_section(slug="faqs", component="faqs", published=False)

    assert search_guide("bubble", user=_anonymous()) == []


def test_snippets_are_escaped_whatever_an_editor_wrote(client, db):
    make_strategy(slug="x", title="Odd", body="Boundaries <img src=x onerror=alert(1)> matter.")

    page = search(client, "boundaries")

    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)" in page
    assert "<mark>Boundaries</mark>" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Type a word or two to search for"),
        ("a", "is too short to search for"),
        ("x" * 1000, f"at most {MAX_QUERY_LENGTH} characters"),
    ],
)
def test_empty_short_and_huge_queries_get_a_helpful_page(client, guide, query, message):
    page = search(client, query)

    assert message in page
    assert 'href="/guide/what-is-secure-attachment/"' in page  # browse the chapters instead
    assert "x" * (MAX_QUERY_LENGTH + 1) not in page  # the form keeps only what fits


def test_no_results_suggest_browsing(client, guide):
    page = search(client, "zebra")

    assert "No results for “zebra”" in page
    assert "Browse the chapters" in page


def test_search_without_a_query_is_a_plain_form(client, guide):
    page = client.get("/search/").content.decode()

    assert '<form class="search-form" role="search" method="get" action="/search/">' in page
    assert "csrfmiddlewaretoken" not in page
    assert "Type a word" not in page


def test_result_pages_are_not_indexed_and_point_canonical_at_search(client, guide):
    page = search(client, "trust")

    assert '<meta name="robots" content="noindex">' in page
    assert '<link rel="canonical" href="http://testserver/search/">' in page


def test_stop_words_alone_find_nothing_without_an_error(client, guide):
    assert "No results" in search(client, "the and of")


def test_sqlite_fallback_searches_the_same_fields_and_reads_quotes_as_words(guide):
    with mock.patch.object(connection, "vendor", "sqlite"):
        shapiro = search_guide("Shapiro", user=_anonymous())
        phrase = search_guide('"couple bubble"', user=_anonymous())
        signs = search_guide("boundaries", user=_anonymous())

    assert [result.url for result in shapiro] == ["/guide/therapy-that-helps/#emdr"]
    assert "/guide/creating-secure-relationships/" in [result.url for result in phrase]
    assert "/guide/signs-of-secure-attachment/#clear-boundaries" in [r.url for r in signs]


def test_sqlite_fallback_matches_every_word_and_marks_it(guide):
    with mock.patch.object(connection, "vendor", "sqlite"):
        results = search_guide("physiological sigh", user=_anonymous())
        faq = search_guide("jealous", user=_anonymous())

    assert results[0].url == "/strategies/physiological-sigh/"
    assert "<mark>physiological</mark>" in results[0].snippet.lower()
    assert faq[0].url == "/guide/frequently-asked-questions/#jealous-or-anxious"
    assert FAQ.objects.filter(slug="jealous-or-anxious").exists()


def test_control_characters_are_dropped_not_an_error(client, guide):
    page = search(client, "physio\x00logical sigh\x07")

    assert "Master the Physiological Sigh" in page


def test_search_syntax_a_reader_might_type_never_breaks(client, guide):
    for query in ['"unbalanced', "- : & ! | ( )", "or", "sigh -physiological", "<b>sigh</b>"]:
        assert "Search the guide" in search(client, query)


# The list items search.html drew before guide.search.results_html wrote them.
RESULT_ITEMS_TEMPLATE = """{% load print_urls %}{% for result in results %}
            <li class="result">
              <p class="result-kind">{{ result.kind }}{% if result.context %} <span aria-hidden="true">·</span> {{ result.context }}{% endif %}</p>
              <h3 class="result-title"><a href="{{ result.url }}" data-print-url="{% print_url result.url %}">{{ result.title }}</a></h3>
              {% if result.snippet %}<p class="result-snippet">{{ result.snippet }}</p>{% endif %}
            </li>
          {% endfor %}"""  # noqa: E501


def test_result_items_are_the_markup_the_template_drew_with_every_text_escaped(rf):
    request = rf.get("/search/", {"q": "x"})
    results = [
        Result(
            "Chapter",
            "Repair <after> rupture",
            "/guide/repair/#step-2",
            snippet_html("Try \u27e6repair\u27e7 & <b>rest</b>"),
            "",
            1.0,
        ),
        Result(
            "Strategy",
            'A "quoted" title & more',
            "/strategies/a/",
            SafeString(""),
            "Anxious <path>",
            0.5,
        ),
        Result(
            "Question",
            "Why?",
            "/guide/faqs/?x=1&y=<2>#why",
            snippet_html("plain"),
            "Questions & answers",
            0.2,
        ),
    ]

    written = results_html(results, request)

    drawn = Template(RESULT_ITEMS_TEMPLATE).render(
        Context({"results": results, "request": request})
    )
    assert written == drawn
    assert "<after>" not in written and "<path>" not in written and "<b>" not in written
    assert "<mark>repair</mark>" in written
