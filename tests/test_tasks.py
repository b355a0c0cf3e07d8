"""The shared mail task: what a view enqueues is the message the reader receives."""

import pytest
from django.conf import settings
from django.core import mail
from django.tasks import TaskResultStatus

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


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_queued_mail_through_smtp_with_its_headers(smtp_server, real_task_queue):
    queued = send_email.enqueue(
        to=["reader@example.com"],
        subject="Your weekly Secure Base note",
        body="A neutral line and a link.",
        headers={"List-Unsubscribe": "<https://example.com/u/token/>"},
    )
    assert smtp_server.messages == [], "nothing is sent until the worker takes the task"
    assert queued.status == TaskResultStatus.READY

    real_task_queue.run()

    [message] = smtp_server.messages
    assert smtp_server.recipients == [["reader@example.com"]]
    assert message["To"] == "reader@example.com"
    assert message["From"] == settings.DEFAULT_FROM_EMAIL
    assert message["Subject"] == "Your weekly Secure Base note"
    assert message["List-Unsubscribe"] == "<https://example.com/u/token/>"
    assert message.get_content().strip() == "A neutral line and a link."
    queued.refresh()
    assert queued.status == TaskResultStatus.SUCCESSFUL
