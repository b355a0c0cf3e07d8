"""Guide content models: citations, visibility, reading time, where items live."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from guide.models import Chapters, Section, Strategy, reading_minutes
from tests.factories import (
    make_faq,
    make_reference,
    make_second_factor,
    make_section,
    make_sign,
    make_strategy,
    make_therapy,
    make_user,
    signed_in_with,
)

pytestmark = pytest.mark.django_db


def _anonymous() -> AnonymousUser:
    return AnonymousUser()


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
    reader = signed_in_with(make_user(), None)
    editor = make_user(is_staff=True)
    editor = signed_in_with(editor, make_second_factor(editor))

    assert set(Section.objects.visible_to(reader).values_list("slug", flat=True)) == {"public"}
    assert set(Section.objects.visible_to(editor).values_list("slug", flat=True)) == {
        "public",
        "draft",
    }


def test_drafts_stay_hidden_from_staff_signed_in_with_a_password_alone():
    make_section(slug="public")
    make_section(slug="draft", published=False)
    password_only = signed_in_with(make_user(is_staff=True), None)

    assert set(Section.objects.visible_to(password_only).values_list("slug", flat=True)) == {
        "public"
    }


def test_reading_time_rounds_up_and_is_never_zero():
    assert reading_minutes("") == 1
    assert reading_minutes("word " * 220) == 1
    assert reading_minutes("word " * 221) == 2
    # Markup is not read: 300 + 200 words over two texts is three minutes.
    assert reading_minutes("<p>" + "word " * 300 + "</p>", "word " * 200) == 3


def test_items_point_at_the_chapter_that_shows_them():
    make_section(slug="the-references", component=Section.Component.REFERENCES)
    make_section(slug="the-signs", component=Section.Component.SIGNS)
    make_section(slug="the-therapies", component=Section.Component.THERAPIES)
    reference = make_reference(slug="bowlby-1988")
    strategy = make_strategy(slug="do-the-opposite", path=Strategy.Path.AVOIDANT)

    assert reference.get_absolute_url() == "/guide/the-references/#bowlby-1988"
    assert make_sign(slug="calm").get_absolute_url() == "/guide/the-signs/#calm"
    assert make_therapy(slug="eft").get_absolute_url() == "/guide/the-therapies/#eft"
    assert strategy.get_absolute_url() == "/strategies/do-the-opposite/"
    # No chapter shows questions: the guide's contents are the nearest place.
    assert make_faq(slug="why").get_absolute_url() == "/"


def test_chapters_answer_where_an_item_lives_for_the_reader(django_assert_num_queries):
    make_section(slug="intro", component=Section.Component.INTRO)
    make_section(slug="signs", component=Section.Component.SIGNS)
    make_section(slug="faqs", component=Section.Component.FAQS, published=False)
    sign, faq = make_sign(slug="calm"), make_faq(slug="why")
    strategy = make_strategy(slug="sigh")

    with django_assert_num_queries(1):
        chapters = Chapters.visible_to(_anonymous())
        urls = [chapters.url_for(item) for item in (sign, faq, strategy)]

    assert [chapter.slug for chapter in chapters] == ["signs"]  # no intro, no draft
    assert urls == ["/guide/signs/#calm", None, "/strategies/sigh/"]
    assert chapters.signs.slug == "signs" and chapters.references is None


def test_the_introduction_lives_on_the_home_page():
    intro = make_section(component=Section.Component.INTRO)

    assert intro.get_absolute_url() == "/"


def test_reference_is_article_only_with_a_volume_or_pages():
    assert make_reference(volume="73").is_article
    assert make_reference(pages="1-9").is_article
    assert not make_reference().is_article


@pytest.mark.parametrize(
    "make_bad_row",
    [
        lambda: make_section(component="sidebar"),
        lambda: make_strategy(path="sideways"),
        lambda: make_sign(leaning="neither"),
    ],
    ids=["section-component", "strategy-path", "sign-leaning"],
)
def test_the_database_refuses_a_value_outside_the_choices(make_bad_row):
    with pytest.raises(IntegrityError), transaction.atomic():
        make_bad_row()


def test_the_database_refuses_two_chapters_showing_the_same_items():
    make_section(slug="signs", component=Section.Component.SIGNS)

    with pytest.raises(IntegrityError), transaction.atomic():
        make_section(slug="more-signs", component=Section.Component.SIGNS)

    assert list(Section.objects.values_list("slug", flat=True)) == ["signs"]


def test_any_number_of_chapters_may_show_only_their_body():
    make_section(component=Section.Component.NONE)
    make_section(component=Section.Component.NONE)

    assert Section.objects.filter(component="").count() == 2
