from django.contrib.auth.models import AnonymousUser
from django.contrib.sitemaps import Sitemap
from django.db.models import Prefetch
from django.urls import reverse

from guide.components import KINDS, last_modified
from guide.models import Reference, Section, Strategy, SupportRegion


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
    """Every published chapter (the introduction is the home page), dated as its page is."""

    def items(self) -> list[Section]:
        reader = AnonymousUser()
        sections = list(
            Section.objects.published()
            .exclude(component=Section.Component.INTRO)
            .prefetch_related(Prefetch("references", Reference.objects.published()))
        )
        for section in sections:  # one chapter per component: a fixed number of queries
            kind = KINDS.get(section.component)
            items = kind.fetch(reader, section.component) if kind else []
            section.modified = last_modified(section, items, section.references.all())
        return sections

    def lastmod(self, section: Section):
        return section.modified


class StrategySitemap(Sitemap):
    """Every published strategy: each has its own page a reader may land on."""

    def items(self):
        return Strategy.objects.published()

    def lastmod(self, strategy: Strategy):
        return strategy.updated


class ChangesSitemap(Sitemap):
    """Each published chapter's "what changed" page."""

    def items(self):
        return (
            Section.objects.published()
            .exclude(component=Section.Component.INTRO)
            .only("id", "slug", "order", "updated")
        )

    def location(self, section: Section) -> str:
        return section.get_changes_url()


SITEMAPS = {
    "home": HomeSitemap,
    "guide": SectionSitemap,
    "strategies": StrategySitemap,
    "changes": ChangesSitemap,
}
