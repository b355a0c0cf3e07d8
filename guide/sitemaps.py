"""The sitemap (``/sitemap.xml``): every page a signed-out reader may land on, and when each
chapter and strategy last changed.

It is written here rather than through ``django.contrib.sitemaps``: the framework's per-URL
work (a paginator per section, a dict and several attribute lookups per address, then a
template loop) cost more than the three queries that find the pages. The output is the
framework's, byte for byte, as its template leaves it after ``spaceless``, and so is its
answer to ``?p=`` (only page 1 exists).
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import datetime

from django.db.models import Max, Q, QuerySet, Value
from django.utils import timezone

from config.template_urls import fixed_url
from guide.compiled import compiled
from guide.components import KINDS
from guide.models import Section, Strategy, SupportRegion, quick_urls

# The pages that are not content rows: home, the guide's index, the quiz and how it is scored,
# privacy, then each region's support page (``/support/`` itself only redirects).
FIXED_PAGES = (
    "guide:home",
    "guide:index",
    "assessments:quiz",
    "assessments:how-we-score",
    "assessments:privacy",
)

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
    'xmlns:xhtml="http://www.w3.org/1999/xhtml">\n'
)
TAIL = "\n</urlset>\n"


def pages() -> Iterator[tuple[str, datetime | None]]:
    """(path, when it last changed or None) for every page, in the sitemap's order: the fixed
    pages, the support pages, the published chapters (the introduction is the home page),
    the published strategies, then each chapter's "what changed" page. Three queries, and
    no model instance: a path and a date are all a line of the sitemap needs."""
    for name in FIXED_PAGES:
        yield fixed_url(name), None
    region_url = quick_urls("guide:support-region", "region")
    for region in SupportRegion:
        yield region_url(region.value), None
    # A chapter is dated as its page is: the latest of its own text, the items it shows and
    # the sources it cites (guide.components.last_modified), from two aggregate queries.
    chapters = _dated_chapters().tuples()
    latest = latest_item_updates()
    chapter_url = quick_urls("guide:section", "slug")
    for slug, component, updated, cited_updated in chapters:
        dates = [updated, cited_updated, latest.get(component)]
        yield chapter_url(slug), max(date for date in dates if date is not None)
    strategy_url = quick_urls("guide:strategy", "slug")
    for slug, updated in _strategies().tuples():
        yield strategy_url(slug), updated
    changes_url = quick_urls("guide:changes", "slug")
    for slug, *_ in chapters:
        yield changes_url(slug), None


def urlset(origin: str) -> str:
    """The sitemap's XML, each path after ``origin`` (scheme and host), each date the day it
    falls on in the site's time zone (as the ``date`` filter shows it)."""
    zone = timezone.get_current_timezone()
    urls = []
    for path, modified in pages():
        # The day as the date filter's "Y-m-d" writes it; isoformat() is a third of strftime's cost.
        day = modified and modified.astimezone(zone).date().isoformat()
        lastmod = f"<lastmod>{day}</lastmod>" if day else ""
        urls.append(f"<url><loc>{html.escape(origin + path)}</loc>{lastmod}</url>")
    return HEAD + "".join(urls) + TAIL


# The sitemap's lists, compiled once per process (guide.compiled).
@compiled
def _dated_chapters():
    """Published chapters with when a source they cite last changed."""
    cited = Q(references__published=True)
    return (
        Section.objects.published()
        .exclude(component=Section.Component.INTRO)
        .annotate(cited_updated=Max("references__updated", filter=cited))
        .order_by("order", "pk")  # an aggregate drops the model's ordering
        .values_list("slug", "component", "updated", "cited_updated")
    )


@compiled
def _strategies():
    return Strategy.objects.published().values_list("slug", "updated")


def latest_item_updates() -> dict[str, datetime]:
    """For each component, when a published item its chapter shows last changed: one query."""
    return {component: latest for component, latest in _latest_updates().tuples() if latest}


@compiled
def _latest_updates() -> QuerySet:
    """The union of one ``MAX(updated)`` per component, compiled once per process (building
    and compiling seven querysets on each request cost more than running them); its dates
    converted as the ORM converts them on each database."""
    latest = []
    for component, kind in KINDS.items():
        items = kind.model.objects.published().order_by()
        if kind.model is Strategy:
            items = items.filter(path=component)
        latest.append(
            items.annotate(component=Value(component))
            .values("component")
            .annotate(latest=Max("updated"))
            .values_list("component", "latest")
        )
    return latest[0].union(*latest[1:], all=True).order_by()
