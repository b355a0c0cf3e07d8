"""The admin home's line about drafts: how many await review, and where they are."""

from __future__ import annotations

from django import template
from django.contrib import admin
from django.urls import reverse

from guide.drafts import content_type_of, review_required
from guide.models import Draft

register = template.Library()


@register.inclusion_tag("admin/guide/includes/drafts_summary.html", takes_context=True)
def drafts_summary(context) -> dict:
    """Per content type the editor may change: drafts awaiting review (with review on) or
    drafts waiting to be published, each linked to its list, filtered."""
    request = context["request"]
    reviewing = review_required()
    counted = Draft.objects.awaiting_review() if reviewing else Draft.objects.pending()
    counts: dict[int, int] = {}
    for content_type_id in counted.values_list("content_type_id", flat=True):
        counts[content_type_id] = counts.get(content_type_id, 0) + 1
    rows = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "guide" or not model_admin.has_change_permission(request):
            continue
        count = counts.get(content_type_of(model).pk, 0)
        if count:
            opts = model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
            name = opts.verbose_name if count == 1 else opts.verbose_name_plural
            filtered = f"{url}?draft={'review' if reviewing else 'pending'}"
            rows.append({"count": count, "name": name, "url": filtered})
    return {"reviewing": reviewing, "rows": rows, "total": sum(row["count"] for row in rows)}
