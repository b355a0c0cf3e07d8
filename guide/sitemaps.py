from django.contrib.auth.models import AnonymousUser
from django.contrib.sitemaps import Sitemap
from django.db.models import Prefetch
from django.urls import reverse

from guide.components import KINDS, last_modified
from guide.models import Reference, Section, Strategy


class HomeSitemap(Sitemap):
    """The pages that are not content rows: home, the quiz, support and privacy."""

    def items(self):
        return ["guide:home", "assessments:quiz", "guide:support", "assessments:privacy"]

    def location(self, name: str) -> str:
        return reverse(name)


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


SITEMAPS = {"home": HomeSitemap, "guide": SectionSitemap, "strategies": StrategySitemap}
