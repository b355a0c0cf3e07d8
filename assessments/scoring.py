"""Scoring the signs quiz: pure functions, no database, so every rule is easy to test.

Each sign is rated 1 ("Not like me at all") to 5 ("Very much like me"). Scores rescale the
mean rating to 0-100. The anxious-side and avoidant-side scores are two separate measures,
each 0-100 on its own, taken over the signs that speak to that leaning (a sign leaning
"both" counts for both). They are never shares of a whole: attachment research measures
anxiety and avoidance as two dimensions, not as a style split into percentages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# The one definition of the answer scale: the form, the session, the database constraint and
# the scores all take it from here.
ANSWER_MIN = 1
ANSWER_MAX = 5
ANSWER_VALUES = range(ANSWER_MIN, ANSWER_MAX + 1)
ANXIOUS = "anxious"
AVOIDANT = "avoidant"
BOTH = "both"
LEANINGS = (ANXIOUS, AVOIDANT, BOTH)

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

# Self-ratings wobble from one day to the next. One step on a single sign is well inside
# that wobble; so is an overall move of less than 10 points (about one step on six signs).
NOTABLE_SIGN_STEPS = 2
NOTABLE_SCORE_POINTS = 10


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


def overall_meaning(overall: int, *, about_partner: bool = False) -> Meaning:
    """A plain-language reading of the overall score; never a label or a diagnosis."""
    who, them = ("them", "they") if about_partner else ("you", "you")
    if overall >= 80:
        return Meaning(
            f"Most of the signs of security describe {who} well.",
            f"Security shows up in much of what {them} do. Nobody shows every sign all the "
            "time; the growth edges below are still worth a look.",
        )
    if overall >= 60:
        return Meaning(
            f"Many of the signs describe {who}, with a few growth edges.",
            "There is a solid base here. The growth edges below are the places where "
            "practice is likely to help most.",
        )
    if overall >= 40:
        return Meaning(
            f"A mix: some signs come easily to {who}, others are growth edges.",
            "That is a very common place to be. Security is a set of skills, and each "
            "growth edge below links to practices that build it.",
        )
    if overall >= 20:
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
    if value >= 40:
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
