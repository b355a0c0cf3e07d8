"""A reader's own data: quiz results with their answers, and the toolkit of saved strategies.

Everything here belongs to exactly one reader and is shown to that reader only. None of
it is registered in the admin: editors (and staff in general) never see it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual

from assessments.scoring import ANSWER_MAX, ANSWER_MIN
from guide.models import Sign, Strategy

NOTE_MAX_LENGTH = 5_000


class Subject(models.TextChoices):
    SELF = "self", "Me"
    PARTNER = "partner", "Someone I'm dating or my partner"


class QuizVersion(models.Model):
    """One version of the signs quiz: its signs with their sides, and the scoring rules.

    Made the first time a result is stored against it (:func:`services.quiz_version_current`),
    so an editor changing a sign's side, adding or retiring a sign, or a release changing the
    scoring rules makes a new version with no step to remember. Rewording a sign does not:
    the reader rated the same thing.
    """

    fingerprint = models.CharField(max_length=16, unique=True, editable=False)
    rules = models.PositiveSmallIntegerField(help_text="scoring.SCORING_RULES_VERSION")
    # [[slug, side], ...] sorted by slug: what the fingerprint was made from.
    signs = models.JSONField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Quiz version {self.number}"

    @property
    def number(self) -> int:
        return self.pk

    def as_data(self) -> dict:
        return {
            "number": self.number,
            "fingerprint": self.fingerprint,
            "scoring_rules": self.rules,
            "signs": [{"sign": slug, "side": side} for slug, side in self.signs],
            "first_used": self.created.isoformat(),
        }


class ResultQuerySet(models.QuerySet):
    def owned_by(self, user) -> ResultQuerySet:
        """The only way views look results up: anything else is another reader's."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)


class Result(models.Model):
    """One completed signs quiz, scored when it was taken.

    Scores are stored rather than recomputed, and each answer keeps the wording it was
    given to, so a result means the same thing after editors reword or retire signs.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_results"
    )
    subject = models.CharField(max_length=10, choices=Subject, default=Subject.SELF)
    version = models.ForeignKey(
        QuizVersion, on_delete=models.PROTECT, related_name="results", null=True, blank=True
    )
    overall = models.PositiveSmallIntegerField()
    anxious_side = models.PositiveSmallIntegerField(null=True, blank=True)
    avoidant_side = models.PositiveSmallIntegerField(null=True, blank=True)
    # Generated when the quiz form is shown: sending the same form twice stores one result.
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    created = models.DateTimeField(db_index=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="result_key_unique"),
            models.CheckConstraint(
                condition=Q(overall__gte=0, overall__lte=100), name="result_overall_0_100"
            ),
            models.CheckConstraint(
                condition=Q(anxious_side__isnull=True)
                | Q(anxious_side__gte=0, anxious_side__lte=100),
                name="result_anxious_side_0_100",
            ),
            models.CheckConstraint(
                condition=Q(avoidant_side__isnull=True)
                | Q(avoidant_side__gte=0, avoidant_side__lte=100),
                name="result_avoidant_side_0_100",
            ),
        ]
        indexes = [
            models.Index(
                fields=["owner", "subject", "created"], name="result_owner_subject_created"
            )
        ]

    def __str__(self) -> str:
        return f"Signs quiz ({self.get_subject_display()}), {self.created:%Y-%m-%d}"


class Answer(models.Model):
    """One rating in a result, with a snapshot of the sign as the reader saw it."""

    result = models.ForeignKey(Result, on_delete=models.CASCADE, related_name="answers")
    # Kept for links to the guide while the sign exists; the snapshot below carries the meaning.
    sign = models.ForeignKey(
        Sign, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sign_slug = models.SlugField(max_length=80)
    text = models.CharField(max_length=300, help_text="The wording the reader rated.")
    leaning = models.CharField(max_length=20, choices=Sign.Leaning)
    position = models.PositiveSmallIntegerField()
    value = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value__gte=ANSWER_MIN, value__lte=ANSWER_MAX),
                name="answer_value_1_5",
            ),
            models.UniqueConstraint(
                fields=["result", "sign_slug"], name="answer_one_per_sign_per_result"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sign_slug}: {self.value}"


class SavedStrategyQuerySet(models.QuerySet):
    def owned_by(self, user) -> SavedStrategyQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)


class SavedStrategy(models.Model):
    """A strategy in a reader's toolkit, with the reader's private note about it.

    The title and slug are kept too, so the note survives an editor retiring the strategy.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_strategies"
    )
    strategy = models.ForeignKey(
        Strategy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    strategy_slug = models.SlugField(max_length=80)
    title = models.CharField(max_length=200)
    note = models.TextField(blank=True, max_length=NOTE_MAX_LENGTH)
    created = models.DateTimeField(auto_now_add=True)
    note_updated = models.DateTimeField(null=True, blank=True)

    objects = SavedStrategyQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        verbose_name_plural = "saved strategies"
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "strategy_slug"], name="saved_strategy_once_per_reader"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("note"), NOTE_MAX_LENGTH),
                name="saved_strategy_note_length",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ReaderSession(AbstractBaseSession):
    """A browser session (``SESSION_ENGINE = "assessments.sessions"``), with the id of the
    reader signed in to it, if any: so an account's sessions everywhere go with it."""

    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    @classmethod
    def get_session_store_class(cls):
        from assessments.sessions import SessionStore

        return SessionStore


# Couples, by consent: kept in their own module, registered here with the app's models.
from assessments.couples_models import (  # noqa: E402, F401
    Agreement,
    AgreementCopy,
    CoupleLink,
    CoupleMember,
    PartnerInvite,
)
