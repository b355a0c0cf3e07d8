from django.contrib import admin
from django.urls import include, path

from config import views
from guide.admin_views import markdown_preview, markdown_upload
from guide.urls import sitemap_patterns

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots-txt"),
    path("favicon.ico", views.favicon),
    # markdownx's widget posts here (settings.MARKDOWNX_*_PATH); its own urls are open to anyone.
    path("admin/markdownx/markdownify/", markdown_preview, name="markdownx-preview"),
    path("admin/markdownx/upload/", markdown_upload, name="markdownx-upload"),
    path("admin/", admin.site.urls),
    # The guide's pages first: most requests are for them, and each request's address is
    # tried against the patterns in order (a guide page after every account page took
    # about 60 µs to resolve, about 17 µs before them).
    *sitemap_patterns,
    path("", include("guide.urls")),
    path("", include("assessments.urls")),
]

# A clear page for a malformed post, and a 413 for one larger than any real form.
handler400 = "config.views.bad_request"
