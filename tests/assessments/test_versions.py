"""Every stored result records the quiz version it was scored with: the signs, their sides and
the scoring rules. History compares like with like and says when the version changed."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from django.utils import timezone

from assessments import scoring, services
from assessments.models import QuizVersion, Subject
from tests.factories import make_sign, take_quiz


def test_results_of_the_same_quiz_share_one_version(quiz, reader):
    first = take_quiz(quiz, reader, 2)
    second = take_quiz(quiz, reader, 4)

    assert first.version == second.version
    assert QuizVersion.objects.count() == 1
    assert first.version.rules == scoring.SCORING_RULES_VERSION
    assert len(first.version.signs) == 15
    assert ["sign-01", "anxious"] in first.version.signs


def test_rewording_or_reordering_a_sign_keeps_the_version(quiz, reader):
    before = take_quiz(quiz, reader, 2)
    sign = quiz.signs[0]
    sign.text = "You show sign one, reworded"
    sign.order = 99
    sign.save()

    after = take_quiz(quiz, reader, 3)

    assert after.version == before.version


def test_changing_a_signs_side_makes_a_new_version(quiz, reader):
    before = take_quiz(quiz, reader, 2)
    sign = quiz.signs[0]
    sign.leaning = "avoidant"
    sign.save()

    after = take_quiz(quiz, reader, 3)

    assert after.version != before.version
    assert ["sign-01", "avoidant"] in after.version.signs
    assert after.version.number == before.version.number + 1


def test_adding_a_sign_makes_a_new_version(quiz, reader):
    before = take_quiz(quiz, reader, 2)
    make_sign(slug="sign-16", order=16)

    after = services.result_create(
        owner=reader,
        subject=Subject.SELF,
        key=uuid.uuid4(),
        answers={**{s.slug: 2 for s in quiz.signs}, "sign-16": 2},
    )

    assert after.version != before.version
    assert len(after.version.signs) == 16


def test_changing_the_scoring_rules_makes_a_new_version(quiz, reader, monkeypatch):
    before = take_quiz(quiz, reader, 2)
    monkeypatch.setattr(scoring, "SCORING_RULES_VERSION", scoring.SCORING_RULES_VERSION + 1)

    after = take_quiz(quiz, reader, 2, when=timezone.now() + timedelta(hours=1))

    assert after.version != before.version
    assert after.version.rules == before.version.rules + 1


def retire(sign) -> None:
    sign.published = False
    sign.save()


def test_across_a_retired_sign_history_says_the_version_changed_and_compares_only_shared_signs(
    client, quiz, reader
):
    now = timezone.now()
    take_quiz(quiz, reader, 2, when=now - timedelta(days=30))
    retired = quiz.signs[14]
    retire(retired)
    services.result_create(
        owner=reader,
        subject=Subject.SELF,
        key=uuid.uuid4(),
        answers={s.slug: 5 for s in quiz.signs[:14]},
        taken_at=now,
    )
    client.force_login(reader)

    html = client.get("/me/").content.decode()

    versions = list(QuizVersion.objects.order_by("pk"))
    assert len(versions) == 2
    assert "The quiz changed between these two attempts" in html
    assert f"(version {versions[0].number}, then version {versions[1].number})" in html
    # Scores measured differently are not compared: no "Up 75 points" across versions.
    assert "Up 75 points" not in html
    assert "Change in each score since the attempt before" not in html
    # The signs both attempts rated are compared, and the retired one is left out.
    assert html.count("Up 3 steps") == 14
    assert "You show sign number 15" not in html.split("Since the attempt before")[1]


def test_within_one_version_history_compares_scores_as_before(client, quiz, reader):
    now = timezone.now()
    take_quiz(quiz, reader, 2, when=now - timedelta(days=30))
    take_quiz(quiz, reader, 5, when=now)
    client.force_login(reader)

    html = client.get("/me/").content.decode()

    assert "The quiz changed between these two attempts" not in html
    assert "Up 75 points" in html


def test_a_result_shows_its_version_even_after_the_quiz_changed(client, quiz, reader):
    result = take_quiz(quiz, reader, 3)
    retire(quiz.signs[0])
    take_quiz(quiz, reader, 3, when=timezone.now() + timedelta(hours=1))
    client.force_login(reader)

    html = client.get(f"/me/results/{result.pk}/").content.decode()

    assert f"scored with quiz version {result.version.number}." in html
    table = client.get("/me/").content.decode().split("Quiz version")[1]
    assert f"<td>{result.version.number}</td>" in table
    assert f"<td>{result.version.number + 1}</td>" in table


def test_an_anonymous_result_names_the_current_version(client, quiz):
    client.post("/quiz/", quiz.post_data(3, key=uuid.uuid4()))

    html = client.get("/quiz/result/").content.decode()

    version = QuizVersion.objects.get()
    assert f"scored with quiz version {version.number}." in html


def test_the_export_includes_each_results_version(client, quiz, reader):
    take_quiz(quiz, reader, 3)
    client.force_login(reader)

    data = json.loads(client.get("/me/export/").content)

    version = QuizVersion.objects.get()
    exported = data["results"][0]["quiz_version"]
    assert exported["number"] == version.number
    assert exported["fingerprint"] == version.fingerprint
    assert exported["scoring_rules"] == scoring.SCORING_RULES_VERSION
    assert {"sign": "sign-01", "side": "anxious"} in exported["signs"]
    assert "quiz version" in data["about"]


def test_the_fingerprint_ignores_order_and_sees_sides():
    signs = [("a", "anxious"), ("b", "avoidant")]
    assert scoring.quiz_fingerprint(signs) == scoring.quiz_fingerprint(reversed(signs))
    assert scoring.quiz_fingerprint(signs) != scoring.quiz_fingerprint(
        [("a", "both"), ("b", "avoidant")]
    )
    assert scoring.quiz_fingerprint(signs) != scoring.quiz_fingerprint(signs[:1])
