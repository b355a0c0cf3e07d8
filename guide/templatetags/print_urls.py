"""The absolute address of a link, for the page's print stylesheet to show after it.

Links keep relative hrefs (they work on any host); ``data-print-url`` carries the full
address a printed page needs, and the print CSS shows it with ``attr()``.
"""

import re

from django import template
from django.http import HttpRequest

register = template.Library()

# A site path with nothing build_absolute_uri would rewrite (no dot segments, no
# characters to quote): the site's address followed by the path is the same answer.
PLAIN_PATH = re.compile(r"/(?!/)[-A-Za-z0-9_~#/]*")


@register.simple_tag(takes_context=True)
def print_url(context: template.Context, url: str) -> str:
    request = context.get("request")
    return url if request is None else absolute_url(request, url)


def absolute_url(request: HttpRequest, url: str) -> str:
    """``request.build_absolute_uri(url)``, the tag's answer for Python that writes links."""
    if PLAIN_PATH.fullmatch(url):
        # The site's address as build_absolute_uri prefixes it, which the request works out
        # once (a page of links asks for dozens).
        return request._current_scheme_host + url
    return request.build_absolute_uri(url)
