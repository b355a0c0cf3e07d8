"""Practice: the reader's time zone, four-week plans, and the practice and repair logs.

Writes are typed functions, one transaction each, as in :mod:`assessments.services`. Dates
are the reader's own calendar dates, counted in the time zone they chose in My space.
Nothing here counts what was missed: no streaks, only what happened.
"""

from __future__ import annotations

import functools
import zoneinfo
from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery, Value
from django.utils import timezone

from assessments import presenters
from assessments.models import (
    PLAN_WEEKS,
    Answer,
    Plan,
    PlanWeek,
    PracticeEntry,
    ReaderSettings,
    RepairEntry,
    Result,
    Subject,
)
from guide.compiled import ID, compiled
from guide.models import ReflectionPrompt, Section, Strategy

DEFAULT_ZONE = "UTC"
# Up to a day ahead is time-zone slack (a reader travelling, a clock near midnight); later is
# a mistake. A year back is as far as a log reaches.
FUTURE_SLACK = timedelta(days=1)
PAST_LIMIT = timedelta(days=366)
# Where no prompt has been written for a week's sign yet.
DEFAULT_PROMPT = "What did you notice this week, in yourself and in others, when you practised?"
ZONE_REGIONS = (
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
)


class PlanError(Exception):
    """A plan can't be started or changed as asked; the message says why, for the reader."""


# -- time zone -------------------------------------------------------------------------------


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """The IANA zones a reader can choose: places, by region, and UTC (no legacy aliases)."""
    names = {
        name
        for name in zoneinfo.available_timezones()
        if name.split("/", 1)[0] in ZONE_REGIONS and "/" in name
    }
    return (DEFAULT_ZONE, *sorted(names))


def zone_of(user: AbstractBaseUser) -> zoneinfo.ZoneInfo:
    """The reader's time zone: UTC until they choose one."""
    name = (
        ReaderSettings.objects.filter(owner=user).values_list("time_zone", flat=True).first()
        or DEFAULT_ZONE
    )
    return _zone(name)


def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(DEFAULT_ZONE)


def today_for(user: AbstractBaseUser) -> date:
    """Today's date where the reader is."""
    return timezone.now().astimezone(zone_of(user)).date()


@transaction.atomic
def time_zone_set(*, owner: AbstractBaseUser, name: str) -> ReaderSettings:
    if name not in time_zone_names():
        raise ValueError(f"Unknown time zone: {name}")
    settings, _ = ReaderSettings.objects.update_or_create(owner=owner, defaults={"time_zone": name})
    return settings


def iso_week_label(day: date) -> str:
    """ "Week of March 2, 2026": the Monday that starts the ISO week holding ``day``."""
    monday = day - timedelta(days=day.weekday())
    return f"Week of {monday:%B} {monday.day}, {monday.year}"


# -- plans ------------------------------------------------------------------------------------


@dataclass
class WeekPlan:
    strategy: Strategy
    sign_slug: str
    sign_text: str


def _week_choices(result: Result) -> list[WeekPlan]:
    """Four focus strategies for a result: its "Where to start" first (growth edges, most
    relevant first), then its suggested paths, then the rest of the guide, never repeating."""
    view = presenters.stored_result_view(result)
    rows = view.start_from
    chosen: list[WeekPlan] = []
    seen: set[str] = set()

    def sign_for(strategy: Strategy) -> tuple[str, str]:
        helped = [row for row in rows if strategy in row.strategies]
        if not helped:
            return "", ""
        row = min(helped, key=lambda row: (row.value, row.position))
        return row.slug, row.text

    candidates = list(view.start_strategies)
    sides = [path.side for path in view.paths]
    published = list(Strategy.objects.published().order_by("order", "pk"))
    candidates += [s for s in published if s.path in sides]
    candidates += published
    for strategy in candidates:
        if strategy.slug in seen:
            continue
        seen.add(strategy.slug)
        chosen.append(WeekPlan(strategy, *sign_for(strategy)))
        if len(chosen) == PLAN_WEEKS:
            break
    return chosen


def _prompts_for(sign_slugs: list[str]) -> dict[str, list[ReflectionPrompt]]:
    prompts: dict[str, list[ReflectionPrompt]] = {}
    for prompt in (
        ReflectionPrompt.objects.published()
        .filter(sign__slug__in=sign_slugs, sign__published=True)
        .select_related("sign")
        .order_by("order", "pk")
    ):
        prompts.setdefault(prompt.sign.slug, []).append(prompt)
    return prompts


def _reading_for(strategy: Strategy, chapters: dict[str, Section]) -> tuple[str, str]:
    """The chapter that shows the strategy's path, at the strategy's place in it."""
    chapter = chapters.get(strategy.path)
    if chapter is None:
        return "", ""
    return chapter.title, f"{chapter.get_absolute_url()}#{strategy.slug}"


def _week_fields(
    week: WeekPlan, prompt: ReflectionPrompt | None, chapters: dict[str, Section]
) -> dict:
    title, url = _reading_for(week.strategy, chapters)
    return {
        "strategy": week.strategy,
        "strategy_slug": week.strategy.slug,
        "strategy_title": week.strategy.title,
        "sign_slug": week.sign_slug,
        "sign_text": week.sign_text,
        "prompt": prompt,
        "prompt_text": prompt.text if prompt else DEFAULT_PROMPT,
        "reading_title": title,
        "reading_url": url,
    }


def _path_chapters() -> dict[str, Section]:
    return {
        section.component: section
        for section in Section.objects.published().filter(
            component__in=[Strategy.Path.ANXIOUS, Strategy.Path.AVOIDANT, Strategy.Path.REPAIR]
        )
    }


@transaction.atomic
def plan_start(*, owner: AbstractBaseUser, result_id: int) -> Plan:
    """Start a four-week plan from one of the reader's own results about themselves.

    Raises :class:`PlanError` when the result is about a partner, or a plan is under way.
    """
    result = Result.objects.owned_by(owner).filter(pk=result_id).select_related("version").first()
    if result is None:
        raise Result.DoesNotExist(result_id)
    if result.subject != Subject.SELF:
        raise PlanError(
            "A plan is for your own practice, so it starts from a result about you, not one "
            "about a partner."
        )
    if Plan.objects.owned_by(owner).exclude(status=Plan.Status.ENDED).exists():
        raise PlanError("You already have a plan under way: end it first to start a new one.")
    weeks = _week_choices(result)
    if not weeks:
        raise PlanError("The guide has no strategies to practise right now.")
    prompts = _prompts_for([week.sign_slug for week in weeks if week.sign_slug])
    used: set[int] = set()
    chapters = _path_chapters()
    try:
        with transaction.atomic():
            plan = Plan.objects.create(owner=owner, result=result, started_on=today_for(owner))
    except IntegrityError:
        raise PlanError(
            "You already have a plan under way: end it first to start a new one."
        ) from None
    rows = []
    for number, week in enumerate(weeks, start=1):
        prompt = next((p for p in prompts.get(week.sign_slug, []) if p.pk not in used), None)
        if prompt is not None:
            used.add(prompt.pk)
        rows.append(PlanWeek(plan=plan, number=number, **_week_fields(week, prompt, chapters)))
    PlanWeek.objects.bulk_create(rows)
    return plan


def current_plan(owner: AbstractBaseUser) -> Plan | None:
    return (
        Plan.objects.owned_by(owner)
        .exclude(status=Plan.Status.ENDED)
        .prefetch_related("weeks")
        .first()
    )


@transaction.atomic
def plan_swap(*, plan: Plan, number: int, strategy: Strategy) -> PlanWeek:
    """Give a week another focus strategy. The sign it works on stays if the new strategy
    helps it; otherwise it is the sign the strategy helps that the result rated lowest. The
    prompt is one for that sign that no other week of the plan uses, where there is one."""
    weeks = list(plan.weeks.select_for_update())
    week = next(w for w in weeks if w.number == number)
    if strategy.slug == week.strategy_slug:
        return week
    rated = {}
    if plan.result_id:
        rated = dict(
            Answer.objects.filter(result_id=plan.result_id).values_list("sign_slug", "value")
        )
    signs = sorted(
        strategy.signs.published().values_list("slug", "text", "order"),
        key=lambda sign: (sign[0] != week.sign_slug, rated.get(sign[0], 99), sign[2]),
    )
    sign_slug, sign_text = (signs[0][0], signs[0][1]) if signs else ("", "")
    prompts = _prompts_for([sign_slug]).get(sign_slug, []) if sign_slug else []
    used = {w.prompt_id for w in weeks if w.number != number}
    prompt = next((p for p in prompts if p.pk not in used), prompts[0] if prompts else None)
    fields = _week_fields(WeekPlan(strategy, sign_slug, sign_text), prompt, _path_chapters())
    for name, value in fields.items():
        setattr(week, name, value)
    week.save()
    return week


@transaction.atomic
def plan_pause(*, plan: Plan) -> Plan:
    if plan.status == Plan.Status.ACTIVE:
        plan.status = Plan.Status.PAUSED
        plan.paused_on = today_for(plan.owner)
        plan.save(update_fields=["status", "paused_on"])
    return plan


@transaction.atomic
def plan_resume(*, plan: Plan) -> Plan:
    """Carry on where the reader left off: the start moves forward by the days paused."""
    if plan.status == Plan.Status.PAUSED:
        today = today_for(plan.owner)
        paused_days = max(0, (today - (plan.paused_on or today)).days)
        plan.started_on += timedelta(days=paused_days)
        plan.status = Plan.Status.ACTIVE
        plan.paused_on = None
        plan.save(update_fields=["status", "paused_on", "started_on"])
    return plan


@transaction.atomic
def plan_restart(*, plan: Plan) -> Plan:
    """Begin the same four weeks again from week 1, today."""
    if plan.status != Plan.Status.ENDED:
        plan.started_on = today_for(plan.owner)
        plan.status = Plan.Status.ACTIVE
        plan.paused_on = None
        plan.save(update_fields=["status", "paused_on", "started_on"])
    return plan


@transaction.atomic
def plan_end(*, plan: Plan) -> Plan:
    if plan.status != Plan.Status.ENDED:
        plan.status = Plan.Status.ENDED
        plan.paused_on = None
        plan.ended = timezone.now()
        plan.save(update_fields=["status", "paused_on", "ended"])
    return plan


@dataclass
class PlanProgress:
    """Where a plan stands today: which week, its dates, and the practice logged in it."""

    plan: Plan
    weeks: list[PlanWeek]
    number: int  # the week the reader is in, 1-4
    finished: bool  # the four weeks are behind them
    week_start: date
    week_end: date
    practised: int  # entries for this week's focus strategy, within the week's dates
    practised_any: int  # entries for any strategy within the week's dates

    @property
    def week(self) -> PlanWeek:
        return self.weeks[self.number - 1]

    @property
    def paused(self) -> bool:
        return self.plan.status == Plan.Status.PAUSED


def _days_in(plan: Plan, today: date) -> int:
    """The days a plan has run by ``today``: a paused plan stands still on its pause day."""
    on = plan.paused_on if plan.status == Plan.Status.PAUSED and plan.paused_on else today
    return max(0, (on - plan.started_on).days)


def _week_number(week_count: int, elapsed: int) -> int:
    return min(week_count, elapsed // 7 + 1)


def plan_progress(plan: Plan, *, today: date) -> PlanProgress:
    weeks = list(plan.weeks.all())
    elapsed = _days_in(plan, today)
    number = _week_number(len(weeks), elapsed)
    week_start = plan.started_on + timedelta(days=7 * (number - 1))
    week_end = week_start + timedelta(days=6)
    entries = list(
        PracticeEntry.objects.filter(
            owner_id=plan.owner_id, date__range=(week_start, week_end)
        ).values_list("strategy_slug", flat=True)
    )
    focus = weeks[number - 1].strategy_slug
    return PlanProgress(
        plan=plan,
        weeks=weeks,
        number=number,
        finished=elapsed >= 7 * len(weeks),
        week_start=week_start,
        week_end=week_end,
        practised=sum(1 for slug in entries if slug == focus),
        practised_any=len(entries),
    )


def current_focus(owner_id: int) -> PlanWeek | None:
    """The week the reader's current plan is in today, in their time zone, with its focus
    strategy; None without a plan under way. One query, whoever asks: it is what a linked
    partner sees when the reader shares it (:mod:`assessments.couples`)."""
    weeks = list(
        PlanWeek.objects.filter(plan__owner_id=owner_id)
        .exclude(plan__status=Plan.Status.ENDED)
        .select_related("plan")
        .annotate(
            zone=Subquery(
                ReaderSettings.objects.filter(owner=OuterRef("plan__owner")).values("time_zone")[:1]
            )
        )
        .order_by("number")
    )
    if not weeks:
        return None
    plan = weeks[0].plan
    today = timezone.now().astimezone(_zone(weeks[0].zone or DEFAULT_ZONE)).date()
    return weeks[_week_number(len(weeks), _days_in(plan, today)) - 1]


# -- practice log ---------------------------------------------------------------------------


def date_problem(day: date, *, today: date) -> str | None:
    """Why a practice date can't be used, in the reader's words, or None when it can."""
    if day > today + FUTURE_SLACK:
        return (
            f"That date is in the future. Choose today ({today:%B} {today.day}) or an earlier day."
        )
    if day < today - PAST_LIMIT:
        return "That date is more than a year ago. Choose a day within the last year."
    return None


@transaction.atomic
def practice_log(
    *,
    owner: AbstractBaseUser,
    strategy: Strategy,
    day: date,
    situation: str = "",
    outcome: int | None = None,
    note: str = "",
) -> PracticeEntry:
    problem = date_problem(day, today=today_for(owner))
    if problem:
        raise ValueError(problem)
    return PracticeEntry.objects.create(
        owner=owner,
        date=day,
        strategy=strategy,
        strategy_slug=strategy.slug,
        strategy_title=strategy.title,
        situation=situation.strip(),
        outcome=outcome,
        note=note.strip(),
    )


@transaction.atomic
def practice_update(
    *,
    entry: PracticeEntry,
    strategy: Strategy,
    day: date,
    situation: str,
    outcome: int | None,
    note: str,
) -> PracticeEntry:
    problem = date_problem(day, today=today_for(entry.owner))
    if problem:
        raise ValueError(problem)
    entry.date = day
    if strategy.slug != entry.strategy_slug:
        entry.strategy, entry.strategy_slug, entry.strategy_title = (
            strategy,
            strategy.slug,
            strategy.title,
        )
    entry.situation = situation.strip()
    entry.outcome = outcome
    entry.note = note.strip()
    entry.save()
    return entry


@transaction.atomic
def practice_delete(*, owner: AbstractBaseUser, entry_id: int) -> bool:
    deleted, _ = PracticeEntry.objects.owned_by(owner).filter(pk=entry_id).delete()
    return deleted > 0


@dataclass
class WeekOfEntries:
    iso_year: int
    iso_week: int
    label: str
    entries: list


def by_iso_week(entries) -> list[WeekOfEntries]:
    """Entries grouped by the ISO week of their (reader's local) date, newest week first."""
    weeks: dict[tuple[int, int], WeekOfEntries] = {}
    for entry in entries:
        year, week, _ = entry.date.isocalendar()
        if (year, week) not in weeks:
            weeks[(year, week)] = WeekOfEntries(year, week, iso_week_label(entry.date), [])
        weeks[(year, week)].entries.append(entry)
    return sorted(weeks.values(), key=lambda w: (w.iso_year, w.iso_week), reverse=True)


# -- repair log -----------------------------------------------------------------------------


def repair_scripts():
    """The guide's repair scripts: the published strategies on the repair path."""
    return Strategy.objects.published().filter(path=Strategy.Path.REPAIR).order_by("order", "pk")


@transaction.atomic
def repair_log(
    *,
    owner: AbstractBaseUser,
    day: date,
    what_happened: str,
    feelings: list[str],
    feelings_other: str,
    script: Strategy,
    repaired: str,
    next_time: str,
    entry: RepairEntry | None = None,
) -> RepairEntry:
    """Record a rupture and its repair, or (with ``entry``) change one already recorded."""
    problem = date_problem(day, today=today_for(owner))
    if problem:
        raise ValueError(problem)
    if script.path != Strategy.Path.REPAIR:
        raise ValueError("Choose one of the guide's repair scripts.")
    entry = entry or RepairEntry(owner=owner)
    entry.date = day
    entry.what_happened = what_happened.strip()
    entry.feelings = [value for value in RepairEntry.Feeling.values if value in set(feelings)]
    entry.feelings_other = feelings_other.strip()
    entry.script, entry.script_slug, entry.script_title = script, script.slug, script.title
    entry.repaired = repaired
    entry.next_time = next_time.strip()
    entry.save()
    return entry


@transaction.atomic
def repair_delete(*, owner: AbstractBaseUser, entry_id: int) -> bool:
    deleted, _ = RepairEntry.objects.owned_by(owner).filter(pk=entry_id).delete()
    return deleted > 0


@dataclass
class SpaceSummary:
    toolkit_count: int
    progress: PlanProgress | None
    time_zone: str


@compiled
def _space_row():
    """The toolkit's size, the current plan's id and the time zone of the reader whose id
    stands in for ID."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count
    from django.db.models.functions import Coalesce

    from assessments.models import SavedStrategy

    return (
        get_user_model()
        # Value(): the stand-in id is beyond a user id's range, which a plain value checks.
        .objects.filter(pk=Value(ID))
        .annotate(
            toolkit=Coalesce(
                Subquery(
                    SavedStrategy.objects.filter(owner=OuterRef("pk"))
                    .order_by()
                    .values("owner")
                    .annotate(n=Count("pk"))
                    .values("n")[:1]
                ),
                0,
            ),
            plan_id=Subquery(
                Plan.objects.filter(owner=OuterRef("pk"))
                .exclude(status=Plan.Status.ENDED)
                .values("pk")[:1]
            ),
            zone=Subquery(
                ReaderSettings.objects.filter(owner=OuterRef("pk")).values("time_zone")[:1]
            ),
        )
        .values_list("toolkit", "plan_id", "zone")
    )


def space_summary(user: AbstractBaseUser) -> SpaceSummary:
    """What My space shows beside the history, in one query when no plan is under way (the
    toolkit's size, the current plan's id, the time zone) and three when one is."""
    [(toolkit, plan_id, zone_name)] = _space_row().tuples(user.pk)
    zone = _zone(zone_name or DEFAULT_ZONE)
    progress = None
    if plan_id:
        plan = Plan.objects.prefetch_related("weeks").get(pk=plan_id)
        progress = plan_progress(plan, today=timezone.now().astimezone(zone).date())
    return SpaceSummary(toolkit, progress, zone.key)
