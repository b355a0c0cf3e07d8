"""Template helpers for staff looking at the public site: where to edit what they see."""

from __future__ import annotations

from django import template
from django.db.models import Model
from django.urls import reverse

register = template.Library()


@register.filter
def admin_change_url(obj: Model) -> str:
    """The admin page that edits ``obj``."""
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


@register.filter
def verbose_name(obj: Model) -> str:
    return str(obj._meta.verbose_name)
