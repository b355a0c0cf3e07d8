"""Weekly reminders: opt-in, confirmed by email, discreet, and stopped with one click.

Someone else may see the reader's inbox, so every message says nothing personal: the subject
is always :data:`SUBJECT`, and the body names no strategy, feeling or partner, only a link to
sign in. Links are signed (:mod:`django.core.signing`) and carry the subscription's
``token_key``: a confirmation link lasts :data:`CONFIRM_MAX_AGE`; an unsubscribe link works
signed out, for as long as the subscription exists.

Scheduling: :func:`enqueue_due` (``manage.py send_reminders``) writes one
:class:`~assessments.models.ReminderSent` row per reader per ISO week, which a unique
constraint guards, and queues :func:`send_reminder` with nothing but that row's id.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from assessments.models import ReaderSettings, ReminderSent, ReminderSubscription
from assessments.practice import _zone
from config.tasks import send_email

log = logging.getLogger(__name__)

SUBJECT = "Your weekly Secure Base note"
CONFIRM_SUBJECT = "Confirm your email address for Secure Base"
CONFIRM_MAX_AGE = timedelta(days=3)
# A run that comes late (a server down for a while) still sends this week's note within a
# day of its time; after that it waits for next week rather than arrive days off schedule.
DUE_WINDOW = timedelta(days=1)
CONFIRM_SALT = "assessments.reminders.confirm"
UNSUBSCRIBE_SALT = "assessments.reminders.unsubscribe"

Status = ReminderSubscription.Status


class BadToken(Exception):
    """A link that was tampered with, has expired, or belongs to an older subscription."""


def site_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# -- signed links -----------------------------------------------------------------------------


def confirm_token(subscription: ReminderSubscription) -> str:
    return signing.dumps(
        {"s": subscription.pk, "k": subscription.token_key, "e": subscription.email},
        salt=CONFIRM_SALT,
    )


def unsubscribe_token(subscription: ReminderSubscription) -> str:
    return signing.dumps({"s": subscription.pk, "k": subscription.token_key}, salt=UNSUBSCRIBE_SALT)


def _subscription_from(token: str, *, salt: str, max_age: timedelta | None = None):
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as error:
        raise BadToken("expired") from error
    except signing.BadSignature as error:
        raise BadToken("bad") from error
    if not isinstance(data, dict):
        raise BadToken("bad")
    subscription = ReminderSubscription.objects.filter(pk=data.get("s"), token_key=data.get("k"))
    found = subscription.select_related("owner").first()
    if found is None or ("e" in data and data["e"] != found.email):
        raise BadToken("stale")
    return found


def subscription_to_confirm(token: str) -> ReminderSubscription:
    return _subscription_from(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)


def subscription_to_unsubscribe(token: str) -> ReminderSubscription:
    return _subscription_from(token, salt=UNSUBSCRIBE_SALT)


def unsubscribe_url(subscription: ReminderSubscription) -> str:
    return site_url(reverse("assessments:unsubscribe", args=[unsubscribe_token(subscription)]))


# -- the reader's choices -------------------------------------------------------------------


@transaction.atomic
def reminders_set(
    *, owner: AbstractBaseUser, email: str, weekday: int, hour: int
) -> tuple[ReminderSubscription, bool]:
    """Turn reminders on (or change them). Returns the subscription and whether a
    confirmation email went out: a new or changed address must be confirmed first."""
    now = timezone.now()
    subscription = ReminderSubscription.objects.select_for_update().filter(owner=owner).first()
    if subscription is None:
        subscription = ReminderSubscription(owner=owner)
    needs_confirming = (
        subscription.pk is None
        or subscription.email != email
        or subscription.status in {Status.PENDING, Status.OFF}
    )
    subscription.email = email
    subscription.weekday = weekday
    subscription.hour = hour
    subscription.schedule_set = now
    if needs_confirming:
        subscription.status = Status.PENDING
        subscription.confirmed = None
        subscription.token_key = ReminderSubscription._meta.get_field("token_key").default()
    subscription.save()
    if needs_confirming:
        send_confirmation.enqueue(subscription.pk, subscription.token_key)
    return subscription, needs_confirming


@transaction.atomic
def reminders_confirm(*, subscription: ReminderSubscription) -> ReminderSubscription:
    if subscription.status == Status.PENDING:
        subscription.status = Status.ON
        subscription.confirmed = timezone.now()
        # The first note comes at the next chosen moment, not at once for one just passed.
        subscription.schedule_set = subscription.confirmed
        subscription.save(update_fields=["status", "confirmed", "schedule_set"])
    return subscription


@transaction.atomic
def reminders_pause(*, subscription: ReminderSubscription) -> ReminderSubscription:
    if subscription.status == Status.ON:
        subscription.status = Status.PAUSED
        subscription.save(update_fields=["status"])
    return subscription


@transaction.atomic
def reminders_resume(*, subscription: ReminderSubscription) -> ReminderSubscription:
    if subscription.status == Status.PAUSED:
        subscription.status = Status.ON
        subscription.schedule_set = timezone.now()
        subscription.save(update_fields=["status", "schedule_set"])
    return subscription


@transaction.atomic
def reminders_stop(*, subscription: ReminderSubscription) -> ReminderSubscription:
    """Unsubscribe: nothing more is sent, and the address is no longer kept."""
    subscription.status = Status.OFF
    subscription.email = ""
    subscription.confirmed = None
    subscription.save(update_fields=["status", "email", "confirmed"])
    return subscription


# -- scheduling -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    subscription: ReminderSubscription
    iso_year: int
    iso_week: int


def scheduled_moment(subscription: ReminderSubscription, *, now: datetime, zone) -> datetime:
    """This ISO week's chosen weekday and hour, in the reader's zone, as an aware datetime."""
    local = now.astimezone(zone)
    monday = local.date() - timedelta(days=local.weekday())
    day = monday + timedelta(days=subscription.weekday)
    return datetime.combine(day, time(subscription.hour), tzinfo=zone)


def due(now: datetime | None = None) -> list[Due]:
    """The confirmed, active subscriptions whose moment this week has come (within a day)."""
    now = now or timezone.now()
    zones = ReaderSettings.objects.filter(owner=OuterRef("owner")).values("time_zone")[:1]
    found = []
    subscriptions = ReminderSubscription.objects.filter(
        status=Status.ON, confirmed__isnull=False
    ).annotate(zone=Subquery(zones))
    for subscription in subscriptions:
        zone = _zone(subscription.zone or "UTC")
        moment = scheduled_moment(subscription, now=now, zone=zone)
        if moment <= now < moment + DUE_WINDOW and moment >= subscription.schedule_set:
            year, week, _ = moment.date().isocalendar()
            found.append(Due(subscription, year, week))
    return found


def enqueue_due(now: datetime | None = None) -> int:
    """Queue this week's note for every reader whose moment has come; returns how many.

    Each reader's week is claimed by inserting its row: when another run (a second server,
    a run that overlapped) got there first, the unique constraint refuses the insert and
    nothing is queued twice.
    """
    queued = 0
    for item in due(now):
        try:
            with transaction.atomic():
                sent = ReminderSent.objects.create(
                    owner_id=item.subscription.owner_id,
                    iso_year=item.iso_year,
                    iso_week=item.iso_week,
                )
                send_reminder.enqueue(sent.pk)
        except IntegrityError:
            continue
        queued += 1
    return queued


# -- the messages -----------------------------------------------------------------------------


def reminder_body(subscription: ReminderSubscription) -> str:
    return (
        "Hello,\n\n"
        "This is your weekly note from Secure Base: a moment to come back to your practice.\n\n"
        f"Sign in to see your week: {site_url(reverse('assessments:me'))}\n\n"
        "You asked for this note once a week. To stop it, open this link (no sign-in "
        f"needed): {unsubscribe_url(subscription)}\n"
        "To pause it or change the day, sign in and open My space.\n"
    )


def confirm_body(subscription: ReminderSubscription) -> str:
    link = site_url(reverse("assessments:reminders-confirm", args=[confirm_token(subscription)]))
    return (
        "Hello,\n\n"
        "Someone, we hope you, asked Secure Base to send a short weekly note to this address.\n"
        f"To confirm, open this link within 3 days: {link}\n\n"
        "If it was not you, ignore this email: nothing will be sent.\n"
    )


@task
def send_confirmation(subscription_id: int, token_key: str) -> bool:
    """The confirmation email, if that subscription still waits for it."""
    subscription = ReminderSubscription.objects.filter(
        pk=subscription_id, token_key=token_key, status=Status.PENDING
    ).first()
    if subscription is None:
        return False
    send_email.call(
        to=[subscription.email], subject=CONFIRM_SUBJECT, body=confirm_body(subscription)
    )
    return True


@task
def send_reminder(reminder_id: int) -> bool:
    """Send one queued weekly note, unless the reader has since gone, paused or stopped."""
    with transaction.atomic():
        sent = (
            ReminderSent.objects.select_for_update()
            .filter(pk=reminder_id, sent__isnull=True)
            .first()
        )
        if sent is None:
            return False  # the account was deleted, or it went out already
        subscription = ReminderSubscription.objects.filter(
            owner_id=sent.owner_id, status=Status.ON, confirmed__isnull=False
        ).first()
        if subscription is None:
            return False
        link = unsubscribe_url(subscription)
        send_email.call(
            to=[subscription.email],
            subject=SUBJECT,
            body=reminder_body(subscription),
            headers={
                "List-Unsubscribe": f"<{link}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        sent.sent = timezone.now()
        sent.save(update_fields=["sent"])
    return True
