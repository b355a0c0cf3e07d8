"""The one markdown renderer: accessible tables and the headings a page's contents list."""

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
