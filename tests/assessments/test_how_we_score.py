"""/how-we-score/ is generated from the published signs and assessments/scoring.py, so it
cannot drift from the code: change a sign's side, or a rule, and the page changes with it."""

from __future__ import annotations

import re
import uuid
from html import unescape

import pytest

from assessments import scoring, services
from assessments.forms import value_label
from assessments.models import Subject
from guide.models import Sign

URL = "/how-we-score/"


def page(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return unescape(response.content.decode())


def key_rows(html: str) -> list[tuple[str, str, str]]:
    """(side value, sign text, side label) for every row of the scoring key, in order."""
    rows = re.findall(
        r'<tr data-sign-side="([a-z]+)"><td>\d+</td><th scope="row">(?:<a [^>]+>)?([^<]+)'
        r"(?:</a>)?</th><td>([^<]+)</td></tr>",
        html,
    )
    return rows


def test_the_key_lists_every_published_sign_with_its_side_as_the_scoring_uses_it(client, quiz):
    rows = key_rows(page(client))

    signs = list(Sign.objects.published().order_by("order", "pk"))
    assert rows == [(s.leaning, s.text, Sign.Leaning(s.leaning).label) for s in signs]
    assert len(rows) == 15


def test_changing_a_signs_side_changes_the_page(client, quiz):
    sign = quiz.signs[0]
    assert sign.leaning == Sign.Leaning.ANXIOUS
    before = page(client)
    assert "5 signs count towards the anxious side and 10 towards the avoidant side" not in before

    sign.leaning = Sign.Leaning.AVOIDANT
    sign.save()
    after = page(client)

    assert key_rows(after)[0] == (sign.leaning, sign.text, "Avoidant side")
    # 4 anxious + 5 both; 6 avoidant + 5 both
    assert "9 signs count towards the anxious side and 11 towards the avoidant side" in after
    assert "10 signs count towards the anxious side and 10 towards the avoidant side" in before


def test_a_retired_sign_leaves_the_key(client, quiz):
    retired = quiz.signs[3]
    retired.published = False
    retired.save()

    html = page(client)

    assert retired.text not in html
    assert len(key_rows(html)) == 14
    assert "all 14 signs" in html


def test_the_formula_and_bands_are_the_scoring_modules_own(client, quiz):
    html = page(client)

    span = scoring.ANSWER_MAX - scoring.ANSWER_MIN
    assert f"score = 100 × (average rating − {scoring.ANSWER_MIN}) ÷ {span}" in html
    for value, label in [
        (1, "Not like me at all"),
        (3, "Somewhat like me"),
        (5, "Very much like me"),
    ]:
        assert value_label(value, about_partner=False) == label
        assert f"“{label}” scores {scoring.scale([value] * 15)}" in html
    assert "rated from 1 (“Not like me at all”) to 5 (“Very much like me”)" in html
    for band in scoring.overall_bands():
        assert f'<th scope="row">{band.low}–{band.high}</th><td>{band.meaning}</td>' in html
        assert scoring.overall_meaning(band.low).headline == band.meaning
        assert scoring.overall_meaning(band.high).headline == band.meaning
    for band in scoring.side_bands():
        assert f'<th scope="row">{band.low}–{band.high}</th><td>{band.meaning}</td>' in html
    for label in dict(scoring.MEASURES).values():
        assert f"<strong>{label}</strong>" in html


def test_the_bands_cover_every_score_once():
    for bands in (scoring.overall_bands(), scoring.side_bands()):
        covered = [n for band in bands for n in range(band.low, band.high + 1)]
        assert sorted(covered) == list(range(0, 101))


def test_noise_is_stated_from_the_one_definition_with_its_reasons(client, quiz):
    html = page(client)

    assert (
        f"A change of less than {scoring.NOTABLE_SIGN_STEPS} steps on a sign, or less than "
        f"{scoring.NOTABLE_SCORE_POINTS} points on a score, is shown as normal variation"
    ) in html
    for paragraph in scoring.noise_reasoning(15):
        assert paragraph in html
    assert "one step on one sign moves the overall score by about 1.7 points" in html
    assert "about one step on 6 signs" in html


def test_moving_the_noise_threshold_moves_the_page_and_the_history_labels(
    client, quiz, monkeypatch
):
    monkeypatch.setattr(scoring, "NOTABLE_SCORE_POINTS", 15)

    html = page(client)

    assert "or less than 15 points on a score, is shown as normal variation" in html
    assert scoring.score_change(50, 62).kind == "noise"
    assert scoring.score_change(50, 65).kind == "up"


def test_the_limits_name_a_validated_instrument_with_its_citation(client, quiz):
    html = page(client)

    assert "This quiz is a reflection, not a validated instrument." in html
    assert "Experiences in Close Relationships–Revised questionnaire (ECR-R)" in html
    assert (
        "Fraley, R. C., Waller, N. G., & Brennan, K. A. (2000). An item response theory "
        "analysis of self-report measures of adult attachment. <i>Journal of Personality and "
        "Social Psychology, 78</i>(2), 350–365."
    ) in html
    assert 'href="https://doi.org/10.1037/0022-3514.78.2.350"' in html


def test_the_page_names_the_version_it_describes(client, quiz, reader):
    assert "quiz version" not in page(client).split("<h2")[0]
    result = services.result_create(
        owner=reader,
        subject=Subject.SELF,
        key=uuid.uuid4(),
        answers={s.slug: 3 for s in quiz.signs},
    )

    html = page(client)

    assert f"describes the scoring readers get today: quiz version {result.version.number}" in html
    assert f"<code>{result.version.fingerprint}</code>" in html


@pytest.mark.parametrize("url", ["/quiz/", "/quiz/?about=partner", "/", "/privacy/"])
def test_how_we_score_is_linked_from_the_quiz_and_the_footer(client, quiz, url):
    assert 'href="/how-we-score/"' in client.get(url).content.decode()


def test_every_result_links_to_how_we_score(client, quiz, reader):
    client.post("/quiz/", quiz.post_data(3, key=uuid.uuid4()))
    assert 'href="/how-we-score/">How we score</a>' in client.get("/quiz/result/").content.decode()
    client.force_login(reader)
    client.post("/quiz/", quiz.post_data(2, key=uuid.uuid4()))
    result = reader.quiz_results.get()
    html = client.get(f"/me/results/{result.pk}/").content.decode()
    assert 'href="/how-we-score/">How we score</a>' in html


def test_a_signed_out_reader_gets_a_cacheable_page_with_no_cookie(client, quiz):
    response = client.get(URL)

    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "public" in response["Cache-Control"]
