"""Asking for a reset link: mail leaves through the queue, and nothing tells who has an account."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from tests.factories import make_user

RESET = "/accounts/password_reset/"
DONE = "/accounts/password_reset/done/"
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def queued(settings):
    """The real queue: tasks wait in the database until a worker runs them."""
    settings.TASKS = DATABASE_QUEUE


def run_worker() -> None:
    """`manage.py db_worker` itself, until the queue is empty."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_the_request_only_enqueues_and_the_worker_sends_the_mail(queued):
    make_user("has-mail", email="known@example.org")

    known = Client(REMOTE_ADDR="10.3.0.1").post(RESET, {"email": "known@example.org"})
    unknown = Client(REMOTE_ADDR="10.3.0.2").post(RESET, {"email": "nobody@example.org"})

    # The same answer, and the same work, whether or not the address has an account.
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == DONE
    assert mail.outbox == []
    tasks = list(DBTaskResult.objects.order_by("enqueued_at"))
    assert [task.task_path for task in tasks] == [
        "assessments.tasks.send_password_reset",
        "assessments.tasks.send_password_reset",
    ]
    assert [task.args_kwargs["kwargs"]["email"] for task in tasks] == [
        "known@example.org",
        "nobody@example.org",
    ]

    run_worker()

    [message] = mail.outbox
    assert message.to == ["known@example.org"]
    assert message.subject == "Reset your Secure Base password"
    assert re.search(r"http://testserver/accounts/reset/\S+/\S+/", message.body)
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.django_db(transaction=True)
def test_the_link_from_the_worker_resets_the_password(client, queued):
    user = make_user("forgetful", email="f@example.org")
    client.post(RESET, {"email": "f@example.org"})
    run_worker()

    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)[1]
    form_url = client.get(link)["Location"]
    new = "brand-new-passphrase"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})

    assert response["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password(new)


def test_three_resets_an_hour_per_address_then_a_clear_429(db):
    client = Client(REMOTE_ADDR="10.3.1.1")
    statuses = [
        client.post(RESET, {"email": f"someone{n}@example.org"}).status_code for n in range(3)
    ]
    assert statuses == [302, 302, 302]

    response = client.post(RESET, {"email": "another@example.org"})

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    html = response.content.decode()
    assert "<h1>Please wait a little before trying again</h1>" in html
    assert "more password reset requests from your network" in html
    # Another network asks as usual.
    other = Client(REMOTE_ADDR="10.3.1.2").post(RESET, {"email": "another@example.org"})
    assert other.status_code == 302


def test_past_three_asks_an_hour_for_one_email_nothing_more_is_sent(db):
    make_user("flooded", email="flooded@example.org")
    responses = [
        Client(REMOTE_ADDR=f"10.3.2.{n}").post(RESET, {"email": "flooded@example.org"})
        for n in range(1, 6)
    ]
    # Always the same "check your email" page, from every address...
    assert {(r.status_code, r["Location"]) for r in responses} == {(302, DONE)}
    # ...but three mails, not five.
    assert len(mail.outbox) == 3


def test_the_email_limit_ignores_case_and_spaces(db):
    make_user("cased", email="cased@example.org")
    for n, typed in enumerate(["cased@example.org", "CASED@example.org", " Cased@Example.org"]):
        Client(REMOTE_ADDR=f"10.3.3.{n + 1}").post(RESET, {"email": typed})
    Client(REMOTE_ADDR="10.3.3.9").post(RESET, {"email": "cased@EXAMPLE.ORG"})
    assert len(mail.outbox) == 3


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_mails_the_reset_link_through_smtp(smtp_server, real_task_queue):
    make_user("by-smtp", email="smtp@example.org")
    Client(REMOTE_ADDR="10.3.4.1").post(RESET, {"email": "smtp@example.org"})
    Client(REMOTE_ADDR="10.3.4.2").post(RESET, {"email": "nobody@example.org"})
    assert smtp_server.messages == [], "nothing is sent until the worker takes the task"

    real_task_queue.run()

    [message] = smtp_server.messages
    assert smtp_server.recipients == [["smtp@example.org"]]
    assert message["Subject"] == "Reset your Secure Base password"
    assert re.search(r"http://testserver/accounts/reset/\S+/\S+/", message.get_content())
