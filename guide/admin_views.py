"""The admin's markdown editor endpoints: markdownx's widget posts its preview and its
image uploads here (config/urls.py, ``settings.MARKDOWNX_*_PATH``), not to markdownx's
own urls, which are open to anyone."""

from __future__ import annotations

from functools import wraps

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseForbidden,
    HttpResponseNotFound,
)
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from guide.validators import checked_render


def _staff_only(view):
    """403 for anyone who can't use the admin; the widget shows the message in its preview."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not admin.site.has_permission(request):
            return HttpResponseForbidden(
                "<p>Sign in to the editors' admin to see the preview.</p>",
                content_type="text/html; charset=utf-8",
            )
        return view(request, *args, **kwargs)

    return wrapped


@never_cache
@_staff_only
@require_POST
def markdown_preview(request: HttpRequest) -> HttpResponse:
    """The markdownx preview: exactly what :func:`guide.markdown.render` gives the site, or,
    for a text saving would refuse, the reason, after the same checks and time limit."""
    source = request.POST.get("content")
    if source is None:
        return HttpResponseBadRequest("No content to preview.")
    try:
        html = checked_render(source)
    except ValidationError as error:
        return HttpResponse(format_html('<p class="preview-problem">{}</p>', error.messages[0]))
    return HttpResponse(html, content_type="text/html; charset=utf-8")


@never_cache
def markdown_upload(request: HttpRequest) -> HttpResponse:
    """Image upload is off for everyone: the guide has no images, and the renderer drops them."""
    return HttpResponseNotFound(
        "Image upload is turned off: the guide has no images.",
        content_type="text/plain; charset=utf-8",
    )
