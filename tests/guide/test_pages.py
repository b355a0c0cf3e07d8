"""Reading the guide: what each page shows, who may see drafts, how pages behave for caches."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from guide.models import FAQ, Reference, Section, Sign, Strategy, Therapy
from tests.factories import make_section, make_sign, make_strategy, make_user, staff_login

QUIZ = reverse("assessments:quiz")
LOGIN = reverse("assessments:login")
CHAPTERS = [
    "what-is-secure-attachment",
    "characteristics-of-secure-attachment",
    "signs-of-secure-attachment",
    "earned-security",
    "from-anxious-to-secure",
    "from-avoidant-to-secure",
    "therapy-that-helps",
    "creating-secure-relationships",
    "frequently-asked-questions",
    "references",
]


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def chapter(client: Client, slug: str) -> str:
    return html(client.get(f"/guide/{slug}/"))


def test_home_opens_with_the_guide_lists_every_chapter_and_invites_to_the_quiz(client, guide):
    page = html(client.get("/"))

    assert page.count("<h1") == 1
    assert "attachment security is not a lottery" in page
    for slug in CHAPTERS:
        assert f'href="/guide/{slug}/"' in page
    summary = Section.objects.get(slug="earned-security").summary
    assert summary in page
    assert f'href="{QUIZ}"' in page


def test_start_reading_opens_the_first_chapter(client, guide):
    page = html(client.get("/"))

    assert f'<a class="button" href="/guide/{CHAPTERS[0]}/">Start reading</a>' in page


def test_a_chapter_has_its_contents_anchors_reading_time_and_review_line(client, guide):
    page = chapter(client, "characteristics-of-secure-attachment")

    assert page.count("<h1") == 1
    assert 'aria-labelledby="page-contents"' in page
    for anchor in ["balancing-intimacy-and-independence", "conflict-resolution", "chapter-sources"]:
        assert f'href="#{anchor}"' in page
        assert f'id="{anchor}"' in page
    assert re.search(r"\d+ min read", page)
    assert 'Last reviewed <time datetime="2026-11-27">November 27, 2026</time>' in page
    assert 'by <a href="#chapter-credits">Secure Base editorial team</a>' in page


def test_chapters_follow_the_seed_order_with_previous_and_next(client, guide):
    for index, slug in enumerate(CHAPTERS):
        page = chapter(client, slug)
        assert f"Chapter {index + 1} of {len(CHAPTERS)}" in page
        if index + 1 < len(CHAPTERS):
            assert f'href="/guide/{CHAPTERS[index + 1]}/" rel="next"' in page
        else:
            assert 'rel="next"' not in page
        previous = f"/guide/{CHAPTERS[index - 1]}/" if index else "/"
        assert f'href="{previous}" rel="prev"' in page


def test_chapters_sharing_an_order_read_in_the_order_they_were_made_skipping_hidden(client, db):
    first = make_section(slug="first", title="First", order=5)
    make_section(slug="hidden", title="Hidden", order=5, published=False)
    second = make_section(slug="second", title="Second", order=5)
    third = make_section(slug="third", title="Third", order=1)

    pages = {s.slug: chapter(client, s.slug) for s in (third, first, second)}

    assert "Chapter 1 of 3" in pages["third"]
    assert (
        'href="/guide/first/" rel="next"><span class="pager-label">Next</span> First'
        in (pages["third"])
    )
    assert "Chapter 2 of 3" in pages["first"]
    assert 'href="/guide/third/" rel="prev"' in pages["first"]
    assert 'href="/guide/second/" rel="next"' in pages["first"]
    assert "Chapter 3 of 3" in pages["second"]
    assert (
        'href="/guide/first/" rel="prev"><span class="pager-label">Previous</span> First'
        in (pages["second"])
    )
    assert 'rel="next"' not in pages["second"]
    assert "Hidden" not in "".join(pages.values())


def test_a_chapter_lists_the_references_it_cites(client, guide):
    page = chapter(client, "earned-security")

    sources = page.split('id="chapter-sources"')[1]
    assert "Roisman, G. I. et al. (2002)" in sources
    assert "<i>Child Development, 73</i>(4), 1204–1219." in sources
    assert "Bowlby" not in sources


def test_signs_link_to_the_quiz_and_to_the_strategies_that_help(client, guide):
    page = chapter(client, "signs-of-secure-attachment")

    assert f'href="{QUIZ}"' in page
    signs = Sign.objects.prefetch_related("strategies")
    assert len(signs) == 15
    for sign in signs:
        item = page.split(f'<li id="{sign.slug}">')[1].split("</li>")[0]
        assert escape(sign.text) in item
        for strategy in sign.strategies.all():
            assert f'href="/strategies/{strategy.slug}/"' in item


def test_strategies_are_numbered_anchored_and_each_has_its_own_page(client, guide):
    page = chapter(client, "from-anxious-to-secure")

    assert '<span class="step-number">2.</span> Master the Physiological Sigh' in page
    assert 'id="physiological-sigh"' in page
    assert 'href="/strategies/physiological-sigh/"' in page

    strategy = html(client.get("/strategies/physiological-sigh/"))
    assert "<h1" in strategy and "Master the Physiological Sigh" in strategy
    assert "double inhale through the nose" in strategy
    assert "Strategy 2 of 4" in strategy
    assert 'href="/guide/signs-of-secure-attachment/#no-fear-of-abandonment"' in strategy


def test_anonymous_readers_get_a_sign_in_link_to_save_not_a_form(client, guide):
    for url in ["/strategies/physiological-sigh/", "/guide/from-anxious-to-secure/"]:
        page = html(client.get(url))
        assert f'href="{LOGIN}?next=/strategies/physiological-sigh/"' in page
        assert "<form" not in page.split("<main")[1].split("</main>")[0].replace(
            '<form class="search-form"', ""
        )
        assert "csrfmiddlewaretoken" not in page


def test_signed_in_readers_get_a_save_form_for_each_strategy(client, guide):
    client.force_login(make_user())

    page = html(client.get("/guide/from-avoidant-to-secure/"))

    for strategy in Strategy.objects.filter(path=Strategy.Path.AVOIDANT):
        save = reverse("assessments:save", args=[strategy.slug])
        assert f'method="post" action="{save}"' in page
    # One form per strategy in the page's content (the header's sign-out form is apart).
    main = page.split("<main")[1].split("</main>")[0]
    assert main.count("csrfmiddlewaretoken") == 4
    assert f"{LOGIN}?next=" not in page


def test_repair_scripts_are_quotes_under_repair_after_rupture(client, guide):
    page = chapter(client, "creating-secure-relationships")

    after = page.split('id="repair-after-rupture"')[1]
    apology = after.split('id="the-immediate-apology"')[1]
    assert apology.index("<h3>The Immediate Apology") < apology.index("<blockquote>")
    assert "“I am sorry for my part in that." in apology
    assert "<li>Place the relationship at the center – it is the engine" in page


def test_therapies_show_who_developed_them_and_whom_they_suit(client, guide):
    page = chapter(client, "therapy-that-helps")

    for therapy in Therapy.objects.all():
        block = page.split(f'id="{therapy.slug}"')[1].split("</section>")[0]
        assert f"<dt>Developed by</dt><dd>{therapy.developed_by}</dd>" in block
        assert f"<strong>Best for:</strong> {therapy.best_for}" in block
    assert "Francine Shapiro" in page and "Richard C. Schwartz" in page


def test_the_faq_is_a_details_list_with_anchors(client, guide):
    page = chapter(client, "frequently-asked-questions")

    assert page.count('<details class="faq"') == FAQ.objects.count() == 7
    assert '<details class="faq" id="without-therapy" open>' in page
    assert "<summary>Can you become secure without therapy?</summary>" in page


def test_references_are_citations_linking_back_to_the_chapters_citing_them(client, guide):
    page = chapter(client, "references")

    for reference in Reference.objects.prefetch_related("sections"):
        entry = page.split(f'<li id="{reference.slug}">')[1].split("</li>")[0]
        assert str(reference.citation_html()) in entry
        for section in reference.sections.all():
            assert f'href="/guide/{section.slug}/"' in entry
    assert page.index('id="bowlby-1988"') < page.index('id="tatkin-2012"')


def test_the_earned_security_table_is_an_accessible_table(client, guide):
    page = chapter(client, "earned-security")

    table = page.split("<table>")[1].split("</table>")[0]
    assert "<caption>" in table
    assert '<th scope="col">Continuous Secure</th>' in table
    assert '<th scope="col">Earned Secure</th>' in table
    assert table.count("<td>") == 8


def test_pull_quotes_are_blockquotes(client, guide):
    page = chapter(client, "from-avoidant-to-secure")

    assert "<blockquote>\n<p>Effective dependency is not a sign of weakness." in page
    assert page.index("4.</span> Do the Opposite") < page.index("Effective dependency")


@pytest.mark.parametrize(
    "url",
    ["/guide/no-such-chapter/", "/strategies/no-such-strategy/", "/guide/introduction/"],
)
def test_unknown_slugs_get_the_404_page(client, guide, url):
    response = client.get(url)

    assert response.status_code == 404
    assert "We couldn’t find that page" in response.content.decode()


def test_drafts_are_404_to_the_public_and_shown_to_staff_with_a_banner(client, guide):
    Section.objects.filter(slug="earned-security").update(published=False)
    Strategy.objects.filter(slug="do-the-opposite").update(published=False)

    assert client.get("/guide/earned-security/").status_code == 404
    assert client.get("/strategies/do-the-opposite/").status_code == 404
    home = html(client.get("/"))
    assert "/guide/earned-security/" not in home
    signs = chapter(client, "signs-of-secure-attachment")
    assert 'rel="next"' in signs and 'href="/guide/from-anxious-to-secure/" rel="next"' in signs
    assert "/strategies/do-the-opposite/" not in chapter(client, "from-avoidant-to-secure")

    staff_login(client, make_user(is_staff=True))
    draft = chapter(client, "earned-security")
    assert "Draft: this chapter is visible to staff only." in draft
    assert "Draft: this strategy is visible to staff only." in html(
        client.get("/strategies/do-the-opposite/")
    )
    assert '<span class="tag tag-draft">Draft</span>' in chapter(client, "from-avoidant-to-secure")


def test_unpublished_signs_and_references_are_left_out_for_the_public(client, guide):
    Sign.objects.filter(slug="clear-boundaries").update(published=False)
    Reference.objects.filter(slug="roisman-2002").update(published=False)

    assert 'id="clear-boundaries"' not in chapter(client, "signs-of-secure-attachment")
    assert "Roisman" not in chapter(client, "earned-security")
    assert "Roisman" not in chapter(client, "references")


def test_anonymous_pages_set_no_cookie_carry_no_token_and_answer_304(client, guide):
    for url in [
        "/",
        "/guide/earned-security/",
        "/strategies/physiological-sigh/",
        "/search/?q=repair",
    ]:
        response = client.get(url)

        assert response.status_code == 200
        if url.startswith("/search/"):
            assert "results for “repair”" in response.content.decode()
        assert not response.cookies, f"{url} set {response.cookies}"
        assert "csrfmiddlewaretoken" not in response.content.decode()
        assert "public" in response["Cache-Control"]
        again = client.get(url, headers={"if-none-match": response["ETag"]})
        assert again.status_code == 304


def test_signed_in_pages_stay_private_to_the_browser(client, guide):
    client.force_login(make_user())

    response = client.get("/guide/earned-security/")

    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_every_chapter_has_title_description_canonical_and_open_graph(client, guide):
    for section in Section.objects.exclude(component=Section.Component.INTRO):
        page = chapter(client, section.slug)
        url = f"http://testserver/guide/{section.slug}/"
        assert f"<title>{section.title} · Secure Base</title>" in page.replace("&#x27;", "'")
        assert f'<meta name="description" content="{section.summary}">' in page
        assert f'<link rel="canonical" href="{url}">' in page
        assert f'<meta property="og:url" content="{url}">' in page
        assert '<meta property="og:type" content="article">' in page
        assert f'<meta property="og:title" content="{section.title}">' in page


def test_each_chapter_describes_itself_as_a_json_ld_article_with_its_citations(client, guide):
    page = chapter(client, "earned-security")

    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    page_data = json.loads(block.group(1))
    assert page_data["@type"] == "WebPage"
    assert page_data["url"] == "http://testserver/guide/earned-security/"
    assert page_data["lastReviewed"] == "2026-11-27"
    assert page_data["reviewedBy"] == {
        "@type": "Organization",
        "name": "Secure Base editorial team",
    }
    data = page_data["mainEntity"]
    assert data["@type"] == "Article"
    assert data["headline"] == "Earned Security: The Good News"
    assert data["dateModified"] == Section.objects.get(slug="earned-security").updated.isoformat()
    names = {citation["name"] for citation in data["citation"]}
    assert "Earned-Secure Attachment Status in Retrospect and Prospect" in names
    roisman = next(c for c in data["citation"] if c["@type"] == "ScholarlyArticle")
    assert roisman["url"] == "https://doi.org/10.1111/1467-8624.00467"


def test_json_ld_cannot_be_broken_out_of_by_a_title(client, db):
    make_section(slug="sneaky", title="</script><script>alert(1)</script>")

    page = html(client.get("/guide/sneaky/"))

    assert "</script><script>alert(1)" not in page
    assert "\\u003C/script\\u003E" in page


def test_the_sitemap_lists_home_every_published_chapter_and_strategy(client, guide):
    Section.objects.filter(slug="earned-security").update(published=False)
    Strategy.objects.filter(slug="do-the-opposite").update(published=False)

    sitemap = client.get("/sitemap.xml").content.decode()

    for slug in CHAPTERS:
        assert (f"<loc>http://testserver/guide/{slug}/</loc>" in sitemap) is (
            slug != "earned-security"
        )
    assert "introduction" not in sitemap
    assert "<loc>http://testserver/</loc>" in sitemap
    for page in ("guide", "quiz", "how-we-score", "privacy"):
        assert f"<loc>http://testserver/{page}/</loc>" in sitemap
    for region in ("us", "ca", "uk", "ie", "au", "elsewhere"):
        assert f"<loc>http://testserver/support/{region}/</loc>" in sitemap
    assert "<loc>http://testserver/support/</loc>" not in sitemap  # it only redirects
    assert "<loc>http://testserver/guide/what-is-secure-attachment/changes/</loc>" in sitemap
    assert "/guide/earned-security/changes/" not in sitemap
    assert "<loc>http://testserver/strategies/physiological-sigh/</loc>" in sitemap
    assert "do-the-opposite" not in sitemap


def test_the_sitemap_is_xml_kept_out_of_search_results_and_has_one_page(client, guide):
    response = client.get("/sitemap.xml")

    assert response["Content-Type"] == "application/xml"
    assert response["X-Robots-Tag"] == "noindex, noodp, noarchive"
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<urlset ')
    assert response.content.endswith(b"</url>\n</urlset>\n")
    assert client.get("/sitemap.xml?p=1").content == response.content
    for page in ("2", "0", "x"):
        assert client.get(f"/sitemap.xml?p={page}").status_code == 404


def test_a_sign_without_strategies_and_a_chapter_without_references_still_read_well(client, db):
    make_section(slug="signs", component=Section.Component.SIGNS, title="Signs")
    make_sign(slug="lonely-sign", text="You do a thing on your own")

    page = html(client.get("/guide/signs/"))

    assert "You do a thing on your own" in page
    assert "What helps" not in page
    assert 'id="chapter-sources"' not in page


def test_a_strategy_outside_any_chapter_still_has_its_page(client, db):
    make_strategy(slug="lonely", title="A lonely strategy", path=Strategy.Path.REPAIR)

    page = html(client.get("/strategies/lonely/"))

    assert "A lonely strategy" in page


def test_an_edited_item_makes_its_chapter_modified(client, guide):
    sigh = Strategy.objects.get(slug="physiological-sigh")
    sigh.body += " Try it now."
    sigh.save()

    page = chapter(client, "from-anxious-to-secure")

    assert article_ld(page)["dateModified"] == sigh.updated.isoformat()
    assert f'<meta property="article:modified_time" content="{sigh.updated.isoformat()}">' in page


def test_every_chapter_has_its_own_contents_list(client, guide):
    for section in Section.objects.exclude(component=Section.Component.INTRO):
        page = chapter(client, section.slug)
        assert '<nav class="page-toc" aria-labelledby="page-contents">' in page, section.slug

    signs = chapter(client, "signs-of-secure-attachment").split('class="page-toc"')[1]
    toc = signs.split("</nav>")[0]
    assert re.findall(r'<a href="#([^"]+)">([^<]+)</a>', toc) == [
        ("signs-list", "The 15 signs"),
        ("signs-quiz", "See where you stand"),
        ("chapter-sources", "Sources for this chapter"),
    ]
    references = chapter(client, "references").split('class="page-toc"')[1].split("</nav>")[0]
    assert '<a href="#bowlby-1988">Bowlby, J. (1988)</a>' in references
    assert references.count("<li") == Reference.objects.count()


def test_a_heading_on_the_page_carries_its_permalink_beside_it_not_inside(client, guide):
    page = chapter(client, "from-anxious-to-secure")

    assert (
        '<div class="heading"><h2><span class="step-number">2.</span> Master the Physiological '
        'Sigh</h2><a class="anchor" href="#physiological-sigh" aria-label="Link to this section:'
        ' 2. Master the Physiological Sigh">#</a></div>'
    ) in page
    headings = re.findall(r"<h[1-6]\b.*?</h[1-6]>", page, re.S)
    assert len(headings) > 4
    for heading in headings:
        assert 'class="anchor"' not in heading, heading


def json_ld(page: str) -> dict:
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return json.loads(block.group(1))


def article_ld(page: str) -> dict:
    """The chapter's Article: the main entity of the page's WebPage."""
    return json_ld(page)["mainEntity"]


def test_the_sitemap_and_each_chapter_agree_on_when_it_last_changed(client, guide):
    later = datetime(2027, 1, 5, 9, 30, tzinfo=UTC)
    Strategy.objects.filter(slug="physiological-sigh").update(updated=later)
    Reference.objects.filter(slug="roisman-2002").update(updated=later + timedelta(days=3))

    sitemap = client.get("/sitemap.xml").content.decode()
    lastmods = dict(
        re.findall(r"<loc>http://testserver(/guide/[^<]+)</loc><lastmod>([^<]+)<", sitemap)
    )

    assert len(lastmods) == len(CHAPTERS)
    for slug in CHAPTERS:
        modified = article_ld(chapter(client, slug))["dateModified"]
        assert lastmods[f"/guide/{slug}/"] == modified[:10], slug
    assert (
        article_ld(chapter(client, "from-anxious-to-secure"))["dateModified"] == later.isoformat()
    )
    assert lastmods["/guide/earned-security/"] == "2027-01-08"  # it cites Roisman (2002)
    assert lastmods["/guide/frequently-asked-questions/"] == "2027-01-08"


def test_a_chapter_keeps_its_publication_date_when_edited_or_reloaded(client, guide):
    section = Section.objects.get(slug="earned-security")
    section.body += "\n\nOne more line."
    section.save()

    data = article_ld(chapter(client, "earned-security"))

    assert data["datePublished"] == "2026-11-27"
    assert data["dateModified"] == section.updated.isoformat()


BRITISH = re.compile(
    r"behaviour|colour|favour|honour|centre|organis|recognis|practise|apologis|realis|"
    r"judgement|whilst|amongst|\ben_GB\b",
    re.IGNORECASE,
)


def test_the_guide_s_own_words_are_us_english_as_the_seed_is(client, guide):
    ours = [
        *Section.objects.values_list("summary", flat=True),
        *Sign.objects.values_list("partner_text", flat=True),
        *Therapy.objects.values_list("developed_by", flat=True),
    ]
    pages = [chapter(client, slug) for slug in CHAPTERS] + [html(client.get("/"))]

    assert [text for text in ours if BRITISH.search(text)] == []
    for page in pages:
        assert '<meta property="og:locale" content="en_US">' in page
        assert not BRITISH.search(re.sub(r"<[^>]+>", " ", page))


def test_partner_wordings_keep_the_meaning_of_each_sign(guide):
    boundaries = Sign.objects.get(slug="clear-boundaries")

    assert boundaries.text == "You set clear boundaries while respecting those of others"
    assert boundaries.partner_text == (
        "They set clear boundaries while respecting those of others, including yours"
    )
    assert all(sign.partner_text.startswith("They ") for sign in Sign.objects.all())


def test_developers_are_named_the_same_way_and_the_seed_sentence_stays(client, guide):
    assert sorted(Therapy.objects.values_list("developed_by", flat=True)) == [
        "Francine Shapiro",
        "Richard C. Schwartz",
        "Stan Tatkin",
        "Sue Johnson",
    ]
    assert "Developed by Dr. Sue Johnson, EFT helps couples" in chapter(
        client, "therapy-that-helps"
    )


def test_main_navigation_marks_only_the_page_it_is_on_as_current(client, guide):
    current = re.compile(r'<a href="([^"]+)" aria-current="page">')

    assert current.findall(html(client.get("/guide/"))) == ["/guide/"]
    assert current.findall(html(client.get("/search/?q=repair"))) == ["/search/"]
    for url in [
        "/",
        "/guide/earned-security/",
        "/strategies/physiological-sigh/",
        "/guide/earned-security/changes/",
        "/how-we-score/",
    ]:
        assert current.findall(html(client.get(url))) == [], url


def test_links_a_printed_page_shows_carry_their_full_address(client, guide):
    signs = chapter(client, "signs-of-secure-attachment")
    references = chapter(client, "references")
    strategy = html(client.get("/strategies/physiological-sigh/"))

    assert (
        'href="/strategies/physiological-sigh/" '
        'data-print-url="http://testserver/strategies/physiological-sigh/"'
    ) in signs
    assert 'href="/guide/references/" data-print-url="http://testserver/guide/references/"' in signs
    assert 'data-print-url="http://testserver/guide/earned-security/"' in references
    assert (
        'data-print-url="http://testserver/guide/signs-of-secure-attachment/#no-fear-of-abandonment"'
        in strategy
    )
