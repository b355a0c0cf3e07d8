"""/guide/ lists the chapters with their summaries, reading times and review dates; every
chapter's breadcrumbs lead back to it."""

from __future__ import annotations

import re

import pytest

from guide.models import Section

pytestmark = pytest.mark.django_db


def test_the_index_lists_every_chapter_in_order_with_summary_time_and_review(client, guide):
    html = client.get("/guide/").content.decode()

    chapters = list(Section.objects.published().exclude(component=Section.Component.INTRO))
    titles = re.findall(r'<h2 class="chapter-index-title"><a href="([^"]+)"[^>]*>([^<]+)</a>', html)
    assert titles == [(c.get_absolute_url(), c.title) for c in chapters]
    for chapter in chapters:
        assert chapter.summary in html
    assert html.count(
        'Last reviewed <time datetime="2026-11-27">November 27, 2026</time> by '
        "Secure Base editorial team"
    ) == len(chapters)


def test_each_reading_time_on_the_index_matches_the_chapters_own(client, guide):
    index = client.get("/guide/").content.decode()
    listed = re.findall(r'<a href="(/guide/[^"]+/)"[^>]*>[^<]+</a>.*?(\d+) min read', index, re.S)

    assert len(listed) == 10
    for url, minutes in listed:
        page = client.get(url).content.decode()
        assert re.search(r"<span>(\d+) min read</span>", page)[1] == minutes, url


def test_drafts_are_left_out_of_the_index_for_readers(client, guide):
    Section.objects.filter(slug="earned-security").update(published=False)

    assert "/guide/earned-security/" not in client.get("/guide/").content.decode()


@pytest.mark.parametrize("url", ["/guide/earned-security/", "/strategies/physiological-sigh/"])
def test_breadcrumbs_lead_to_the_index(client, guide, url):
    html = client.get(url).content.decode()
    crumbs = html.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]

    assert '<a href="/">Home</a>' in crumbs
    assert '<a href="/guide/">Guide</a>' in crumbs
    assert 'aria-current="page"' in crumbs


def test_the_strategy_breadcrumb_passes_through_its_chapter(client, guide):
    html = client.get("/strategies/physiological-sigh/").content.decode()
    crumbs = html.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    assert '<a href="/guide/from-anxious-to-secure/">From Anxious to Secure</a>' in crumbs


def test_the_guide_index_is_no_longer_a_404_and_is_cacheable(client, guide):
    response = client.get("/guide/")
    assert response.status_code == 200
    assert not response.cookies
    assert "public" in response["Cache-Control"]
