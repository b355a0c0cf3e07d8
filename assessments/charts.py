"""The history trend chart, drawn on the server as SVG geometry for the template.

No JavaScript and no chart library: the template draws lines and markers from the numbers
computed here, and a table beside it says the same in text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape  # Django's escape() without its lazy-string wrapper: the same text
from typing import NamedTuple

from django.utils import timezone
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from assessments.scoring import MEASURES

WIDTH = 640
HEIGHT = 280
LEFT = 56
RIGHT = 24
TOP = 16
BOTTOM = 56
MAX_X_LABELS = 5
# Between two markers in the SVG: the template's indentation.
MARK_SEPARATOR = "\n        "


class Point(NamedTuple):
    x: float
    y: float
    value: int


def _coordinate_texts(coordinate: float) -> tuple[str, str, str, str]:
    """A coordinate as the chart prints it: to one place, in full, and to one place less 4
    (a square's corner) and less 5 (a diamond's top)."""
    return (
        f"{coordinate:.1f}",
        str(coordinate),
        f"{coordinate - 4:.1f}",
        f"{coordinate - 5:.1f}",
    )


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    points: list[Point]
    # Coordinates printed once for the whole chart (the series share their x positions, and
    # a score has one y): see trend_chart. Any missing is printed when asked for.
    texts: dict[float, tuple[str, str, str, str]] | None = field(
        default=None, repr=False, compare=False
    )

    def _texts(self) -> dict[float, tuple[str, str, str, str]]:
        texts = self.texts or {}
        missing = {c for p in self.points for c in (p.x, p.y) if c not in texts}
        if missing:
            texts = {**texts, **{c: _coordinate_texts(c) for c in missing}}
        return texts

    @property
    def polyline(self) -> str:
        texts = self._texts()
        return " ".join(f"{texts[p.x][0]},{texts[p.y][0]}" for p in self.points)

    @property
    def marks(self) -> SafeString:
        """Each point's marker, in this series' own shape (a circle, a square, a diamond), so
        the lines differ by more than color: one string for the template, which would
        otherwise take a loop and a branch per attempt. Numbers only: nothing to escape."""
        texts = self._texts()
        if self.key == "overall":
            marks = (
                f'<circle cx="{texts[p.x][1]}" cy="{texts[p.y][1]}" r="5"></circle>'
                for p in self.points
            )
        elif self.key == "anxious_side":
            marks = (
                f'<rect x="{texts[p.x][2]}" y="{texts[p.y][2]}" width="8" height="8"></rect>'
                for p in self.points
            )
        else:
            marks = (
                f'<path d="M {texts[p.x][0]} {texts[p.y][3]} l 5 5 l -5 5 l -5 -5 z"></path>'
                for p in self.points
            )
        return mark_safe(MARK_SEPARATOR.join(marks))


# Each line differs by more than color: its dash pattern and marker are named in the legend.
LINE_STYLES = {
    "overall": "solid line, circles",
    "anxious_side": "dashed line, squares",
    "avoidant_side": "dotted line, diamonds",
}
LEGEND = [(key, label, LINE_STYLES[key]) for key, label in MEASURES]


@dataclass(frozen=True)
class Tick:
    position: float
    label: str
    sublabel: str = ""  # a second line: the time, when two attempts share a date
    anchor: str = "middle"  # SVG text-anchor: the outermost dates stay inside the chart
    inner: bool = False  # hidden on narrow screens, where only the first and last fit


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: float
    top: int
    bottom: float
    series: list[Series]
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    description: str
    title: str = "Trend of scores over attempts"
    legend: list[tuple[str, str, str]] = field(default_factory=lambda: list(LEGEND))

    @property
    def label_y(self) -> float:
        return self.bottom + 22

    @property
    def grid(self) -> SafeString:
        """The grid's lines and the axes' labels: ``trend_chart.html``'s markup, one string.
        Positions print as the template printed them (``str`` of the number)."""
        left, right, label_x, label_y = self.left, self.right, self.left - 8, self.label_y
        y_ticks = "".join(
            f"""
        <line x1="{left}" x2="{right}" y1="{tick.position}" y2="{tick.position}"></line>
        <text class="trend-label" x="{label_x}" y="{tick.position}" text-anchor="end" dominant-baseline="middle">{escape(tick.label)}</text>
      """  # noqa: E501
            for tick in self.y_ticks
        )
        x_ticks = []
        for tick in self.x_ticks:
            inner = " trend-label-inner" if tick.inner else ""
            time = (
                f'<tspan x="{tick.position}" dy="1.2em">{escape(tick.sublabel)}</tspan>'
                if tick.sublabel
                else ""
            )
            x_ticks.append(
                f"""
        <text class="trend-label{inner}" x="{tick.position}" y="{label_y}" text-anchor="{tick.anchor}">{escape(tick.label)}{time}</text>
      """  # noqa: E501
            )
        return mark_safe(f"{y_ticks}\n      {''.join(x_ticks)}")


@dataclass(frozen=True)
class Attempt:
    taken_at: datetime
    overall: int
    anxious_side: int | None
    avoidant_side: int | None


def _y(value: int) -> float:
    plot_height = HEIGHT - TOP - BOTTOM
    return TOP + (100 - value) / 100 * plot_height


# Every score's y, and printed: a score is a whole number from 0 to 100.
_SCORE_Y = [_y(value) for value in range(101)]
_SCORE_TEXTS = {y: _coordinate_texts(y) for y in _SCORE_Y}


def _x(index: int, count: int) -> float:
    plot_width = WIDTH - LEFT - RIGHT
    if count == 1:
        return LEFT + plot_width / 2
    return LEFT + index * plot_width / (count - 1)


def local_moments(moments: Sequence[datetime]) -> list[datetime]:
    """Each moment in the current time zone, as the ``date`` filter shows it."""
    zone = timezone.get_current_timezone()
    return [
        moment.astimezone(zone) if moment.utcoffset() is not None else moment for moment in moments
    ]


def dates_in_words(moments: Sequence[datetime], *, short: bool) -> list[str]:
    """``date_format(moment, "M j, Y")`` (``short``) or ``"F j, Y"`` for each moment, already
    local: the same words, with each month's name translated once rather than once a row."""
    months: dict[int, str] = {}
    dates = []
    for moment in moments:
        month = months.get(moment.month)
        if month is None:
            name = MONTHS_3[moment.month].title() if short else str(MONTHS[moment.month])
            month = months[moment.month] = name
        dates.append(f"{month} {moment.day}, {moment.year:04d}")
    return dates


def _short_time(moment: datetime) -> str:
    """``date_format(moment, "g:i A")``."""
    half = _("PM") if moment.hour > 11 else _("AM")
    return f"{moment.hour % 12 or 12}:{moment.minute:02d} {half}"


def attempt_labels(moments: Sequence[datetime]) -> list[tuple[str, str]]:
    """A label for each attempt that tells it from the others: (date, time or "").

    The date alone when it is the only attempt that day; with the time when it shares the
    day; and numbered ("#2") when it even shares the minute. Dates and times are in the
    current time zone.
    """
    moments = local_moments(moments)
    dates = dates_in_words(moments, short=True)
    per_day = Counter(dates)
    if len(per_day) == len(dates):  # one attempt a day: dates alone
        return [(day, "") for day in dates]
    labels = [
        (day, _short_time(moment) if per_day[day] > 1 else "")
        for day, moment in zip(dates, moments, strict=True)
    ]
    per_label = Counter(labels)
    seen: Counter = Counter()
    numbered = []
    for day, time in labels:
        if per_label[(day, time)] > 1:
            seen[(day, time)] += 1
            time = f"{time} #{seen[(day, time)]}"
        numbered.append((day, time))
    return numbered


def joined(label: tuple[str, str]) -> str:
    day, time = label
    return f"{day}, {time}" if time else day


def trend_chart(
    attempts: Sequence[Attempt],
    *,
    who: str = "Your",
    title: str = "Trend of scores over attempts",
    labels: list[tuple[str, str]] | None = None,
) -> Chart:
    """Overall, anxious-side and avoidant-side scores over attempts, oldest first.

    Attempts are spaced evenly rather than by date: the point is the order of change,
    and months-apart retakes would otherwise squash recent ones together.
    """
    count = len(attempts)
    xs = [_x(i, count) for i in range(count)]
    texts = {**_SCORE_TEXTS, **{x: _coordinate_texts(x) for x in xs}}
    series = []
    for key, label in MEASURES:
        points = [
            Point(x, _SCORE_Y[value] if 0 <= value <= 100 else _y(value), value)
            for x, attempt in zip(xs, attempts, strict=True)
            if (value := getattr(attempt, key)) is not None
        ]
        if points:
            series.append(Series(key, label, points, texts))

    if labels is None:  # the attempts' attempt_labels, when the caller has them already
        labels = attempt_labels([attempt.taken_at for attempt in attempts])
    step = max(1, -(-count // MAX_X_LABELS))  # ceiling division
    x_ticks = [Tick(xs[i], *labels[i]) for i in range(count) if i % step == 0 or i == count - 1]
    if len(x_ticks) >= 3 and x_ticks[-1].position - x_ticks[-2].position < 120:
        # Keep the latest date readable when it would crowd the one before.
        del x_ticks[-2]
    if len(x_ticks) > 1:
        x_ticks = [
            Tick(
                tick.position,
                tick.label,
                tick.sublabel,
                anchor="start" if i == 0 else "end" if i == len(x_ticks) - 1 else "middle",
                inner=0 < i < len(x_ticks) - 1,
            )
            for i, tick in enumerate(x_ticks)
        ]
    y_ticks = [Tick(_y(value), str(value)) for value in (0, 25, 50, 75, 100)]

    if count == 0:
        description = "No attempts yet."
    elif count == 1:
        only = attempts[0]
        description = (
            f"One attempt so far ({joined(labels[0])}): overall {only.overall} out of 100."
        )
    else:
        first, last = attempts[0], attempts[-1]
        description = (
            f"{who} overall score across {count} attempts went from {first.overall} out of "
            f"100 ({joined(labels[0])}) to {last.overall} ({joined(labels[-1])}). "
            "Security on anxious-side and on avoidant-side signs is drawn as dashed and dotted "
            "lines."
        )
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        left=LEFT,
        right=WIDTH - RIGHT,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
        series=series,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        description=description,
        title=title,
    )
