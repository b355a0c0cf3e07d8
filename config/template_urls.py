"""``{% url %}`` for every template, as Django's, remembering addresses that take no arguments.

A page names the same dozen fixed addresses (the header's, the footer's) on every request,
and resolving one costs more than most of what a page shows. An address with no arguments
depends only on its name, the current app, the script prefix and the URL configuration:
it is resolved once per process for each of those, then read back. Addresses with
arguments resolve as before. Loaded as a template builtin (settings.TEMPLATES), after
Django's own, so this ``url`` is the one every template uses.
"""

from __future__ import annotations

import functools

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

register = template.Library()


@functools.lru_cache(maxsize=512)
def _fixed(view_name: str, current_app: str | None, prefix: str, urlconf) -> str:
    return reverse(view_name, urlconf=urlconf, current_app=current_app)


def fixed_url(view_name: str) -> str:
    """``reverse(view_name)`` for an address with no arguments, resolved once per process (as
    ``{% url %}`` does here): for Python that writes markup a template would have."""
    return _fixed(view_name, None, get_script_prefix(), get_urlconf())


class FixedURLNode(URLNode):
    def render(self, context) -> str:
        if self.args or self.kwargs:
            return super().render(context)
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        try:
            url = _fixed(view_name, current_app, get_script_prefix(), get_urlconf())
        except (NoReverseMatch, TypeError):  # TypeError: an unhashable name; Django decides
            return super().render(context)
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token) -> URLNode:
    node = django_url(parser, token)
    return FixedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
