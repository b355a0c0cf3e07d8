import math
from datetime import UTC, datetime
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments import scoring
from assessments.charts import Attempt, trend_chart
from assessments.scoring import ANSWER_MAX, ANSWER_MIN, ANXIOUS, AVOIDANT, BOTH, Rated, score

leanings = st.sampled_from([ANXIOUS, AVOIDANT, BOTH])
values = st.integers(min_value=ANSWER_MIN, max_value=ANSWER_MAX)
answer_sets = st.lists(st.tuples(leanings, values), min_size=1, max_size=15)


def rate(pairs):
    return [Rated(f"s{i}", leaning, value) for i, (leaning, value) in enumerate(pairs)]


def by_formula(ratings: list[int]) -> int:
    """The documented score, in exact arithmetic: the mean answer rescaled from 1-5 to
    0-100, rounded half up."""
    mean = Fraction(sum(ratings), len(ratings))
    return math.floor(100 * (mean - ANSWER_MIN) / (ANSWER_MAX - ANSWER_MIN) + Fraction(1, 2))


@given(answer_sets)
def test_every_score_is_exactly_the_formula_on_its_own_signs(pairs):
    scores = score(rate(pairs))
    anxious = [value for leaning, value in pairs if leaning in (ANXIOUS, BOTH)]
    avoidant = [value for leaning, value in pairs if leaning in (AVOIDANT, BOTH)]
    assert scores.overall == by_formula([value for _, value in pairs])
    assert scores.anxious_side == (by_formula(anxious) if anxious else None)
    assert scores.avoidant_side == (by_formula(avoidant) if avoidant else None)


def fifteen_answer_cases() -> list[list[int]]:
    """For every sum 15 answers of 1-5 can make, two ways of making it that differ in spread:
    all answers near the mean, and answers pushed to the ends."""
    cases = []
    for total in range(15 * ANSWER_MIN, 15 * ANSWER_MAX + 1):
        low, extra = divmod(total, 15)
        cases.append([low + 1] * extra + [low] * (15 - extra))
        spread, left = [], total - 15 * ANSWER_MIN
        for _ in range(15):
            step = min(left, ANSWER_MAX - ANSWER_MIN)
            spread.append(ANSWER_MIN + step)
            left -= step
        cases.append(spread)
    return cases


def test_every_possible_sum_of_fifteen_answers_scores_by_the_formula():
    cases = fifteen_answer_cases()

    # The cases are valid quizzes and reach every sum from all ones to all fives, each sum
    # both evenly and spread out.
    assert all(len(case) == 15 and set(case) <= {1, 2, 3, 4, 5} for case in cases)
    sums = sorted(sum(case) for case in cases)
    assert sums == sorted(2 * list(range(15, 76)))
    assert any(1 in case and 5 in case for case in cases)
    for ratings in cases:
        assert scoring.scale(ratings) == by_formula(ratings), ratings


def test_every_count_and_sum_a_side_can_have_scores_by_the_formula():
    """A side has 1-15 signs; the score depends only on how many and their sum: all of them."""
    cases = []
    for count in range(1, 16):
        for total in range(count * ANSWER_MIN, count * ANSWER_MAX + 1):
            low, extra = divmod(total, count)
            cases.append([low + 1] * extra + [low] * (count - extra))

    assert {(len(case), sum(case)) for case in cases} == {
        (count, total) for count in range(1, 16) for total in range(count, 5 * count + 1)
    }
    assert all(set(case) <= {1, 2, 3, 4, 5} for case in cases)
    for ratings in cases:
        assert scoring.scale(ratings) == by_formula(ratings), ratings


@given(answer_sets)
def test_every_score_is_within_0_and_100(pairs):
    scores = score(rate(pairs))
    for value in (scores.overall, scores.anxious_side, scores.avoidant_side):
        assert value is None or 0 <= value <= 100


@given(answer_sets, st.data())
def test_raising_one_answer_never_lowers_any_score(pairs, data):
    index = data.draw(st.integers(min_value=0, max_value=len(pairs) - 1))
    leaning, value = pairs[index]
    raised = data.draw(st.integers(min_value=value, max_value=5))
    higher = list(pairs)
    higher[index] = (leaning, raised)

    before, after = score(rate(pairs)), score(rate(higher))

    assert after.overall >= before.overall
    for side in ("anxious_side", "avoidant_side"):
        old, new = getattr(before, side), getattr(after, side)
        assert old is None or new >= old


@given(answer_sets, st.sampled_from([ANXIOUS, AVOIDANT]), values, st.data())
def test_a_side_score_ignores_answers_on_signs_of_the_other_side(pairs, leaning, value, data):
    # One sign of a single leaning among any others (signs leaning both count on both sides).
    index = data.draw(st.integers(min_value=0, max_value=len(pairs)))
    pairs = [*pairs[:index], (leaning, value), *pairs[index:]]
    changed = list(pairs)
    changed[index] = (leaning, data.draw(values))

    before, after = score(rate(pairs)), score(rate(changed))

    other_side = "avoidant_side" if leaning == ANXIOUS else "anxious_side"
    assert getattr(after, other_side) == getattr(before, other_side)


@given(st.lists(leanings, min_size=1, max_size=15))
def test_all_fives_score_100_and_all_ones_score_0_on_every_measure(signs):
    top = score(rate([(leaning, 5) for leaning in signs]))
    bottom = score(rate([(leaning, 1) for leaning in signs]))
    assert top.overall == 100 and bottom.overall == 0
    for side in ("anxious_side", "avoidant_side"):
        assert getattr(top, side) in (100, None)
        assert getattr(bottom, side) in (0, None)


def test_side_scores_are_separate_measures_not_shares_of_a_whole():
    """Both sides can be high (or low) at once: nothing makes them add up to 100."""
    high = score(rate([(ANXIOUS, 5), (AVOIDANT, 5), (BOTH, 4)]))
    low = score(rate([(ANXIOUS, 1), (AVOIDANT, 2), (BOTH, 1)]))
    assert (high.anxious_side, high.avoidant_side) == (88, 88)
    assert (low.anxious_side, low.avoidant_side) == (0, 13)


def test_a_side_is_scored_only_from_its_own_signs_and_signs_leaning_both():
    answers = rate([(ANXIOUS, 1), (AVOIDANT, 5), (BOTH, 3)])
    scores = score(answers)
    assert scores.anxious_side == 25  # mean of 1 and 3 is 2 -> 25
    assert scores.avoidant_side == 75  # mean of 5 and 3 is 4 -> 75
    assert scores.overall == 50


def test_a_side_without_signs_has_no_score():
    scores = score(rate([(ANXIOUS, 4), (ANXIOUS, 2)]))
    assert scores.avoidant_side is None
    assert scores.anxious_side == 50


def test_the_overall_score_rounds_halves_up():
    # 15 answers summing 15 + 1 -> 100 * 1 / 60 = 1.67 -> 2; 15 + 3 -> 5.
    assert scoring.scale([2] + [1] * 14) == 2
    assert scoring.scale([2, 2, 2] + [1] * 12) == 5
    # 2 answers (1, 2) -> 12.5 -> 13
    assert scoring.scale([1, 2]) == 13


@pytest.mark.parametrize("bad", [[], [0], [6], [3, 7]])
def test_scoring_refuses_answers_out_of_range(bad):
    with pytest.raises(ValueError):
        scoring.scale(bad)


@pytest.mark.parametrize(
    ("anxious", "avoidant", "expected"),
    [
        (30, 80, [ANXIOUS]),
        (80, 30, [AVOIDANT]),
        (40, 45, [ANXIOUS, AVOIDANT]),
        (50, 40, [AVOIDANT, ANXIOUS]),
        (55, 40, [AVOIDANT]),
        (80, 90, []),
        (30, 69, [ANXIOUS]),
    ],
)
def test_where_to_start_is_the_lower_side_and_the_other_when_close(anxious, avoidant, expected):
    assert scoring.recommended_paths(scoring.Scores(50, anxious, avoidant)) == expected


@pytest.mark.parametrize(
    ("previous", "current", "kind", "label"),
    [
        (None, 3, "new", "Not rated last time"),
        (3, 3, "same", "No change"),
        (3, 4, "noise", "Normal variation"),
        (4, 3, "noise", "Normal variation"),
        (2, 4, "up", "Up 2 steps"),
        (5, 1, "down", "Down 4 steps"),
    ],
)
def test_a_one_step_change_on_a_sign_is_called_normal_variation(previous, current, kind, label):
    change = scoring.sign_change(previous, current)
    assert (change.kind, change.label) == (kind, label)


@pytest.mark.parametrize(
    ("previous", "current", "kind"),
    [(50, 50, "same"), (50, 59, "noise"), (50, 41, "noise"), (50, 60, "up"), (60, 45, "down")],
)
def test_score_moves_under_ten_points_are_within_normal_variation(previous, current, kind):
    assert scoring.score_change(previous, current).kind == kind


def test_meaning_speaks_about_them_in_partner_mode():
    assert "you" in scoring.overall_meaning(90).headline
    assert "them" in scoring.overall_meaning(90, about_partner=True).headline
    assert scoring.overall_meaning(0).headline != scoring.overall_meaning(100).headline


def test_the_trend_chart_places_higher_scores_higher_and_describes_the_change():
    attempts = [
        Attempt(datetime(2026, 1, 5, tzinfo=UTC), 40, 30, 50),
        Attempt(datetime(2026, 3, 5, tzinfo=UTC), 70, 60, None),
    ]
    chart = trend_chart(attempts)
    overall = next(s for s in chart.series if s.key == "overall")
    first, second = overall.points
    assert second.x > first.x
    assert second.y < first.y  # SVG y grows downwards
    avoidant = next(s for s in chart.series if s.key == "avoidant_side")
    assert len(avoidant.points) == 1
    assert "went from 40 out of 100 (Jan 5, 2026) to 70 (Mar 5, 2026)" in chart.description


def test_attempt_labels_tell_apart_attempts_that_share_a_day_or_a_minute():
    from assessments.charts import attempt_labels

    moments = [
        datetime(2026, 1, 5, 9, 0, tzinfo=UTC),
        datetime(2026, 3, 5, 14, 30, tzinfo=UTC),
        datetime(2026, 3, 5, 14, 30, 40, tzinfo=UTC),
        datetime(2026, 3, 5, 16, 0, tzinfo=UTC),
    ]
    assert attempt_labels(moments) == [
        ("Jan 5, 2026", ""),
        ("Mar 5, 2026", "2:30 PM #1"),
        ("Mar 5, 2026", "2:30 PM #2"),
        ("Mar 5, 2026", "4:00 PM"),
    ]
