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


# -- practice: settings, plans, practice and repair logs, reminders -------------------------

PRACTICE_TEXT_MAX_LENGTH = 2_000
SITUATION_MAX_LENGTH = 500
FEELINGS_OTHER_MAX_LENGTH = 200
PLAN_WEEKS = 4


class OwnedQuerySet(models.QuerySet):
    def owned_by(self, user) -> OwnedQuerySet:
        """The only way views look a reader's rows up: anything else is another reader's."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(owner=user)


class ReaderSettings(models.Model):
    """A reader's settings: the time zone their days, weeks and reminders are counted in."""

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reader_settings"
    )
    time_zone = models.CharField(max_length=64, default="UTC")

    objects = OwnedQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "reader settings"

    def __str__(self) -> str:
        return self.time_zone


class PlanStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ENDED = "ended", "Ended"


class Plan(models.Model):
    """Four gentle weeks of practice, drawn from one of the reader's own quiz results.

    ``started_on`` is a date in the reader's time zone; a pause moves it forward by the days
    paused, so the week a reader comes back to is the week they left.
    """

    Status = PlanStatus

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_plans"
    )
    # The result it grew from; the plan stays if the reader deletes that result.
    result = models.ForeignKey(
        Result, on_delete=models.SET_NULL, null=True, blank=True, related_name="plans"
    )
    status = models.CharField(max_length=10, choices=PlanStatus, default=PlanStatus.ACTIVE)
    started_on = models.DateField()
    paused_on = models.DateField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    ended = models.DateTimeField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]
        constraints = [
            # One plan at a time: a second "Start" (two tabs, a double click) stores nothing.
            models.UniqueConstraint(
                fields=["owner"],
                condition=~Q(status=PlanStatus.ENDED),
                name="plan_one_current_per_reader",
                violation_error_message="You already have a plan under way.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PlanStatus.values), name="plan_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Plan from {self.started_on:%Y-%m-%d} ({self.get_status_display()})"


class PlanWeek(models.Model):
    """One week of a plan: a focus strategy, something to read, and a prompt to reflect on.

    The strategy's title, the sign it works on and the prompt's wording are copied in, so the
    plan reads the same after editors reword or retire them.
    """

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="weeks")
    number = models.PositiveSmallIntegerField()
    strategy = models.ForeignKey(
        Strategy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    strategy_slug = models.SlugField(max_length=80)
    strategy_title = models.CharField(max_length=200)
    sign_slug = models.SlugField(max_length=80, blank=True)
    sign_text = models.CharField(max_length=300, blank=True)
    prompt = models.ForeignKey(
        "guide.ReflectionPrompt",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    prompt_text = models.TextField(max_length=1_000)
    # The chapter that explains the strategy, read at the strategy's place in it.
    reading_title = models.CharField(max_length=200, blank=True)
    reading_url = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_week_once"),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=PLAN_WEEKS), name="plan_week_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"Week {self.number}: {self.strategy_title}"

    def prompt_html(self):
        """The prompt as editors wrote it (markdown), through the site's one renderer."""
        from guide.markdown import render

        return render(self.prompt_text)


class Outcome(models.IntegerChoices):
    """How a practice went, in the reader's words: every answer is a practice that counts."""

    HARD = 1, "Hard: I struggled with it"
    DIFFICULT = 2, "Difficult, but I tried"
    MIXED = 3, "Mixed: some of it worked"
    GOOD = 4, "It went fairly well"
    WELL = 5, "It went well"


class PracticeEntry(models.Model):
    """One time a reader practised a strategy: the day, the situation, how it went.

    A one-press "I practised this today" entry has no situation or outcome yet; the reader can
    add them later. ``date`` is the reader's own calendar date, in their time zone.
    """

    Outcome = Outcome

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="practice_entries"
    )
    date = models.DateField()
    strategy = models.ForeignKey(
        Strategy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    strategy_slug = models.SlugField(max_length=80)
    strategy_title = models.CharField(max_length=200)
    situation = models.CharField(max_length=SITUATION_MAX_LENGTH, blank=True)
    outcome = models.PositiveSmallIntegerField(choices=Outcome, null=True, blank=True)
    note = models.TextField(max_length=PRACTICE_TEXT_MAX_LENGTH, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-created", "-pk"]
        verbose_name_plural = "practice entries"
        indexes = [models.Index(fields=["owner", "date"], name="practice_owner_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__isnull=True) | Q(outcome__gte=1, outcome__lte=5),
                name="practice_outcome_1_5",
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("note"), PRACTICE_TEXT_MAX_LENGTH),
                name="practice_note_length",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}: {self.strategy_title}"

    @property
    def is_quick(self) -> bool:
        return not self.situation and self.outcome is None


class Feeling(models.TextChoices):
    """A short list of feeling words for the repair log; free text adds any other."""

    HURT = "hurt", "Hurt"
    ANGRY = "angry", "Angry"
    SCARED = "scared", "Scared"
    SAD = "sad", "Sad"
    ASHAMED = "ashamed", "Ashamed"
    LONELY = "lonely", "Lonely"
    OVERWHELMED = "overwhelmed", "Overwhelmed"
    NUMB = "numb", "Numb or shut down"
    FRUSTRATED = "frustrated", "Frustrated"
    GUILTY = "guilty", "Guilty"


class Repaired(models.TextChoices):
    YES = "yes", "Yes"
    PARTLY = "partly", "Partly"
    NOT_YET = "not_yet", "Not yet"


class RepairEntry(models.Model):
    """What happened in a rupture, what the reader felt, the repair script they used, and
    whether repair happened. ``script`` is one of the guide's repair strategies."""

    Feeling = Feeling
    Repaired = Repaired

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="repair_entries"
    )
    date = models.DateField()
    what_happened = models.TextField(max_length=PRACTICE_TEXT_MAX_LENGTH)
    feelings = models.JSONField(default=list, blank=True)
    feelings_other = models.CharField(max_length=FEELINGS_OTHER_MAX_LENGTH, blank=True)
    script = models.ForeignKey(
        Strategy, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    script_slug = models.SlugField(max_length=80)
    script_title = models.CharField(max_length=200)
    repaired = models.CharField(max_length=10, choices=Repaired)
    next_time = models.TextField(max_length=PRACTICE_TEXT_MAX_LENGTH, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-created", "-pk"]
        verbose_name_plural = "repair entries"
        constraints = [
            models.CheckConstraint(
                condition=Q(repaired__in=Repaired.values), name="repair_repaired_valid"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("what_happened"), PRACTICE_TEXT_MAX_LENGTH)
                & LessThanOrEqual(Length("next_time"), PRACTICE_TEXT_MAX_LENGTH),
                name="repair_text_length",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d}: {self.script_title}"

    @property
    def feeling_labels(self) -> list[str]:
        labels = dict(Feeling.choices)
        return [labels[value] for value in self.feelings if value in labels]


class ReminderStatus(models.TextChoices):
    PENDING = "pending", "Waiting for the email address to be confirmed"
    ON = "on", "On"
    PAUSED = "paused", "Paused"
    OFF = "off", "Off"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


def _new_token_key() -> str:
    return uuid.uuid4().hex


class ReminderSubscription(models.Model):
    """A reader's weekly reminder: where to, and when, in their own time zone.

    Nothing is sent until ``email`` is confirmed. ``token_key`` is part of every signed link
    (confirm, unsubscribe): changing it makes every link sent before worthless.
    """

    Status = ReminderStatus

    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder"
    )
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=ReminderStatus, default=ReminderStatus.PENDING)
    confirmed = models.DateTimeField(null=True, blank=True)
    weekday = models.PositiveSmallIntegerField(choices=Weekday, default=Weekday.MONDAY)
    hour = models.PositiveSmallIntegerField(default=8)
    # When the schedule last changed: a reminder is due only for a moment after it.
    schedule_set = models.DateTimeField()
    token_key = models.CharField(max_length=32, default=_new_token_key)
    created = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(hour__gte=0, hour__lte=23), name="reminder_hour"),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="reminder_weekday"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReminderStatus.values), name="reminder_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.hour:02d}:00 ({self.get_status_display()})"


class ReminderSent(models.Model):
    """One weekly reminder, queued to be sent: at most one per reader per ISO week.

    The unique constraint is what makes ``send_reminders`` safe to run twice, or on many app
    servers at once. The queued task holds only this row's id: when the account is deleted,
    the row goes with it and the task finds nothing to send.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders_sent"
    )
    iso_year = models.PositiveSmallIntegerField()
    iso_week = models.PositiveSmallIntegerField()
    queued = models.DateTimeField(auto_now_add=True)
    sent = models.DateTimeField(null=True, blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-iso_year", "-iso_week"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "iso_year", "iso_week"], name="reminder_once_per_iso_week"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.iso_year}-W{self.iso_week:02d}"


# Couples, by consent: kept in their own module, registered here with the app's models.
from assessments.couples_models import (  # noqa: E402, F401
    Agreement,
    AgreementCopy,
    CoupleLink,
    CoupleMember,
    PartnerInvite,
)
