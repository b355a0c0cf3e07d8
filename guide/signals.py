"""Signals other parts of the site listen to when guide content changes for readers."""

from django.dispatch import Signal

# Sent once a draft is live, inside the publishing transaction (a receiver that fails
# undoes the publish), by an editor's Publish and by a scheduled publish alike, with:
#   instance:       the live item, as readers now see it
#   editor:         who published it (``None`` for a scheduled publish)
#   note:           the change note for readers ("" only for a minor edit)
#   minor_edit:     True when the editor marked the change as too small to note
#   changed_fields: names of the fields and links the publish changed, sorted
content_published = Signal()
