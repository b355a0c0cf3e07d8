"""Change notes: what changed in the guide, in the editors' words, per chapter and in a feed.

:func:`record_change` is the one way a note is written. It is called when an editor
publishes a change (:data:`guide.signals.content_published`); saving a published item in
the admin sends nothing else.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from guide.models import ChangeNote, Content, Section


def chapter_for(instance: Content) -> Section | None:
    """The chapter readers find ``instance`` in: itself, or the chapter showing its kind."""
    if isinstance(instance, Section):
        return instance
    shown_in = getattr(instance, "shown_in", None)
    if not shown_in:
        return None
    return Section.objects.filter(component=shown_in).first()


@transaction.atomic
def record_change(
    instance: Content, *, editor=None, note: str = "", minor_edit: bool = False
) -> ChangeNote | None:
    """Write the note for a published change to ``instance``; None when there is nothing
    readers could see (a draft, or content no chapter shows).

    A minor edit is recorded for editors with whatever note was given, and never shown to
    readers. A change that is not minor needs a note.
    """
    note = " ".join(note.split())
    if not getattr(instance, "published", False):
        return None
    section = chapter_for(instance)
    if section is None:
        return None
    if not note and not minor_edit:
        raise ValueError("A change readers would notice needs a note (or mark it minor).")
    return ChangeNote.objects.create(
        section=section,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=instance.pk,
        subject=str(instance)[:300],
        note=note[:300],
        minor_edit=minor_edit,
        editor=editor if getattr(editor, "is_authenticated", False) else None,
    )
