from django.contrib.sitemaps import Sitemap

from guide.models import Section


class SectionSitemap(Sitemap):
    """Every published chapter (the introduction is the home page)."""

    def items(self):
        return Section.objects.published().exclude(component=Section.Component.INTRO)

    def lastmod(self, section: Section):
        return section.updated
