"""The one markdown renderer: accessible tables and the headings a page's contents list."""

import re

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
