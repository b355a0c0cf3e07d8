"""What the result and history pages show, gathered in a fixed, small number of queries.

A stored result and an anonymous one from the session are shown by the same template:
both become a :class:`ResultView`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from django.contrib.auth.models import AnonymousUser
from django.db.models import Prefetch, Q
from django.utils.safestring import SafeString

from assessments import row_html, scoring
from assessments.charts import Chart, attempt_labels, joined, trend_chart
from assessments.forms import value_label
from assessments.models import Answer, QuizVersion, Result, SavedStrategy, Subject
from assessments.unsaved_results import PendingResult
from guide.compiled import ID, IDS, compiled
from guide.models import FAQ, Chapters, Section, Sign, Strategy

PARTNER_FAQ_SLUG = "secure-partner"
# "Where to start" names this many strategies: a place to start, not the whole toolkit.
START_SHOWN = 3
PATH_COMPONENTS = {
    scoring.ANXIOUS: (Section.Component.ANXIOUS, "From anxious to secure"),
    scoring.AVOIDANT: (Section.Component.AVOIDANT, "From avoidant to secure"),
}


def published_strategies(lookup: str = "strategies") -> Prefetch:
    """The published strategies linked to each sign, in the guide's order (one query)."""
    return Prefetch(lookup, queryset=Strategy.objects.published().order_by("order", "pk"))


def chapter_urls() -> dict[str, str]:
    """Each typed chapter's URL by component, in one query: the guide's own answer to
    "which chapter shows this?" (:class:`guide.models.Chapters`), for a public page."""
    chapters = Chapters.visible_to(AnonymousUser())
    return {c.component: c.get_absolute_url() for c in chapters if c.component}


def partner_faq_url(chapters: dict[str, str]) -> str | None:
    """The FAQ on telling whether a partner is securely attached, wherever editors put it."""
    faq = (
        FAQ.objects.published()
        .filter(Q(slug=PARTNER_FAQ_SLUG) | Q(question__icontains="partner is securely attached"))
        .order_by("order")
        .values_list("slug", flat=True)
        .first()
    )
    faqs = chapters.get(Section.Component.FAQS)
    if faq is None or faqs is None:
        return faqs
    return f"{faqs}#{faq}"


@dataclass
class AnswerRow:
    position: int
    slug: str
    text: str
    leaning: str
    value: int
    value_label: str
    sign_url: str | None
    strategies: list[Strategy]


@dataclass
class PathLink:
    side: str
    title: str
    url: str | None


@dataclass
class ResultView:
    subject: str
    taken_at: datetime
    scores: scoring.Scores
    rows: list[AnswerRow]
    chapters: dict[str, str]
    faq_url: str | None = None
    result: Result | None = None
    version: QuizVersion | None = None
    paths: list[PathLink] = field(init=False)

    def __post_init__(self) -> None:
        self.paths = [
            PathLink(side, title, self.chapters.get(component))
            for side in scoring.recommended_paths(self.scores)
            for component, title in [PATH_COMPONENTS[side]]
        ]

    @property
    def about_partner(self) -> bool:
        return self.subject == Subject.PARTNER

    @property
    def meaning(self) -> scoring.Meaning:
        return scoring.overall_meaning(self.scores.overall, about_partner=self.about_partner)

    @property
    def anxious_meaning(self) -> str:
        return scoring.side_meaning(self.scores.anxious_side)

    @property
    def avoidant_meaning(self) -> str:
        return scoring.side_meaning(self.scores.avoidant_side)

    @property
    def strengths(self) -> list[AnswerRow]:
        return [row for row in self.rows if scoring.is_strength(row.value)]

    @property
    def growth_edges(self) -> list[AnswerRow]:
        return [row for row in self.rows if scoring.is_growth_edge(row.value)]

    @property
    def in_between(self) -> list[AnswerRow]:
        return [
            row
            for row in self.rows
            if not scoring.is_strength(row.value) and not scoring.is_growth_edge(row.value)
        ]

    @property
    def start_from(self) -> list[AnswerRow]:
        """The signs to start with: growth edges, else the in-between ones."""
        return self.growth_edges or self.in_between

    @property
    def start_strategies(self) -> list[Strategy]:
        """Strategies for the signs to start with, most relevant first.

        Relevance is how much ground a strategy covers: each sign it helps counts more the
        lower it was rated (a 1 counts three times a 3). Ties go to a strategy on a
        suggested path, then to the guide's order.
        """
        found: dict[str, Strategy] = {}
        weight: dict[str, int] = {}
        for row in self.start_from:
            for strategy in row.strategies:
                found.setdefault(strategy.slug, strategy)
                weight[strategy.slug] = (
                    weight.get(strategy.slug, 0) + scoring.STRENGTH_FROM - row.value
                )
        sides = [path.side for path in self.paths]
        return sorted(
            found.values(),
            key=lambda s: (-weight[s.slug], s.path not in sides, s.order, s.pk),
        )

    @property
    def start_first(self) -> list[Strategy]:
        """The few strategies "Where to start" shows; the rest wait behind "see all"."""
        return self.start_strategies[:START_SHOWN]

    @property
    def start_more(self) -> list[Strategy]:
        return self.start_strategies[START_SHOWN:]

    @property
    def therapies_url(self) -> str | None:
        return self.chapters.get(Section.Component.THERAPIES)

    @property
    def repair_url(self) -> str | None:
        return self.chapters.get(Section.Component.REPAIR)


def _sign_url(chapters: dict[str, str], sign: Sign | None) -> str | None:
    signs = chapters.get(Section.Component.SIGNS)
    if sign is None or not sign.published or signs is None:
        return None
    return f"{signs}#{sign.slug}"


def saved_slugs_for(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(
        SavedStrategy.objects.owned_by(user)
        .filter(strategy__isnull=False)
        .values_list("strategy_slug", flat=True)
    )


def stored_result_view(result: Result) -> ResultView:
    """A stored result as taken: its scores and its answers' own wording."""
    about_partner = result.subject == Subject.PARTNER
    answers = (
        Answer.objects.filter(result=result)
        .select_related("sign")
        .prefetch_related(published_strategies("sign__strategies"))
    )
    chapters = chapter_urls()
    rows = [
        AnswerRow(
            position=answer.position,
            slug=answer.sign_slug,
            text=answer.text,
            leaning=answer.leaning,
            value=answer.value,
            value_label=value_label(answer.value, about_partner=about_partner),
            sign_url=_sign_url(chapters, answer.sign),
            strategies=list(answer.sign.strategies.all()) if answer.sign else [],
        )
        for answer in answers
    ]
    scores = scoring.Scores(result.overall, result.anxious_side, result.avoidant_side)
    return ResultView(
        subject=result.subject,
        taken_at=result.created,
        scores=scores,
        rows=rows,
        chapters=chapters,
        faq_url=partner_faq_url(chapters) if result.subject == Subject.PARTNER else None,
        result=result,
        version=result.version,
    )


def pending_result_view(pending: PendingResult) -> ResultView | None:
    """An anonymous result, scored against today's signs (it was taken minutes ago)."""
    signs = (
        Sign.objects.published()
        .filter(slug__in=pending.answers)
        .order_by("order", "pk")
        .prefetch_related(published_strategies())
    )
    chapters = chapter_urls()
    rows = [
        AnswerRow(
            position=position,
            slug=sign.slug,
            text=sign.partner_text if pending.about_partner else sign.text,
            leaning=sign.leaning,
            value=pending.answers[sign.slug],
            value_label=value_label(
                pending.answers[sign.slug], about_partner=pending.about_partner
            ),
            sign_url=_sign_url(chapters, sign),
            strategies=list(sign.strategies.all()),
        )
        for position, sign in enumerate(signs, start=1)
    ]
    if not rows:
        return None
    scores = scoring.score(scoring.Rated(row.slug, row.leaning, row.value) for row in rows)
    return ResultView(
        subject=pending.subject,
        taken_at=pending.taken_at,
        scores=scores,
        rows=rows,
        chapters=chapters,
        faq_url=partner_faq_url(chapters) if pending.about_partner else None,
        version=QuizVersion.objects.filter(fingerprint=current_fingerprint()).first(),
    )


def current_fingerprint() -> str:
    """The fingerprint of the quiz as published now (one query)."""
    return scoring.quiz_fingerprint(
        Sign.objects.published().values_list("slug", "leaning").order_by()
    )


@dataclass
class KeySign:
    position: int
    text: str
    side: str
    side_label: str
    url: str | None


def scoring_key() -> dict:
    """Everything the how-we-score page says, taken from the published signs and from
    :mod:`assessments.scoring`: change a sign's side or a rule there and the page follows."""
    signs = list(Sign.objects.published().order_by("order", "pk").only("slug", "text", "leaning"))
    chapters = chapter_urls()
    signs_url = chapters.get(Section.Component.SIGNS)
    rows = [
        KeySign(
            position=position,
            text=sign.text,
            side=sign.leaning,
            side_label=Sign.Leaning(sign.leaning).label,
            url=f"{signs_url}#{sign.slug}" if signs_url else None,
        )
        for position, sign in enumerate(signs, start=1)
    ]
    count = len(rows)
    fingerprint = scoring.quiz_fingerprint((sign.slug, sign.leaning) for sign in signs)
    middle = (scoring.ANSWER_MIN + scoring.ANSWER_MAX) // 2
    examples = [
        (
            value_label(value, about_partner=False),
            value,
            scoring.scale([value] * count) if count else None,
        )
        for value in (scoring.ANSWER_MIN, middle, scoring.ANSWER_MAX)
    ]
    return {
        "signs": rows,
        "sign_count": count,
        "anxious_count": sum(scoring.on_side(r.side, scoring.ANXIOUS) for r in rows),
        "avoidant_count": sum(scoring.on_side(r.side, scoring.AVOIDANT) for r in rows),
        "answer_min": scoring.ANSWER_MIN,
        "min_label": value_label(scoring.ANSWER_MIN, about_partner=False),
        "max_label": value_label(scoring.ANSWER_MAX, about_partner=False),
        "answer_max": scoring.ANSWER_MAX,
        "answer_span": scoring.ANSWER_MAX - scoring.ANSWER_MIN,
        "examples": examples,
        "measures": scoring.MEASURES,
        "overall_bands": scoring.overall_bands(),
        "side_bands": scoring.side_bands(),
        "strength_from": scoring.STRENGTH_FROM,
        "growth_edge_up_to": scoring.GROWTH_EDGE_UP_TO,
        "path_threshold": scoring.PATH_THRESHOLD,
        "path_closeness": scoring.PATH_CLOSENESS,
        "notable_sign_steps": scoring.NOTABLE_SIGN_STEPS,
        "notable_score_points": scoring.NOTABLE_SCORE_POINTS,
        "noise_reasoning": scoring.noise_reasoning(count) if count else [],
        "rules_version": scoring.SCORING_RULES_VERSION,
        "fingerprint": fingerprint,
        "version": QuizVersion.objects.filter(fingerprint=fingerprint).first(),
        "chapters": chapters,
    }


@dataclass
class SignChange:
    text: str
    previous: int | None
    current: int
    change: scoring.Change


class AttemptRow(NamedTuple):
    """One stored result as the history shows it: its scores, not its answers."""

    pk: int
    subject: str
    version_number: int | None  # a quiz version's number is its id
    overall: int
    anxious_side: int | None
    avoidant_side: int | None
    created: datetime

    @property
    def taken_at(self) -> datetime:  # as a chart's Attempt
        return self.created


@compiled
def _attempts():
    """The reader's attempts, oldest first: ``Result.objects.owned_by(reader)``, with the
    reader's id in place of ID."""
    return (
        Result.objects.filter(owner=ID)
        .order_by("created", "pk")
        .values_list(
            "pk", "subject", "version", "overall", "anxious_side", "avoidant_side", "created"
        )
    )


@compiled
def _compared_answers():
    """The answers of the attempts compared with the one before (their ids in place of IDS)."""
    return (
        Answer.objects.filter(result__in=IDS)
        .order_by("position")
        .values_list("result", "sign_slug", "text", "value")
    )


@dataclass
class SubjectHistory:
    subject: str
    label: str
    results: list[AttemptRow]  # oldest first
    labels: list[str]  # one per result: its date, with the time when it shares the day
    chart: Chart
    score_changes: list[tuple[str, int | None, int | None, scoring.Change]]
    sign_changes: list[SignChange]
    # The two latest attempts were scored by different versions of the quiz: their scores
    # are not compared, and the signs are compared only where both rated them.
    version_changed: bool = False

    @property
    def latest(self) -> AttemptRow:
        return self.results[-1]

    @property
    def previous(self) -> AttemptRow | None:
        return self.results[-2] if len(self.results) > 1 else None

    @property
    def previous_label(self) -> str | None:
        return self.labels[-2] if len(self.labels) > 1 else None

    @property
    def newest_first(self) -> list[tuple[AttemptRow, str]]:
        return list(reversed(list(zip(self.results, self.labels, strict=True))))

    @property
    def table_rows(self) -> SafeString:
        """The table of every attempt, newest first: one row each."""
        return row_html.attempt_rows(self.newest_first)

    @property
    def score_rows(self) -> SafeString:
        return row_html.change_rows(self.score_changes, indent=18)

    @property
    def sign_rows(self) -> SafeString:
        return row_html.change_rows(
            ((row.text, row.previous, row.current, row.change) for row in self.sign_changes),
            indent=16,
        )


def history_for(user) -> list[SubjectHistory]:
    """Every attempt per subject, the trend, and what changed since the attempt before.

    Two queries whatever the number of attempts: the results, then the answers of the
    latest two attempts per subject.
    """
    if not user.is_authenticated:
        return []
    by_subject: dict[str, list[AttemptRow]] = {}
    for row in _attempts().tuples(user.pk):
        attempt = AttemptRow(*row)
        by_subject.setdefault(attempt.subject, []).append(attempt)

    compare_ids = [r.pk for rs in by_subject.values() for r in rs[-2:] if len(rs) > 1]
    answers: dict[int, dict[str, tuple[str, int]]] = {}
    if compare_ids:
        for result_id, slug, text, value in _compared_answers().tuples(ids=compare_ids):
            answers.setdefault(result_id, {})[slug] = (text, value)

    histories = []
    for subject in (Subject.SELF, Subject.PARTNER):
        attempts = by_subject.get(subject)
        if not attempts:
            continue
        about_partner = subject == Subject.PARTNER
        labels = attempt_labels([r.created for r in attempts])
        chart = trend_chart(
            attempts,
            who="Their" if about_partner else "Your",
            title=(
                "Trend of scores in the quiz about a partner"
                if about_partner
                else "Trend of scores in the quiz about me"
            ),
            labels=labels,
        )
        score_changes = []
        sign_changes = []
        version_changed = False
        if len(attempts) > 1:
            before, latest = attempts[-2], attempts[-1]
            version_changed = before.version_number != latest.version_number
            if not version_changed:
                for attr, label in scoring.MEASURES:
                    old, new = getattr(before, attr), getattr(latest, attr)
                    score_changes.append((label, old, new, scoring.score_change(old, new)))
            old_answers = answers.get(before.pk, {})
            for slug, (text, value) in answers.get(latest.pk, {}).items():
                old = old_answers.get(slug)
                if version_changed and old is None:
                    continue  # a sign the earlier version did not ask: nothing to compare
                previous = old[1] if old else None
                sign_changes.append(
                    SignChange(text, previous, value, scoring.sign_change(previous, value))
                )
        histories.append(
            SubjectHistory(
                subject=subject,
                label="About a partner" if about_partner else "About me",
                results=attempts,
                labels=[joined(label) for label in labels],
                chart=chart,
                score_changes=score_changes,
                sign_changes=sign_changes,
                version_changed=version_changed,
            )
        )
    return histories


class ToolkitRow(NamedTuple):
    """A saved strategy as the toolkit shows it, with the strategy it came from (while that
    exists): its address and title now, and whether it is still published."""

    strategy_slug: str
    title: str
    note: str
    created: datetime
    strategy_id: int | None
    strategy_current_slug: str | None
    strategy_title: str | None
    strategy_path: str | None
    strategy_published: bool | None


@compiled
def _toolkit():
    """The reader's saved strategies, oldest first: ``SavedStrategy.objects.owned_by(reader)``,
    with the reader's id in place of ID."""
    return (
        SavedStrategy.objects.filter(owner=ID)
        .order_by("created", "pk")
        .values_list(
            "strategy_slug",
            "title",
            "note",
            "created",
            "strategy",
            "strategy__slug",
            "strategy__title",
            "strategy__path",
            "strategy__published",
        )
    )


def toolkit_for(user) -> list[ToolkitRow]:
    if not user.is_authenticated:
        return []
    return [ToolkitRow(*row) for row in _toolkit().tuples(user.pk)]
