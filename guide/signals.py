"""Signals other parts of the site listen to when guide content changes for readers."""

from __future__ import annotations

from django.dispatch import Signal, receiver

# Sent once a draft is live, inside the publishing transaction (a receiver that fails
# undoes the publish), by an editor's Publish and by a scheduled publish alike, with:
#   instance:       the live item, as readers now see it
#   editor:         who published it (``None`` for a scheduled publish)
#   note:           the change note for readers ("" only for a minor edit)
#   minor_edit:     True when the editor marked the change as too small to note
#   changed_fields: names of the fields and links the publish changed, sorted
content_published = Signal()


@receiver(content_published, dispatch_uid="guide-record-change-note")
def on_content_published(
    sender, instance, editor, note, minor_edit, changed_fields=None, **kwargs
) -> None:
    """The change note for readers: written at Publish, and only there. A change readers
    never see (the order alone) asks for none and, without one, writes none."""
    from guide.changes import needs_note, record_change

    if changed_fields is not None and not (note or minor_edit or needs_note(changed_fields)):
        return
    record_change(instance, editor=editor, note=note, minor_edit=minor_edit)
