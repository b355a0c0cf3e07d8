"""Signals guide content sends.

``content_published`` is sent when an editor publishes a change to guide content, with
``instance``, ``editor`` (a user, or None), ``note`` (what changed, for readers),
``minor_edit`` (True for a typo: no note shown) and ``changed_fields`` (field names).
"""

from __future__ import annotations

from django.dispatch import Signal, receiver

content_published = Signal()


@receiver(content_published, dispatch_uid="guide-record-change-note")
def on_content_published(sender, instance, editor, note, minor_edit, **kwargs) -> None:
    from guide.changes import record_change

    record_change(instance, editor=editor, note=note, minor_edit=minor_edit)
