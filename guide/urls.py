from django.urls import path

from guide import views

app_name = "guide"

urlpatterns = [
    path("", views.home, name="home"),
    path("guide/", views.guide_index, name="index"),
    path("guide/<slug:slug>/", views.section_detail, name="section"),
    path("guide/<slug:slug>/changes/", views.section_changes, name="changes"),
    path("feed/", views.feed, name="feed"),
    path("strategies/<slug:slug>/", views.strategy_detail, name="strategy"),
    path("search/", views.search, name="search"),
    path("support/", views.support, name="support"),
    path("support/<slug:region>/", views.support_region, name="support-region"),
]

# The sitemap sits outside the app namespace so robots.txt can name it plainly.
sitemap_patterns = [
    path("sitemap.xml", views.sitemap, name="sitemap"),
]
