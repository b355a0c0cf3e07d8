"""Queries compiled once per process answer exactly as their querysets, with live data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.test import RequestFactory
from django.urls import reverse

from guide.compiled import AT, ID, IDS, VALUE, compiled
from guide.models import Chapters, Section, Strategy
from guide.templatetags.print_urls import print_url
from tests.factories import make_section, make_strategy, make_user

pytestmark = pytest.mark.django_db


def fields(items) -> list[tuple]:
    return [(item.pk, item.slug, item.title, item.published) for item in items]


def test_a_compiled_query_gives_the_queryset_s_rows_for_each_value():
    for n in range(3):
        make_strategy(slug=f"calm-{n}", path=Strategy.Path.ANXIOUS, order=3 - n)
    make_strategy(slug="hidden", path=Strategy.Path.ANXIOUS, published=False)
    make_strategy(slug="elsewhere", path=Strategy.Path.AVOIDANT)

    @compiled
    def by_path(drafts: bool):
        return Strategy.objects.shown(drafts=drafts).filter(path=VALUE)

    for drafts in (False, True):
        for path in Strategy.Path.values:
            expected = Strategy.objects.shown(drafts=drafts).filter(path=path)
            assert fields(by_path(drafts).rows(path)) == fields(expected), (drafts, path)


def test_an_id_and_a_list_of_ids_stand_in_for_the_request_s_values():
    first, second, third = (make_strategy() for _ in range(3))

    @compiled
    def one():
        return Strategy.objects.filter(pk=ID)

    @compiled
    def several():
        return Strategy.objects.filter(pk__in=IDS)

    assert fields(one().rows(second.pk)) == fields([second])
    assert fields(several().rows(ids=[third.pk, first.pk])) == fields([first, third])
    assert several().rows(ids=[]) == []
    assert "= ANY(%s)" in several().sql


def test_each_query_is_built_once_and_reads_the_data_as_it_is_now():
    built = []

    @compiled
    def chapter():
        built.append(1)
        return Section.objects.filter(slug=VALUE).annotate(heading=F("title"))

    section = make_section(slug="live", title="Before")
    assert [s.heading for s in chapter().rows("live")] == ["Before"]

    Section.objects.filter(pk=section.pk).update(title="After")

    assert [s.heading for s in chapter().rows("live")] == ["After"]
    assert chapter().rows("elsewhere") == []
    assert len(built) == 1


def test_a_compiled_values_list_gives_its_tuples_converted_as_the_orm_converts_them():
    first, second = make_strategy(order=2), make_strategy(order=1)

    @compiled
    def listed():
        return (
            Strategy.objects.filter(pk__in=IDS)
            .order_by("order")
            .values_list("pk", "slug", "published", "created")
        )

    expected = list(
        Strategy.objects.filter(pk__in=[first.pk, second.pk])
        .order_by("order")
        .values_list("pk", "slug", "published", "created")
    )
    assert listed().tuples(ids=[first.pk, second.pk]) == expected
    assert listed().tuples(ids=[]) == []


def test_a_moment_stands_in_for_one_given_with_each_run():
    strategy = make_strategy()

    @compiled
    def created_after():
        return Strategy.objects.filter(created__gt=AT).values_list("pk")

    before, after = strategy.created - timedelta(seconds=1), strategy.created
    assert created_after().tuples(at=before) == [(strategy.pk,)]
    assert created_after().tuples(at=after) == []


def test_a_chapter_s_place_is_numbered_among_the_chapters_the_reader_may_see():
    first = make_section(slug="first", order=1)
    make_section(slug="draft", order=2, published=False)
    third = make_section(slug="third", order=3, component=Section.Component.REFERENCES)
    reader = make_user()

    place = Chapters.around(reader, "third")

    assert (place.number, place.total) == (2, 2)
    assert place.previous.slug == first.slug and place.previous.title == first.title
    assert place.next is None
    assert place.chapters.references.pk == third.pk
    assert Chapters.around(reader, "draft") is None
    assert Chapters.around(reader, "nowhere") is None


def test_print_addresses_are_what_build_absolute_uri_gives():
    request = RequestFactory().get("/guide/")
    context = {"request": request}
    for url in [
        reverse("guide:section", kwargs={"slug": "what-is-secure-attachment"}),
        "/guide/signs/#clear-boundaries",
        "/search/?q=sigh",
        "/guide/./odd/",
        "//elsewhere.example/",
        "/guide/caf\u00e9/",
    ]:
        assert print_url(context, url) == request.build_absolute_uri(url), url
