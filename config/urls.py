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
    path("", include("assessments.urls")),
    path("", include("guide.urls")),
    *sitemap_patterns,
]

# A clear page for a malformed post, and a 413 for one larger than any real form.
handler400 = "config.views.bad_request"
