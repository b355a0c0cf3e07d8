"""The admin home's line about drafts: how many await review, and where they are."""

from __future__ import annotations

from django import template

from guide.drafts import content_type_of, review_required
from guide.models import Draft

register = template.Library()


@register.inclusion_tag("admin/guide/includes/drafts_summary.html", takes_context=True)
def drafts_summary(context) -> dict:
    """Per content type on the admin home that the editor may change: drafts awaiting review
    (with review on) or waiting to be published, each linked to its list, filtered. Read
    from the home's own list of models, so it follows whichever admin site shows it."""
    reviewing = review_required()
    counted = Draft.objects.awaiting_review() if reviewing else Draft.objects.pending()
    counts: dict[int, int] = {}
    for content_type_id in counted.values_list("content_type_id", flat=True):
        counts[content_type_id] = counts.get(content_type_id, 0) + 1
    rows = []
    for app in context.get("app_list", []):
        for entry in app["models"]:
            model = entry["model"]
            if model._meta.app_label != "guide" or not entry["perms"].get("change"):
                continue
            count = counts.get(content_type_of(model).pk, 0)
            if count and entry.get("admin_url"):
                opts = model._meta
                name = opts.verbose_name if count == 1 else opts.verbose_name_plural
                filtered = f"{entry['admin_url']}?draft={'review' if reviewing else 'pending'}"
                rows.append({"count": count, "name": name, "url": filtered})
    return {"reviewing": reviewing, "rows": rows, "total": sum(row["count"] for row in rows)}
