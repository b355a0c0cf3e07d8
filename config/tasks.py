"""Background tasks every part of the site may enqueue. Mail never waits in a request: a view
enqueues :func:`send_email` and the worker (`manage.py db_worker`) talks to the SMTP server."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.tasks import task


@task
def send_email(
    *,
    to: list[str],
    subject: str,
    body: str,
    html_body: str | None = None,
    headers: dict[str, str] | None = None,
) -> None:
    """Send one message through the default mailer. Arguments are plain JSON, as the queue
    stores them; nothing sensitive belongs in ``subject``, which inbox previews show."""
    message = EmailMultiAlternatives(subject, body, to=to, headers=headers or {})
    if html_body:
        message.attach_alternative(html_body, "text/html")
    message.send()
