"""Weekly reminders against a real SMTP server on loopback: opt-in, confirmed, discreet,
sent once per ISO week in the reader's own time zone, and stopped with one click."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core import signing
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from assessments import practice, reminders, services
from assessments.models import ReminderSent, ReminderSubscription
from tests.factories import make_user, take_quiz

pytestmark = pytest.mark.django_db

MONDAY_8_TOKYO = datetime(2026, 11, 29, 23, 0, tzinfo=UTC)  # Monday Nov 30, 08:00 in Tokyo
MONDAY_8_LOS_ANGELES = datetime(2026, 11, 30, 16, 0, tzinfo=UTC)  # 08:00 in Los Angeles
LINK = re.compile(r"https?://\S+")


def links_in(body: str) -> list[str]:
    return LINK.findall(body)


def path_of(url: str) -> str:
    return urlsplit(url).path


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://securebase.example"


def subscribed(user, *, zone="UTC", weekday=0, hour=8, since=None) -> ReminderSubscription:
    """A reader with reminders on, confirmed, and set up before ``since``."""
    practice.time_zone_set(owner=user, name=zone)
    return ReminderSubscription.objects.create(
        owner=user,
        email=f"{user.username}@example.com",
        status=ReminderSubscription.Status.ON,
        confirmed=datetime(2026, 11, 1, tzinfo=UTC),
        weekday=weekday,
        hour=hour,
        schedule_set=since or datetime(2026, 11, 1, tzinfo=UTC),
    )


# -- opting in ------------------------------------------------------------------------------


def test_turning_reminders_on_sends_a_confirmation_link_and_nothing_else(
    client, reader, smtp_server
):
    client.force_login(reader)
    response = client.post(
        "/me/reminders/", {"email": "me@example.com", "weekday": "0", "hour": "8"}
    )
    assert response.status_code == 302

    [mail] = smtp_server.messages
    assert mail.recipients == ["me@example.com"]
    assert mail.subject == "Confirm your email address for Secure Base"
    [link] = [url for url in links_in(mail.body) if "/reminders/confirm/" in url]
    assert link.startswith("https://securebase.example/reminders/confirm/")
    subscription = ReminderSubscription.objects.get(owner=reader)
    assert subscription.status == ReminderSubscription.Status.PENDING
    # Unconfirmed: the weekly run sends nothing.
    assert reminders.enqueue_due(MONDAY_8_TOKYO + timedelta(hours=9)) == 0


def test_the_confirmation_link_works_signed_out_with_one_press(client, reader, smtp_server):
    client.force_login(reader)
    client.post("/me/reminders/", {"email": "me@example.com", "weekday": "0", "hour": "8"})
    [link] = [u for u in links_in(smtp_server.messages[0].body) if "/confirm/" in u]
    stranger = Client()

    page = stranger.get(path_of(link))
    assert page.status_code == 200 and "Confirm my address" in page.content.decode()
    assert ReminderSubscription.objects.get(owner=reader).status == "pending"  # GET changes nothing

    done = stranger.post(path_of(link))
    assert "Your address is confirmed" in done.content.decode()
    subscription = ReminderSubscription.objects.get(owner=reader)
    assert subscription.status == "on" and subscription.confirmed is not None


def test_a_confirmation_link_expires_after_three_days(client, reader, smtp_server, monkeypatch):
    client.force_login(reader)
    client.post("/me/reminders/", {"email": "me@example.com", "weekday": "0", "hour": "8"})
    [link] = [u for u in links_in(smtp_server.messages[0].body) if "/confirm/" in u]
    sent_at = signing.time.time()
    monkeypatch.setattr(signing.time, "time", lambda: sent_at + 3 * 86400 + 5)

    response = Client().post(path_of(link))

    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert ReminderSubscription.objects.get(owner=reader).status == "pending"


def test_a_tampered_or_superseded_link_confirms_nothing(client, reader, smtp_server):
    client.force_login(reader)
    client.post("/me/reminders/", {"email": "old@example.com", "weekday": "0", "hour": "8"})
    [old] = [u for u in links_in(smtp_server.messages[0].body) if "/confirm/" in u]
    client.post("/me/reminders/", {"email": "new@example.com", "weekday": "0", "hour": "8"})

    assert Client().post(path_of(old)).status_code == 400  # a newer link was sent since
    assert Client().post(path_of(old)[:-6] + "xxxxx/").status_code == 400
    assert ReminderSubscription.objects.get(owner=reader).status == "pending"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "", "weekday": "0", "hour": "8"}, "Enter the address"),
        ({"email": "not-an-address", "weekday": "0", "hour": "8"}, "Enter a whole email address"),
        ({"email": "me@example.com", "weekday": "9", "hour": "8"}, "Choose a day from the list"),
        ({"email": "me@example.com", "weekday": "0", "hour": "24"}, "Choose an hour from the list"),
    ],
)
def test_bad_reminder_settings_store_nothing(client, reader, smtp_server, data, message):
    client.force_login(reader)
    response = client.post("/me/reminders/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ReminderSubscription.objects.exists()
    assert smtp_server.messages == []


# -- the weekly note --------------------------------------------------------------------------


def test_the_note_is_discreet_and_carries_one_click_unsubscribe_headers(quiz, reader, smtp_server):
    subscribed(reader, zone="Asia/Tokyo")
    # The reader's plan must never leak into the note.
    taken = take_quiz(quiz, reader, 1)
    plan = practice.plan_start(owner=reader, result_id=taken.pk)
    week = plan.weeks.get(number=1)

    assert reminders.enqueue_due(MONDAY_8_TOKYO) == 1

    [mail] = smtp_server.messages
    assert mail.recipients == [f"{reader.username}@example.com"]
    assert mail.subject == "Your weekly Secure Base note"
    body = mail.body
    for secret in (week.strategy_title, week.sign_text, "partner", "angry", "hurt", "feel"):
        assert secret.lower() not in body.lower(), secret
    assert "https://securebase.example/me/" in body
    unsubscribe = mail.message["List-Unsubscribe"]
    assert re.fullmatch(r"<https://securebase\.example/reminders/unsubscribe/[^>]+/>", unsubscribe)
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in body


def test_one_click_unsubscribe_works_signed_out_and_stops_every_later_note(reader, smtp_server):
    subscribed(reader, zone="Asia/Tokyo")
    reminders.enqueue_due(MONDAY_8_TOKYO)
    [mail] = smtp_server.messages
    url = mail.message["List-Unsubscribe"][1:-1]

    # RFC 8058: the mail client posts this body, with no cookie and no CSRF token.
    response = Client(enforce_csrf_checks=True).post(
        path_of(url), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    subscription = ReminderSubscription.objects.get(owner=reader)
    assert subscription.status == "off" and subscription.email == ""
    assert reminders.enqueue_due(MONDAY_8_TOKYO + timedelta(weeks=1)) == 0
    assert len(smtp_server.messages) == 1
    # The link again (a second click, a mail scanner): a calm page, not an error.
    again = Client().get(path_of(url))
    assert again.status_code == 200 and "no more notes" in again.content.decode()


def test_tokyo_and_los_angeles_each_get_monday_eight_oclock_in_their_own_zone(smtp_server):
    tokyo = make_user("in-tokyo")
    los_angeles = make_user("in-los-angeles")
    subscribed(tokyo, zone="Asia/Tokyo")
    subscribed(los_angeles, zone="America/Los_Angeles")

    assert reminders.enqueue_due(MONDAY_8_TOKYO - timedelta(minutes=1)) == 0
    assert reminders.enqueue_due(MONDAY_8_TOKYO) == 1
    assert [m.recipients for m in smtp_server.messages] == [["in-tokyo@example.com"]]

    assert reminders.enqueue_due(MONDAY_8_LOS_ANGELES - timedelta(minutes=1)) == 0
    assert reminders.enqueue_due(MONDAY_8_LOS_ANGELES) == 1
    assert [m.recipients for m in smtp_server.messages] == [
        ["in-tokyo@example.com"],
        ["in-los-angeles@example.com"],
    ]
    # Each counted in its own ISO week: 2026-W49 in both zones.
    assert set(ReminderSent.objects.values_list("iso_year", "iso_week")) == {(2026, 49)}


def test_send_reminders_twice_queues_one_note_per_reader_per_week(reader, smtp_server):
    now = timezone.now()
    subscribed(reader, weekday=now.weekday(), hour=now.hour, since=now - timedelta(days=8))

    for _ in range(2):
        call_command("send_reminders", stdout=StringIO())

    assert len(smtp_server.messages) == 1
    assert ReminderSent.objects.filter(owner=reader).count() == 1


def test_the_database_refuses_a_second_reminder_for_the_same_week(reader):
    ReminderSent.objects.create(owner=reader, iso_year=2026, iso_week=49)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderSent.objects.create(owner=reader, iso_year=2026, iso_week=49)


@pytest.mark.django_db(transaction=True)
def test_send_reminders_run_concurrently_sends_each_reader_one_note(smtp_server):
    readers = [make_user(f"concurrent-{n}") for n in range(3)]
    for user in readers:
        subscribed(user, zone="Asia/Tokyo")
    start = threading.Barrier(2)
    counts: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            start.wait()
            counts.append(reminders.enqueue_due(MONDAY_8_TOKYO))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert sum(counts) == 3
    assert sorted(m.recipients[0] for m in smtp_server.messages) == sorted(
        f"{user.username}@example.com" for user in readers
    )
    assert ReminderSent.objects.count() == 3


def test_paused_readers_get_nothing_until_they_resume(reader, smtp_server):
    subscription = subscribed(reader, zone="Asia/Tokyo")
    reminders.reminders_pause(subscription=subscription)
    assert reminders.enqueue_due(MONDAY_8_TOKYO) == 0
    reminders.reminders_resume(subscription=subscription)
    ReminderSubscription.objects.filter(pk=subscription.pk).update(
        schedule_set=MONDAY_8_TOKYO - timedelta(days=1)
    )
    assert reminders.enqueue_due(MONDAY_8_TOKYO + timedelta(weeks=1)) == 1
    assert len(smtp_server.messages) == 1


def test_a_deleted_account_gets_nothing(reader, smtp_server):
    subscribed(reader, zone="Asia/Tokyo")
    services.account_delete(user=reader)
    assert reminders.enqueue_due(MONDAY_8_TOKYO) == 0
    assert smtp_server.messages == []


@pytest.mark.django_db(transaction=True)
def test_a_note_queued_before_the_account_was_deleted_is_never_sent(settings, smtp_server):
    """Through the real queue: queued in PostgreSQL, the account deleted, then the worker."""
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    keeps = make_user("keeps-account")
    leaves = make_user("deletes-account")
    subscribed(keeps, zone="Asia/Tokyo")
    subscribed(leaves, zone="Asia/Tokyo")
    assert reminders.enqueue_due(MONDAY_8_TOKYO) == 2
    assert smtp_server.messages == []  # queued, not sent: no worker has run yet
    services.account_delete(user=leaves)

    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO())

    assert [m.recipients for m in smtp_server.messages] == [["keeps-account@example.com"]]
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 2
    # What the queue kept: ids only, never an address or anything the reader wrote.
    for row in DBTaskResult.objects.all():
        assert "@" not in str(row.args_kwargs)
