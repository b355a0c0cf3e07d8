"""Template tags for readers' safety: the neutral address "Leave quickly" goes to."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def leave_quickly_url() -> str:
    return settings.LEAVE_QUICKLY_URL
