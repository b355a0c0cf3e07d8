"""Today's "reviewed by" texts become reviewers (content editors keep in the admin)."""

from django.conf import settings
from django.db import migrations
from django.utils.text import slugify


def reviewers_from_text(apps, schema_editor):
    """Each distinct "reviewed by" text becomes a reviewer, credited on the same chapters.
    The editorial team is a team, not a person; anyone else named is a person."""
    Section = apps.get_model("guide", "Section")
    Reviewer = apps.get_model("guide", "Reviewer")
    team = f"{settings.SITE_NAME} editorial team"
    names = (
        Section.objects.exclude(reviewed_by="")
        .order_by("reviewed_by")
        .values_list("reviewed_by", flat=True)
        .distinct()
    )
    taken = set(Reviewer.objects.values_list("slug", flat=True))
    for order, name in enumerate(names):
        base = slugify(name)[:70] or "reviewer"
        slug, n = base, 1
        while slug in taken:
            n += 1
            slug = f"{base}-{n}"
        taken.add(slug)
        reviewer = Reviewer.objects.create(
            slug=slug, name=name, order=order, is_person=name != team, published=True
        )
        Section.objects.filter(reviewed_by=name).update(reviewer=reviewer)


def text_from_reviewers(apps, schema_editor):
    Section = apps.get_model("guide", "Section")
    for section in Section.objects.exclude(reviewer=None).select_related("reviewer"):
        section.reviewed_by = section.reviewer.name[:120]
        section.save(update_fields=["reviewed_by"])


class Migration(migrations.Migration):
    dependencies = [
        ("guide", "0006_reviewers_change_notes_support"),
    ]

    operations = [
        migrations.RunPython(reviewers_from_text, text_from_reviewers),
    ]
