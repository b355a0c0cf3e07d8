"""Background work for the guide: scheduled publishing, run by ``manage.py db_worker``."""

from __future__ import annotations

from django.tasks import task


@task
def publish_scheduled_draft(*, draft_id: int) -> bool:
    """Publish one scheduled draft once its time has come. Enqueued with ``run_after`` set
    to that time; running it again, early (after a reschedule to later) or after another
    worker published it does nothing. Returns whether this run published it."""
    from guide.drafts import PublishError, draft_publish

    try:
        return draft_publish(draft_id=draft_id, editor=None, scheduled=True) is not None
    except PublishError:
        # Stays scheduled, and editors see why on the item; the backstop retries it.
        return False
