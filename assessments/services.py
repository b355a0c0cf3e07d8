"""Writes to a reader's data, each in one transaction, plus the export that reads it all.

Views stay thin: they validate input with forms and call these functions.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments import couples, scoring
from assessments.models import (
    Answer,
    Plan,
    PracticeEntry,
    QuizVersion,
    ReaderSession,
    ReaderSettings,
    ReminderSent,
    ReminderSubscription,
    RepairEntry,
    Result,
    SavedStrategy,
    Subject,
)
from assessments.unsaved_results import SESSION_KEY as PENDING_KEY
from assessments.unsaved_results import PendingResult
from guide.compiled import compiled
from guide.models import Sign, Strategy

# The same answers sent again this soon are the same attempt (a form restored by the Back
# button and sent again, say), not a new one: they are not stored twice.
RESEND_WINDOW = timedelta(minutes=10)


class ResultKeyTaken(Exception):
    """The form's one-time key already belongs to another reader's result."""


class UnknownSigns(Exception):
    """The answers name signs that are not (or no longer) in the quiz."""

    def __init__(self, slugs: list[str]) -> None:
        super().__init__(f"Unknown signs: {', '.join(slugs)}")
        self.slugs = slugs


@compiled
def _quiz_signs():
    return Sign.objects.published().order_by("order", "pk")


def quiz_signs() -> list[Sign]:
    """The signs the quiz asks about, in the guide's order."""
    return _quiz_signs().rows()


def quiz_version_current() -> QuizVersion:
    """The version of the quiz as published now, made the first time it is asked for."""
    signs = sorted(
        [slug, leaning] for slug, leaning in Sign.objects.published().values_list("slug", "leaning")
    )
    fingerprint = scoring.quiz_fingerprint(signs)
    version, _ = QuizVersion.objects.get_or_create(
        fingerprint=fingerprint,
        defaults={"rules": scoring.SCORING_RULES_VERSION, "signs": signs},
    )
    return version


@transaction.atomic
def result_create(
    *,
    owner: AbstractBaseUser,
    subject: str,
    key: uuid.UUID,
    answers: Mapping[str, int],
    taken_at: datetime | None = None,
) -> Result:
    """Score and store a completed quiz, or return the result these answers already have.

    Each answer keeps the sign's wording, leaning and position as the reader saw them, so
    the result keeps its meaning when editors change or retire the sign.

    Sent twice, a quiz is stored once: the same form (its key, guarded by a unique
    constraint) returns the result stored for it, and so do the same answers about the same
    subject within ``RESEND_WINDOW`` (a page the Back button brought back, with a new
    key). A caller can tell a returned earlier result by its ``key`` differing from ``key``.
    """
    existing = Result.objects.filter(key=key).first()
    if existing is not None:
        if existing.owner_id != owner.pk:
            raise ResultKeyTaken(str(key))
        return existing

    signs = {sign.slug: sign for sign in Sign.objects.published().filter(slug__in=answers)}
    unknown = sorted(set(answers) - set(signs))
    if unknown:
        raise UnknownSigns(unknown)
    if not answers:
        raise ValueError("A result needs at least one answer.")

    about_partner = subject == Subject.PARTNER
    ordered = sorted(signs.values(), key=lambda sign: (sign.order, sign.pk))
    rated = [scoring.Rated(sign.slug, sign.leaning, int(answers[sign.slug])) for sign in ordered]
    scores = scoring.score(rated)  # validates the 1-5 range before anything is written

    taken_at = taken_at or timezone.now()
    # One reader's results are written one at a time, so two sends of the same answers
    # cannot both miss each other below.
    list(get_user_model().objects.select_for_update().filter(pk=owner.pk).values_list("pk"))
    resent = _same_answers_nearby(
        owner=owner,
        subject=subject,
        values={rating.slug: rating.value for rating in rated},
        taken_at=taken_at,
    )
    if resent is not None:
        return resent

    version = quiz_version_current()
    try:
        with transaction.atomic():
            result = Result.objects.create(
                owner=owner,
                subject=subject,
                version=version,
                key=key,
                overall=scores.overall,
                anxious_side=scores.anxious_side,
                avoidant_side=scores.avoidant_side,
                created=taken_at,
            )
    except IntegrityError:
        # The same form arrived twice at once: the other request stored it first.
        existing = Result.objects.get(key=key)
        if existing.owner_id != owner.pk:
            raise ResultKeyTaken(str(key)) from None
        return existing

    Answer.objects.bulk_create(
        Answer(
            result=result,
            sign=sign,
            sign_slug=sign.slug,
            text=sign.partner_text if about_partner else sign.text,
            leaning=sign.leaning,
            position=position,
            value=int(answers[sign.slug]),
        )
        for position, sign in enumerate(ordered, start=1)
    )
    return result


def _same_answers_nearby(
    *, owner: AbstractBaseUser, subject: str, values: dict[str, int], taken_at: datetime
) -> Result | None:
    """The reader's result about ``subject`` with exactly these answers, taken close by."""
    nearby = (
        Result.objects.filter(
            owner=owner,
            subject=subject,
            created__range=(taken_at - RESEND_WINDOW, taken_at + RESEND_WINDOW),
        )
        .prefetch_related("answers")
        .order_by("-created", "-pk")
    )
    for result in nearby:
        if {answer.sign_slug: answer.value for answer in result.answers.all()} == values:
            return result
    return None


@transaction.atomic
def result_claim(*, owner: AbstractBaseUser, pending: PendingResult) -> Result | None:
    """Store an anonymous result from the session in the reader's account.

    Signs retired since the quiz was taken are left out rather than failing the whole
    result; if none of its signs remain there is nothing meaningful to keep (None).

    If the form's key already names someone else's result (a shared browser's Back button
    brought back a form another reader had sent), the answers in this session are still
    this reader's own: they are stored under a new key rather than lost.
    """
    known = set(
        Sign.objects.published().filter(slug__in=pending.answers).values_list("slug", flat=True)
    )
    answers = {slug: value for slug, value in pending.answers.items() if slug in known}
    if not answers:
        return None
    fields = {
        "owner": owner,
        "subject": pending.subject,
        "answers": answers,
        "taken_at": pending.taken_at,
    }
    try:
        return result_create(key=pending.key, **fields)
    except ResultKeyTaken:
        return result_create(key=uuid.uuid4(), **fields)


@transaction.atomic
def result_delete(*, owner: AbstractBaseUser, result_id: int) -> bool:
    deleted, _ = Result.objects.owned_by(owner).filter(pk=result_id).delete()
    return deleted > 0


@transaction.atomic
def strategy_save(*, owner: AbstractBaseUser, strategy: Strategy) -> SavedStrategy:
    """Put a strategy in the reader's toolkit; saving it again changes nothing."""
    saved, created = SavedStrategy.objects.get_or_create(
        owner=owner,
        strategy_slug=strategy.slug,
        defaults={"strategy": strategy, "title": strategy.title},
    )
    if not created and saved.strategy_id is None:
        # Saved before, when the strategy had gone; it is back, so link it again.
        saved.strategy = strategy
        saved.title = strategy.title
        saved.save(update_fields=["strategy", "title"])
    return saved


@transaction.atomic
def strategy_unsave(*, owner: AbstractBaseUser, strategy_slug: str) -> bool:
    """Take a strategy (and its note) out of the toolkit; unsaving twice is harmless."""
    deleted, _ = SavedStrategy.objects.filter(owner=owner, strategy_slug=strategy_slug).delete()
    return deleted > 0


@transaction.atomic
def note_update(*, saved: SavedStrategy, note: str) -> SavedStrategy:
    saved.note = note.strip()
    saved.note_updated = timezone.now()
    saved.save(update_fields=["note", "note_updated"])
    return saved


def _sessions(user: AbstractBaseUser) -> list[dict[str, Any]]:
    """The reader's signed-in sessions: when each ends, and any quiz answers not yet kept."""
    sessions = []
    for session in ReaderSession.objects.filter(user_id=user.pk).order_by("expire_date"):
        pending = PendingResult.from_session(session.get_decoded().get(PENDING_KEY))
        sessions.append(
            {
                "expires_at": session.expire_date.isoformat(),
                "quiz_answers_not_kept": (
                    {
                        "taken_at": pending.taken_at.isoformat(),
                        "subject": pending.subject,
                        "answers": pending.answers,
                    }
                    if pending
                    else None
                ),
            }
        )
    return sessions


def account_export(*, user: AbstractBaseUser) -> dict[str, Any]:
    """Everything stored about a reader, as plain data for a JSON download.

    It matches the privacy page's list: the account, results with answers, the toolkit,
    and the reader's signed-in sessions. (Counts of wrong passwords are not stored with
    the account: they are hashed, short-lived counters in the cache.)
    """
    results = (
        Result.objects.owned_by(user)
        .order_by("created", "pk")
        .select_related("version")
        .prefetch_related("answers")
    )
    saved = SavedStrategy.objects.owned_by(user).order_by("created", "pk")
    return {
        "exported_at": timezone.now().isoformat(),
        "about": (
            "Everything Secure Base stores about your account. Scores run from 0 to 100, and "
            "higher means more secure; answers from 1 (not like me at all) to 5 (very much "
            "like me). Each result names the quiz version it was scored with: its signs, the "
            "side each speaks to, and the scoring rules."
        ),
        "scores": dict(scoring.MEASURES),
        "account": {
            "username": user.get_username(),
            "email": getattr(user, "email", ""),
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
        },
        "results": [
            {
                "taken_at": result.created.isoformat(),
                "subject": result.subject,
                "quiz_version": result.version.as_data() if result.version else None,
                "overall": result.overall,
                "anxious_side": result.anxious_side,
                "avoidant_side": result.avoidant_side,
                "answers": [
                    {
                        "position": answer.position,
                        "sign": answer.sign_slug,
                        "text": answer.text,
                        "leaning": answer.leaning,
                        "value": answer.value,
                    }
                    for answer in result.answers.all()
                ],
            }
            for result in results
        ],
        "toolkit": [
            {
                "strategy": item.strategy_slug,
                "title": item.title,
                "saved_at": item.created.isoformat(),
                "note": item.note,
                "note_updated": item.note_updated.isoformat() if item.note_updated else None,
            }
            for item in saved
        ],
        "sessions": _sessions(user),
        **_practice_export(user),
    }


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _practice_export(user: AbstractBaseUser) -> dict[str, Any]:
    """The reader's practice: settings, plans with their weeks, both logs, reminders."""
    settings = ReaderSettings.objects.owned_by(user).first()
    reminder = ReminderSubscription.objects.owned_by(user).first()
    plans = Plan.objects.owned_by(user).order_by("created", "pk").prefetch_related("weeks")
    return {
        "settings": {"time_zone": settings.time_zone if settings else "UTC"},
        "plans": [
            {
                "status": plan.status,
                "created_at": plan.created.isoformat(),
                "started_on": plan.started_on.isoformat(),
                "paused_on": _iso(plan.paused_on),
                "ended_at": _iso(plan.ended),
                "from_result_taken_at": _iso(plan.result.created) if plan.result else None,
                "weeks": [
                    {
                        "week": week.number,
                        "strategy": week.strategy_slug,
                        "strategy_title": week.strategy_title,
                        "sign": week.sign_slug,
                        "sign_text": week.sign_text,
                        "reflection_prompt": week.prompt_text,
                        "reading": week.reading_title,
                        "reading_url": week.reading_url,
                    }
                    for week in plan.weeks.all()
                ],
            }
            for plan in plans.select_related("result")
        ],
        "practice_entries": [
            {
                "date": entry.date.isoformat(),
                "strategy": entry.strategy_slug,
                "strategy_title": entry.strategy_title,
                "situation": entry.situation,
                "how_it_went": entry.get_outcome_display() if entry.outcome else None,
                "how_it_went_on_the_scale_1_to_5": entry.outcome,
                "note": entry.note,
                "created_at": entry.created.isoformat(),
                "updated_at": entry.updated.isoformat(),
            }
            for entry in PracticeEntry.objects.owned_by(user).order_by("date", "pk")
        ],
        "repair_entries": [
            {
                "date": entry.date.isoformat(),
                "what_happened": entry.what_happened,
                "feelings": entry.feeling_labels,
                "feelings_in_my_words": entry.feelings_other,
                "repair_script": entry.script_slug,
                "repair_script_title": entry.script_title,
                "repaired": entry.get_repaired_display(),
                "next_time": entry.next_time,
                "created_at": entry.created.isoformat(),
                "updated_at": entry.updated.isoformat(),
            }
            for entry in RepairEntry.objects.owned_by(user).order_by("date", "pk")
        ],
        "reminders": (
            {
                "email": reminder.email,
                "status": reminder.status,
                "confirmed_at": _iso(reminder.confirmed),
                "weekday": reminder.get_weekday_display(),
                "hour": reminder.hour,
                "schedule_set_at": reminder.schedule_set.isoformat(),
                "created_at": reminder.created.isoformat(),
                "weeks_queued": [
                    {
                        "iso_week": f"{sent.iso_year}-W{sent.iso_week:02d}",
                        "queued_at": _iso(sent.queued),
                        "sent_at": _iso(sent.sent),
                    }
                    for sent in ReminderSent.objects.owned_by(user).order_by("iso_year", "iso_week")
                ],
            }
            if reminder
            else None
        ),
        "couple": couples.couple_export(user=user),
    }


@transaction.atomic
def account_delete(*, user: AbstractBaseUser) -> None:
    """Delete the account and everything in it: results, answers, toolkit, notes, plans,
    practice and repair entries, reminder settings and queued reminders.

    The reader's sessions on every browser go too (signed out everywhere, with any quiz
    answers they held), so nothing of the reader is left behind.
    """
    couples.couple_forget(user=user)  # unlinks first, silently: the partner keeps their copy
    # Queued reminders go first: the worker, finding no row, sends nothing.
    for model in (ReminderSent, ReminderSubscription, PracticeEntry, RepairEntry, Plan):
        model.objects.filter(owner=user).delete()
    ReaderSettings.objects.filter(owner=user).delete()
    Result.objects.filter(owner=user).delete()
    SavedStrategy.objects.filter(owner=user).delete()
    ReaderSession.objects.filter(user_id=user.pk).delete()
    user.delete()
