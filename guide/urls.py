from django.contrib.sitemaps.views import sitemap
from django.urls import path

from guide import views
from guide.sitemaps import SITEMAPS

app_name = "guide"

urlpatterns = [
    path("", views.home, name="home"),
    path("guide/<slug:slug>/", views.section_detail, name="section"),
    path("strategies/<slug:slug>/", views.strategy_detail, name="strategy"),
    path("search/", views.search, name="search"),
    path("support/", views.support, name="support"),
]

# The sitemap sits outside the app namespace so robots.txt can name it plainly.
sitemap_patterns = [
    path("sitemap.xml", views.revalidated(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
]
