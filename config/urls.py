from django.contrib import admin
from django.urls import include, path

from config import views
from guide.urls import sitemap_patterns

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("favicon.ico", views.favicon),
    path("admin/", admin.site.urls),
    path("", include("assessments.urls")),
    path("", include("guide.urls")),
    *sitemap_patterns,
]

# A clear page for a malformed post, and a 413 for one larger than any real form.
handler400 = "assessments.views.bad_request"
