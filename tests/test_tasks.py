"""The shared mail task: what a view enqueues is the message the reader receives."""

from django.core import mail

from config.tasks import send_email


def test_a_queued_email_is_sent_with_its_headers():
    send_email.enqueue(
        to=["reader@example.com"],
        subject="Your weekly Secure Base note",
        body="A neutral line and a link.",
        headers={"List-Unsubscribe": "<https://example.com/u/token/>"},
    )

    [message] = mail.outbox
    assert message.to == ["reader@example.com"]
    assert message.subject == "Your weekly Secure Base note"
    assert message.body == "A neutral line and a link."
    assert message.extra_headers["List-Unsubscribe"] == "<https://example.com/u/token/>"
