"""The one markdown renderer: accessible tables and the headings a page's contents list."""

import re

import pytest

from guide.markdown import outline, render

TABLE = """Table: Two ways to be secure

| Continuous Secure | Earned Secure |
|---|---|
| Consistent caregiving | Harsh early environment |
"""


def test_a_table_paragraph_becomes_the_caption_and_headers_get_a_scope():
    html = render(TABLE)

    assert "<caption>Two ways to be secure</caption>" in html
    assert html.count('<th scope="col">') == 2
    assert "<p>Table:" not in html


def test_a_table_without_a_caption_paragraph_still_gets_header_scopes():
    html = render("Just a paragraph.\n\n| A | B |\n|---|---|\n| 1 | 2 |\n")

    assert "<caption>" not in html
    assert "<p>Just a paragraph.</p>" in html
    assert html.count('<th scope="col">') == 2


def test_a_caption_cannot_smuggle_markup():
    html = render("Table: <script>alert(1)</script> *safe*\n\n| A |\n|---|\n| 1 |\n")

    assert "<script" not in html
    assert "<em>safe</em>" in html


def test_outline_lists_h2_and_h3_with_their_anchor_ids_but_not_the_permalink_sign():
    html = render("Intro.\n\n## Internal Working Models\n\ntext\n\n### A detail\n\n#### Too deep\n")

    assert outline(html) == [
        {"id": "internal-working-models", "title": "Internal Working Models", "level": 2},
        {"id": "a-detail", "title": "A detail", "level": 3},
    ]


def test_outline_of_nothing_is_empty():
    assert outline(render("")) == []


def test_a_heading_is_named_by_its_title_alone_and_its_permalink_says_where_it_points():
    html = render("## Build *Emotional* Awareness\n\ntext")

    heading = re.search(r"<h2 id=\"build-emotional-awareness\">(.*?)</h2>", html).group(1)
    assert heading == "Build <em>Emotional</em> Awareness"  # no "#" read out with the title
    assert (
        '<a aria-label="Link to this section: Build Emotional Awareness" class="anchor" '
        'href="#build-emotional-awareness"'
    ) in html
    assert html.startswith('<div class="heading"><h2')


def test_texts_on_one_page_never_repeat_a_heading_id():
    page_ids = {"main", "chapter-sources"}

    body = render("## Why\n\n## Sources\n\n## Main", page_ids)
    closing = render("## Why\n\n## Why", page_ids)

    assert re.findall(r'<h2 id="([^"]+)"', body) == ["why", "sources", "main-section"]
    assert re.findall(r'<h2 id="([^"]+)"', closing) == ["why_1", "why_2"]
    assert 'href="#why_2"' in closing
    assert page_ids >= {"why", "why_1", "why_2", "sources", "main-section"}


def test_a_permalink_always_points_at_the_id_its_heading_keeps():
    for source in ["## Title {: #main }", "## Title {: #Not_Valid! }", "## Title {: #contents }"]:
        html = str(render(source))

        heading_id = re.search(r'<h2 id="([^"]+)"', html).group(1)
        assert f'href="#{heading_id}"' in html, html
        assert heading_id not in {"main", "contents"}


def test_an_editor_cannot_forge_a_heading_wrapper_class_elsewhere():
    html = render('<p class="heading anchor">x</p>\n\n<a class="heading" href="/x">y</a>')

    assert 'class="heading"' not in html.replace('<div class="heading">', "")


def heading_ids(html: str) -> list[str]:
    return re.findall(r'<h\d id="([^"]+)"', str(html))


def test_a_top_level_heading_becomes_a_real_h2_with_its_permalink():
    html = render("# Where security begins\n\nText.")

    assert "<h1" not in html
    assert heading_ids(html) == ["where-security-begins"]
    assert 'href="#where-security-begins"' in html
    assert outline(html) == [
        {"id": "where-security-begins", "title": "Where security begins", "level": 2}
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("## Привет мир", "section"),
        ("## ...", "section"),
        ("## 安全感", "section"),
        ("## " + "word " * 30, "word-" * 14 + "wo"),  # cut to 72 characters
    ],
)
def test_every_heading_keeps_an_id_its_permalink_and_the_contents_can_use(source, expected):
    html = render(f"{source}\n\n{source}")

    assert heading_ids(html) == [expected, f"{expected}_1"]
    for heading_id in heading_ids(html):
        assert f'href="#{heading_id}"' in html
        assert len(heading_id) <= 80
    assert [entry["id"] for entry in outline(html)] == heading_ids(html)


def test_ids_typed_in_raw_html_or_on_other_elements_never_reach_the_page():
    html = render(
        '<h2 id="chapter-title">Raw</h2>\n\n<span id="main">x</span> <abbr id="q">y</abbr>\n\n'
        "A paragraph\n{: #page-contents }\n\n## A heading {: #strategy-sources }"
    )

    assert heading_ids(html) == ["a-heading"]
    assert re.findall(r'\bid="([^"]+)"', html) == ["a-heading"]


def test_footnotes_link_both_ways_and_stay_unique_across_a_pages_texts():
    page_ids: set[str] = set()

    body = render("A claim[^1] and another[^src].\n\n[^1]: First note.\n[^src]: Second.", page_ids)
    closing = render("More[^1].\n\n[^1]: The closing's note.", page_ids)

    for html in (body, closing):
        ids = re.findall(r'\bid="([^"]+)"', html)
        links = re.findall(r'href="#([^"]+)"', html)
        assert ids and sorted(set(links)) == sorted(ids), html  # every link lands, both ways
    assert re.findall(r'\bid="([^"]+)"', body) == ["fnref-1", "fnref-src", "fn-1", "fn-src"]
    assert re.findall(r'\bid="([^"]+)"', closing) == ["fnref-1_1", "fn-1_1"]
    assert "The closing’s note." in closing
