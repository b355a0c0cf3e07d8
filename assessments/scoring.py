"""Scoring the signs quiz: pure functions, no database, so every rule is easy to test.

Each sign is rated 1 ("Not like me at all") to 5 ("Very much like me"). Scores rescale the
mean rating to 0-100. The anxious-side and avoidant-side scores are two separate measures,
each 0-100 on its own, taken over the signs that speak to that leaning (a sign leaning
"both" counts for both). They are never shares of a whole: attachment research measures
anxiety and avoidance as two dimensions, not as a style split into percentages.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from guide.models import SignLeaning


@dataclass(frozen=True)
class Step:
    """One point of the answer scale: its number and its words about oneself or a partner."""

    value: int
    about_me: str
    about_them: str


# The one definition of the answer scale, numbers beside words: the form, the session, the
# database constraint, the scores and the pages all take it from here.
ANSWER_SCALE = (
    Step(1, "Not like me at all", "Not like them at all"),
    Step(2, "Not much like me", "Not much like them"),
    Step(3, "Somewhat like me", "Somewhat like them"),
    Step(4, "Mostly like me", "Mostly like them"),
    Step(5, "Very much like me", "Very much like them"),
)
ANSWER_VALUES = tuple(step.value for step in ANSWER_SCALE)
ANSWER_MIN = ANSWER_VALUES[0]
ANSWER_MAX = ANSWER_VALUES[-1]

# A sign's leaning, as the guide's signs store it.
ANXIOUS = SignLeaning.ANXIOUS
AVOIDANT = SignLeaning.AVOIDANT
BOTH = SignLeaning.BOTH

# The three measures, by attribute, with the names pages give them. The side scores measure
# security on that side's signs (higher is more secure), never a share of anxiety or avoidance.
MEASURES = (
    ("overall", "Overall"),
    ("anxious_side", "Security on anxious-side signs"),
    ("avoidant_side", "Security on avoidant-side signs"),
)

# 4-5 is "mostly" or "very much like me": a strength. 1-2 is "not much" or "not at all": an
# edge to grow. 3 ("somewhat") is neither, and is not singled out.
STRENGTH_FROM = 4
GROWTH_EDGE_UP_TO = 2

# A side under this score suggests starting on that side's path...
PATH_THRESHOLD = 70
# ...and a second side within this many points of the lowest one is suggested as well.
PATH_CLOSENESS = 10

# Raise this whenever a rule in this module changes what a set of answers scores (the
# formula, the bands, the thresholds): every result records it in its quiz version
# (:func:`quiz_fingerprint`), so history never compares results scored by different rules
# without saying so.
SCORING_RULES_VERSION = 1

# Noise: the one definition of how small a move is "normal variation", used by history, the
# practice timeline and the how-we-score page alike (through sign_change and score_change).
# Self-ratings wobble from one day to the next. One step on a single sign is well inside
# that wobble; so is an overall move of less than 10 points (about one step on six signs).
NOTABLE_SIGN_STEPS = 2
NOTABLE_SCORE_POINTS = 10


def points_per_step(sign_count: int) -> float:
    """How far one step on one sign moves a score taken over ``sign_count`` signs."""
    return 100 / ((ANSWER_MAX - ANSWER_MIN) * sign_count)


def noise_reasoning(sign_count: int) -> list[str]:
    """Why the noise thresholds are where they are, in plain words, for the how-we-score page.

    Kept beside the thresholds so the reasons are edited together with the numbers.
    """
    step = points_per_step(sign_count)
    signs_moving = NOTABLE_SCORE_POINTS / step if step else 0
    return [
        "Answers to a question about yourself move a little from one day to the next, with "
        "mood, sleep, or what happened that morning, even when nothing deeper has changed. "
        "Research on self-report questionnaires finds this wobble everywhere, and it is "
        "largest for single questions.",
        "So a move of one step on a sign (from “Somewhat like me” to “Mostly like me”, "
        "say) is treated as normal variation: only a move of "
        f"{NOTABLE_SIGN_STEPS} steps or more is called up or down.",
        f"With {sign_count} signs, one step on one sign moves the overall score by about "
        f"{step:.1f} points. A move of less than {NOTABLE_SCORE_POINTS} points, about one "
        f"step on {signs_moving:.0f} signs, is treated as normal variation too; "
        f"{NOTABLE_SCORE_POINTS} points or more is called up or down.",
        "These thresholds are rules of thumb chosen to avoid reading progress or decline "
        "into wobble. They are not a statistical confidence interval: this quiz has not been "
        "tested for reliability, so a change beyond them is worth noticing, not proof.",
    ]


def quiz_fingerprint(signs: Iterable[tuple[str, str]]) -> str:
    """The identity of a version of the quiz: its signs (slug and side, in any order) and
    the scoring rules. Rewording or reordering a sign keeps the version; changing a sign's
    side, adding or retiring one, or changing the rules makes a new one."""
    key = {"rules": SCORING_RULES_VERSION, "signs": sorted([list(sign) for sign in signs])}
    return hashlib.sha256(json.dumps(key, separators=(",", ":")).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Rated:
    """One answer: which sign, the leaning it speaks to, and the rating given."""

    slug: str
    leaning: str
    value: int


@dataclass(frozen=True)
class Scores:
    overall: int
    anxious_side: int | None
    avoidant_side: int | None


@dataclass(frozen=True)
class Meaning:
    headline: str
    detail: str


@dataclass(frozen=True)
class Change:
    """How one number moved since the previous attempt, labelled honestly."""

    delta: int | None
    kind: str  # "new", "same", "noise", "up" or "down"
    label: str


def scale(values: Sequence[int]) -> int:
    """The mean of 1-5 ratings rescaled to 0-100, rounded half up, in exact integers."""
    if not values:
        raise ValueError("At least one answer is needed to score.")
    for value in values:
        if not ANSWER_MIN <= value <= ANSWER_MAX:
            raise ValueError(f"Answers run from {ANSWER_MIN} to {ANSWER_MAX}, not {value}.")
    n = len(values)
    above_floor = sum(values) - ANSWER_MIN * n  # 0 .. 4n
    span = ANSWER_MAX - ANSWER_MIN
    # round(100 * above_floor / (span * n)) with halves rounded up, without floats.
    return (200 * above_floor + span * n) // (2 * span * n)


def on_side(leaning: str, side: str) -> bool:
    return leaning == side or leaning == BOTH


def score(answers: Iterable[Rated]) -> Scores:
    answers = list(answers)
    anxious = [a.value for a in answers if on_side(a.leaning, ANXIOUS)]
    avoidant = [a.value for a in answers if on_side(a.leaning, AVOIDANT)]
    return Scores(
        overall=scale([a.value for a in answers]),
        anxious_side=scale(anxious) if anxious else None,
        avoidant_side=scale(avoidant) if avoidant else None,
    )


def is_strength(value: int) -> bool:
    return value >= STRENGTH_FROM


def is_growth_edge(value: int) -> bool:
    return value <= GROWTH_EDGE_UP_TO


def recommended_paths(scores: Scores) -> list[str]:
    """Where to start: the side that scored lowest, and the other too if it is close."""
    candidates = [
        (value, side)
        for side, value in ((ANXIOUS, scores.anxious_side), (AVOIDANT, scores.avoidant_side))
        if value is not None and value < PATH_THRESHOLD
    ]
    if not candidates:
        return []
    lowest = min(value for value, _ in candidates)
    return [side for value, side in sorted(candidates) if value - lowest <= PATH_CLOSENESS]


# Where each band of the overall score starts, highest first (see overall_meaning).
OVERALL_BANDS = (80, 60, 40, 20, 0)
# Below PATH_THRESHOLD a side shows some growth edges; below this, mostly growth edges.
SIDE_SOME_EDGES_FROM = 40


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    meaning: str


def overall_bands() -> list[Band]:
    """Every band of the overall score with the reading a result gives it."""
    highs = [100, *(low - 1 for low in OVERALL_BANDS[:-1])]
    return [
        Band(low, high, overall_meaning(low).headline)
        for low, high in zip(OVERALL_BANDS, highs, strict=True)
    ]


def side_bands() -> list[Band]:
    """Every band of a side score with the reading a result gives it."""
    bounds = [(PATH_THRESHOLD, 100), (SIDE_SOME_EDGES_FROM, PATH_THRESHOLD - 1)]
    bounds.append((0, SIDE_SOME_EDGES_FROM - 1))
    return [Band(low, high, side_meaning(low)) for low, high in bounds]


def overall_meaning(overall: int, *, about_partner: bool = False) -> Meaning:
    """A plain-language reading of the overall score; never a label or a diagnosis."""
    who, them = ("them", "they") if about_partner else ("you", "you")
    first, second, third, fourth, _ = OVERALL_BANDS
    if overall >= first:
        return Meaning(
            f"Most of the signs of security describe {who} well.",
            f"Security shows up in much of what {them} do. Nobody shows every sign all the "
            "time; the growth edges below are still worth a look.",
        )
    if overall >= second:
        return Meaning(
            f"Many of the signs describe {who}, with a few growth edges.",
            "There is a solid base here. The growth edges below are the places where "
            "practice is likely to help most.",
        )
    if overall >= third:
        return Meaning(
            f"A mix: some signs come easily to {who}, others are growth edges.",
            "That is a very common place to be. Security is a set of skills, and each "
            "growth edge below links to practices that build it.",
        )
    if overall >= fourth:
        return Meaning(
            f"Many of the signs feel some way off for {who} right now.",
            "That says where things stand today, not who anyone is for good. Earned "
            "security is open to everyone; start small, with one strategy.",
        )
    return Meaning(
        f"Few of the signs feel like {who} right now.",
        "Stress, a hard season or an old hurt can make every sign feel far away. This is a "
        "starting point, not a verdict, and support from a therapist can help a great deal.",
    )


def side_meaning(value: int | None) -> str:
    if value is None:
        return "No signs on this side were rated."
    if value >= PATH_THRESHOLD:
        return "These signs mostly hold."
    if value >= SIDE_SOME_EDGES_FROM:
        return "Some of these signs are growth edges."
    return "Most of these signs are growth edges right now."


def sign_change(previous: int | None, current: int) -> Change:
    """The change in one sign's rating since the previous attempt."""
    if previous is None:
        return Change(None, "new", "Not rated last time")
    delta = current - previous
    if delta == 0:
        return Change(0, "same", "No change")
    if abs(delta) < NOTABLE_SIGN_STEPS:
        return Change(delta, "noise", "Normal variation")
    steps = f"{abs(delta)} steps"
    if delta > 0:
        return Change(delta, "up", f"Up {steps}")
    return Change(delta, "down", f"Down {steps}")


def score_change(previous: int | None, current: int | None) -> Change:
    """The change in a 0-100 score since the previous attempt."""
    if previous is None or current is None:
        return Change(None, "new", "First attempt")
    delta = current - previous
    if delta == 0:
        return Change(0, "same", "No change")
    if abs(delta) < NOTABLE_SCORE_POINTS:
        return Change(delta, "noise", "Within normal variation")
    if delta > 0:
        return Change(delta, "up", f"Up {delta} points")
    return Change(delta, "down", f"Down {abs(delta)} points")
