"""The absolute address of a link, for the page's print stylesheet to show after it.

Links keep relative hrefs (they work on any host); ``data-print-url`` carries the full
address a printed page needs, and the print CSS shows it with ``attr()``.
"""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def print_url(context: template.Context, url: str) -> str:
    request = context.get("request")
    return request.build_absolute_uri(url) if request is not None else url
