"""Guide content models: citations, visibility, reading time, where items live."""

import pytest

from guide.models import Section, Strategy, chapter_url, reading_minutes
from tests.factories import make_reference, make_section, make_strategy, make_user

pytestmark = pytest.mark.django_db


def test_a_book_citation_is_apa_7_with_the_title_in_italics():
    book = make_reference(
        authors="Levine, A., & Heller, R.",
        year=2010,
        title="Attached: The New Science of Adult Attachment",
        source="Penguin Books",
    )

    assert book.citation_html() == (
        "Levine, A., &amp; Heller, R. (2010). "
        "<i>Attached: The New Science of Adult Attachment</i>. Penguin Books."
    )


def test_a_journal_citation_italicises_journal_and_volume_and_links_the_doi():
    article = make_reference(
        authors="Roisman, G. I. et al.",
        year=2002,
        title="Earned-Secure Attachment Status in Retrospect and Prospect",
        source="Child Development",
        volume="73",
        issue="4",
        pages="1204-1219",
        doi="10.1111/1467-8624.00467",
    )

    assert article.citation_html() == (
        "Roisman, G. I. et al. (2002). Earned-Secure Attachment Status in Retrospect and "
        "Prospect. <i>Child Development, 73</i>(4), 1204\u20131219. "
        '<a href="https://doi.org/10.1111/1467-8624.00467">'
        "https://doi.org/10.1111/1467-8624.00467</a>"
    )


def test_citation_escapes_what_an_editor_typed():
    reference = make_reference(title="<b>Bold</b> claims")

    assert "<b>" not in reference.citation_html()
    assert "&lt;b&gt;Bold&lt;/b&gt;" in reference.citation_html()


def test_drafts_are_visible_to_staff_only():
    make_section(slug="public")
    make_section(slug="draft", published=False)
    reader = make_user()
    editor = make_user(is_staff=True)

    assert set(Section.objects.visible_to(reader).values_list("slug", flat=True)) == {"public"}
    assert set(Section.objects.visible_to(editor).values_list("slug", flat=True)) == {
        "public",
        "draft",
    }


def test_reading_time_rounds_up_and_is_never_zero():
    assert reading_minutes("") == 1
    assert reading_minutes("word " * 220) == 1
    assert reading_minutes("word " * 221) == 2
    # Markup is not read: 300 + 200 words over two texts is three minutes.
    assert reading_minutes("<p>" + "word " * 300 + "</p>", "word " * 200) == 3


def test_items_point_at_the_chapter_that_shows_them():
    make_section(slug="the-references", component=Section.Component.REFERENCES)
    reference = make_reference(slug="bowlby-1988")
    strategy = make_strategy(slug="do-the-opposite", path=Strategy.Path.AVOIDANT)

    assert reference.get_absolute_url() == "/guide/the-references/#bowlby-1988"
    assert strategy.get_absolute_url() == "/strategies/do-the-opposite/"
    assert chapter_url(Section.Component.FAQS) == "/"


def test_the_introduction_lives_on_the_home_page():
    intro = make_section(component=Section.Component.INTRO)

    assert intro.get_absolute_url() == "/"


def test_reference_is_article_only_with_a_volume_or_pages():
    assert make_reference(volume="73").is_article
    assert make_reference(pages="1-9").is_article
    assert not make_reference().is_article
