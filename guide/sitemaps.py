from datetime import datetime

from django.contrib.sitemaps import Sitemap
from django.db.models import Max, Q, QuerySet, Value
from django.urls import reverse

from guide.compiled import compiled
from guide.components import KINDS
from guide.models import Section, Strategy, SupportRegion


class HomeSitemap(Sitemap):
    """The pages that are not content rows: home, the guide's index, the quiz and how it is
    scored, privacy, and each region's support page (``/support/`` itself only redirects)."""

    def items(self):
        pages = [
            ("guide:home", {}),
            ("guide:index", {}),
            ("assessments:quiz", {}),
            ("assessments:how-we-score", {}),
            ("assessments:privacy", {}),
        ]
        regions = [("guide:support-region", {"region": region.value}) for region in SupportRegion]
        return [*pages, *regions]

    def location(self, item) -> str:
        name, kwargs = item
        return reverse(name, kwargs=kwargs)


class SectionSitemap(Sitemap):
    """Every published chapter (the introduction is the home page), dated as its page is:
    the latest of its own text, the items it shows and the sources it cites
    (:func:`guide.components.last_modified`), as two aggregate queries, not the items."""

    def items(self) -> list[Section]:
        sections = _dated_chapters().rows()
        latest = latest_item_updates()
        for section in sections:
            dates = [section.updated, section.cited_updated, latest.get(section.component)]
            section.modified = max(date for date in dates if date is not None)
        return sections

    def lastmod(self, section: Section):
        return section.modified


# The sitemap's lists, compiled once per process (guide.compiled).
@compiled
def _dated_chapters():
    """Published chapters with when a source they cite last changed."""
    cited = Q(references__published=True)
    return (
        _chapters.__wrapped__()
        .only("id", "slug", "order", "component", "updated")
        .annotate(cited_updated=Max("references__updated", filter=cited))
        .order_by("order", "pk")  # an aggregate drops the model's ordering
    )


@compiled
def _chapters():
    sections = Section.objects.published().exclude(component=Section.Component.INTRO)
    return sections.only("id", "slug", "order", "updated")


@compiled
def _strategies():
    return Strategy.objects.published().only("id", "slug", "order", "updated")


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


class StrategySitemap(Sitemap):
    """Every published strategy: each has its own page a reader may land on."""

    def items(self) -> list[Strategy]:
        # A list, not a queryset: the sitemap's paginator then needs no COUNT query.
        return _strategies().rows()

    def lastmod(self, strategy: Strategy):
        return strategy.updated


class ChangesSitemap(Sitemap):
    """Each published chapter's "what changed" page."""

    def items(self) -> list[Section]:
        return _chapters().rows()

    def location(self, section: Section) -> str:
        return section.get_changes_url()


SITEMAPS = {
    "home": HomeSitemap,
    "guide": SectionSitemap,
    "strategies": StrategySitemap,
    "changes": ChangesSitemap,
}
