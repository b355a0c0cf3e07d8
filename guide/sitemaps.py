from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from guide.models import Section, Strategy


class HomeSitemap(Sitemap):
    """The home page: the guide's opening and its contents."""

    def items(self):
        return ["guide:home"]

    def location(self, name: str) -> str:
        return reverse(name)


class SectionSitemap(Sitemap):
    """Every published chapter (the introduction is the home page)."""

    def items(self):
        return Section.objects.published().exclude(component=Section.Component.INTRO)

    def lastmod(self, section: Section):
        return section.updated


class StrategySitemap(Sitemap):
    """Every published strategy: each has its own page a reader may land on."""

    def items(self):
        return Strategy.objects.published()

    def lastmod(self, strategy: Strategy):
        return strategy.updated


SITEMAPS = {"home": HomeSitemap, "guide": SectionSitemap, "strategies": StrategySitemap}
