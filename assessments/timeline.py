"""One timeline of a reader's quiz attempts (about themselves) and their practice.

Drawn on the server as SVG geometry, with a table that says the same in words. A move in the
overall score is called change only beyond the measure's noise, as :func:`scoring.score_change`
defines it; practice and scores are shown side by side, never one as the cause of the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.utils.dateformat import format as date_format

from assessments import scoring
from assessments.models import PracticeEntry, Result, Subject

WIDTH = 640
HEIGHT = 320
LEFT = 56
RIGHT = 24
TOP = 16
SCORE_BOTTOM = 200  # the score plot runs from TOP to here
BARS_TOP = 222  # practice per week: bars from here...
BARS_BOTTOM = 280  # ...to here
# Retaking sooner than this mostly measures day-to-day wobble: practice needs weeks to show.
RETAKE_AFTER = timedelta(weeks=4)


def _fmt(day: date) -> str:
    return date_format(day, "M j, Y")


@dataclass(frozen=True)
class AttemptRow:
    result: Result
    day: date
    label: str
    overall: int
    change: scoring.Change
    practices_before: int | None  # since the attempt before; None for the first
    days_after_previous: int | None

    @property
    def soon(self) -> bool:
        return self.days_after_previous is not None and self.days_after_previous < RETAKE_AFTER.days

    @property
    def is_change(self) -> bool:
        return self.change.kind in {"up", "down"}


@dataclass(frozen=True)
class Dot:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str
    anchor: str


@dataclass
class Timeline:
    rows: list[AttemptRow]
    weeks: list[tuple[str, int]]  # (week label, practices), oldest first, weeks with any
    since_last: int  # practices since the latest attempt
    total_practices: int
    dots: list[Dot]
    bars: list[Bar]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    description: str
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    score_bottom: int = SCORE_BOTTOM
    bars_top: int = BARS_TOP
    bars_bottom: int = BARS_BOTTOM

    @property
    def polyline(self) -> str:
        return " ".join(f"{dot.x:.1f},{dot.y:.1f}" for dot in self.dots)

    @property
    def latest(self) -> AttemptRow | None:
        return self.rows[-1] if self.rows else None

    notable_points: int = scoring.NOTABLE_SCORE_POINTS

    @property
    def soon_note(self) -> bool:
        """Whether any retake came within four weeks of the attempt before."""
        return any(row.soon for row in self.rows)

    @property
    def empty(self) -> bool:
        return not self.rows and not self.total_practices


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def build(user, *, zone: ZoneInfo, today: date) -> Timeline:
    """The reader's timeline in two queries: their results about themselves, their practice."""
    results = list(
        Result.objects.owned_by(user).filter(subject=Subject.SELF).order_by("created", "pk")
    )
    practice_days = sorted(
        PracticeEntry.objects.owned_by(user).values_list("date", flat=True).order_by("date")
    )
    days = [result.created.astimezone(zone).date() for result in results]

    rows: list[AttemptRow] = []
    for i, (result, day) in enumerate(zip(results, days, strict=True)):
        previous = results[i - 1] if i else None
        between = None
        if previous is not None:
            between = sum(1 for d in practice_days if days[i - 1] <= d < day)
        rows.append(
            AttemptRow(
                result=result,
                day=day,
                label=_fmt(day),
                overall=result.overall,
                change=scoring.score_change(previous.overall if previous else None, result.overall),
                practices_before=between,
                days_after_previous=(result.created - previous.created).days if previous else None,
            )
        )
    since_last = sum(1 for d in practice_days if d >= days[-1]) if days else len(practice_days)

    per_week: dict[date, int] = {}
    for d in practice_days:
        per_week[_monday(d)] = per_week.get(_monday(d), 0) + 1

    # The x axis runs by date from the first event to today, whole weeks.
    starts = [*days[:1], *practice_days[:1]]
    first = _monday(min(starts)) if starts else _monday(today)
    last = max([today, *days, *practice_days])
    span = max(7, (last - first).days + 1)
    plot = WIDTH - LEFT - RIGHT

    def x_of(day: date) -> float:
        return LEFT + (day - first).days / span * plot

    def y_of(value: int) -> float:
        return TOP + (100 - value) / 100 * (SCORE_BOTTOM - TOP)

    dots = [Dot(x_of(row.day), y_of(row.overall), f"{row.label}: {row.overall}") for row in rows]
    most = max(per_week.values(), default=0)
    bar_width = max(2.0, 7 / span * plot - 2)
    bars = []
    for monday, count in sorted(per_week.items()):
        height = (BARS_BOTTOM - BARS_TOP) * count / most
        bars.append(
            Bar(
                x_of(monday),
                BARS_BOTTOM - height,
                bar_width,
                height,
                count,
                f"Week of {_fmt(monday)}",
            )
        )
    x_ticks = [Tick(LEFT, _fmt(first), "start"), Tick(WIDTH - RIGHT, _fmt(last), "end")]
    y_ticks = [Tick(y_of(v), str(v), "end") for v in (0, 50, 100)]

    total = len(practice_days)
    if not rows and not total:
        description = "Nothing yet: no quiz attempts about you and no practice logged."
    else:
        attempts = f"{len(rows)} quiz attempt{'s' if len(rows) != 1 else ''} about you" + (
            f", overall score from {rows[0].overall} to {rows[-1].overall} out of 100"
            if len(rows) > 1
            else (f", overall score {rows[0].overall} out of 100" if rows else "")
        )
        description = (
            f"From {_fmt(first)} to {_fmt(last)}: {attempts}; {total} "
            f"practice{'s' if total != 1 else ''} logged, drawn as bars per week below the scores."
        )
    return Timeline(
        rows=rows,
        weeks=[(f"Week of {_fmt(monday)}", count) for monday, count in sorted(per_week.items())],
        since_last=since_last,
        total_practices=total,
        dots=dots,
        bars=bars,
        x_ticks=x_ticks,
        y_ticks=y_ticks,
        description=description,
    )
