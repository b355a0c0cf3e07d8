import uuid
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction

from assessments import services
from assessments.models import Answer, Result, SavedStrategy, Subject
from assessments.unsaved_results import PendingResult
from guide.models import Sign


def answers_for(quiz, values):
    if isinstance(values, int):
        values = [values] * len(quiz.signs)
    return {sign.slug: value for sign, value in zip(quiz.signs, values, strict=True)}


def test_a_stored_result_keeps_scores_and_the_wording_of_each_answer(quiz, reader):
    values = [1, 2, 3, 4, 5] * 3
    result = services.result_create(
        owner=reader, subject=Subject.SELF, key=uuid.uuid4(), answers=answers_for(quiz, values)
    )

    assert result.overall == 50
    # anxious signs (1-5) plus "both" signs (11-15) all average 3
    assert (result.anxious_side, result.avoidant_side) == (50, 50)
    stored = list(result.answers.order_by("position"))
    assert [a.value for a in stored] == values
    assert stored[0].text == "You show sign number 1"
    assert stored[0].sign_slug == "sign-01"
    assert stored[0].leaning == Sign.Leaning.ANXIOUS
    assert [a.position for a in stored] == list(range(1, 16))


def test_a_partner_result_keeps_the_partner_wording(quiz, reader):
    result = services.result_create(
        owner=reader, subject=Subject.PARTNER, key=uuid.uuid4(), answers=answers_for(quiz, 3)
    )
    assert result.answers.first().text == "They show sign number 1"


def test_submitting_the_same_key_twice_stores_one_result(quiz, reader):
    key = uuid.uuid4()
    first = services.result_create(
        owner=reader, subject=Subject.SELF, key=key, answers=answers_for(quiz, 4)
    )
    again = services.result_create(
        owner=reader, subject=Subject.SELF, key=key, answers=answers_for(quiz, 2)
    )
    assert again.pk == first.pk
    assert Result.objects.count() == 1
    assert Answer.objects.count() == 15
    assert Result.objects.get().overall == 75


def test_another_readers_key_is_refused_and_nothing_is_stored(quiz, reader, other_reader):
    key = uuid.uuid4()
    services.result_create(
        owner=reader, subject=Subject.SELF, key=key, answers=answers_for(quiz, 4)
    )
    with pytest.raises(services.ResultKeyTaken):
        services.result_create(
            owner=other_reader, subject=Subject.SELF, key=key, answers=answers_for(quiz, 1)
        )
    assert Result.objects.filter(owner=other_reader).count() == 0


def test_answers_for_unknown_signs_store_nothing(quiz, reader):
    answers = answers_for(quiz, 3) | {"not-a-sign": 3}
    with pytest.raises(services.UnknownSigns):
        services.result_create(
            owner=reader, subject=Subject.SELF, key=uuid.uuid4(), answers=answers
        )
    assert Result.objects.count() == 0 and Answer.objects.count() == 0


def test_an_answer_out_of_range_stores_nothing(quiz, reader):
    answers = answers_for(quiz, 3) | {quiz.signs[0].slug: 6}
    with pytest.raises(ValueError):
        services.result_create(
            owner=reader, subject=Subject.SELF, key=uuid.uuid4(), answers=answers
        )
    assert Result.objects.count() == 0 and Answer.objects.count() == 0


def test_the_database_refuses_answers_out_of_range_and_two_answers_to_one_sign(quiz, reader):
    result = services.result_create(
        owner=reader, subject=Subject.SELF, key=uuid.uuid4(), answers=answers_for(quiz, 3)
    )
    answer = result.answers.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.filter(pk=answer.pk).update(value=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            result=result,
            sign_slug=answer.sign_slug,
            text="x",
            leaning="both",
            position=99,
            value=3,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.create(owner=reader, overall=3, key=result.key, created=result.created)
    with pytest.raises(IntegrityError), transaction.atomic():
        Result.objects.filter(pk=result.pk).update(overall=101)


def test_a_result_keeps_its_meaning_when_signs_are_reworded_reordered_retired_or_deleted(
    quiz, reader
):
    result = services.result_create(
        owner=reader, subject=Subject.SELF, key=uuid.uuid4(), answers=answers_for(quiz, 2)
    )
    first, second, third, fourth = quiz.signs[:4]
    first.text = "A completely new wording"
    first.save()
    second.order = 999
    second.save()
    third.published = False
    third.save()
    fourth.delete()

    result.refresh_from_db()
    answers = list(result.answers.order_by("position"))
    assert len(answers) == 15
    assert answers[0].text == "You show sign number 1"
    assert answers[1].position == 2
    assert answers[2].text == "You show sign number 3"
    assert answers[3].sign is None
    assert answers[3].text == "You show sign number 4"
    assert answers[3].leaning == Sign.Leaning.ANXIOUS
    assert result.overall == 25


def test_claiming_a_session_result_stores_it_with_its_time_and_skips_retired_signs(quiz, reader):
    taken = datetime(2026, 2, 1, 9, 30, tzinfo=UTC)
    pending = PendingResult(
        key=uuid.uuid4(), subject=Subject.SELF, answers=answers_for(quiz, 5), taken_at=taken
    )
    quiz.signs[0].delete()

    result = services.result_claim(owner=reader, pending=pending)

    assert result.created == taken
    assert result.answers.count() == 14
    assert result.overall == 100
    # Claiming twice (a second tab, a double click) keeps one result.
    assert services.result_claim(owner=reader, pending=pending).pk == result.pk
    assert Result.objects.count() == 1


def test_saving_a_strategy_twice_keeps_one_and_unsaving_twice_is_harmless(quiz, reader):
    strategy = quiz.strategies[0]
    services.strategy_save(owner=reader, strategy=strategy)
    services.strategy_save(owner=reader, strategy=strategy)
    assert SavedStrategy.objects.filter(owner=reader).count() == 1

    assert services.strategy_unsave(owner=reader, strategy_slug=strategy.slug) is True
    assert services.strategy_unsave(owner=reader, strategy_slug=strategy.slug) is False
    assert SavedStrategy.objects.count() == 0


def test_a_note_survives_the_strategy_being_deleted(quiz, reader):
    strategy = quiz.strategies[0]
    saved = services.strategy_save(owner=reader, strategy=strategy)
    services.note_update(saved=saved, note="  Tried it on Tuesday.  ")
    strategy.delete()

    saved.refresh_from_db()
    assert saved.strategy is None
    assert saved.note == "Tried it on Tuesday."
    assert saved.title == "Calm Breath"


def test_export_holds_the_account_every_result_with_answers_and_the_toolkit(quiz, reader):
    services.result_create(
        owner=reader, subject=Subject.SELF, key=uuid.uuid4(), answers=answers_for(quiz, 4)
    )
    services.result_create(
        owner=reader, subject=Subject.PARTNER, key=uuid.uuid4(), answers=answers_for(quiz, 2)
    )
    saved = services.strategy_save(owner=reader, strategy=quiz.strategies[1])
    services.note_update(saved=saved, note="my note")

    data = services.account_export(user=reader)

    assert data["account"]["username"] == "reader-one"
    assert data["scores"] == {
        "overall": "Overall",
        "anxious_side": "Security on anxious-side signs",
        "avoidant_side": "Security on avoidant-side signs",
    }
    assert "higher means more secure" in data["about"]
    assert [r["subject"] for r in data["results"]] == ["self", "partner"]
    assert len(data["results"][1]["answers"]) == 15
    assert data["results"][1]["answers"][0] == {
        "position": 1,
        "sign": "sign-01",
        "text": "They show sign number 1",
        "leaning": "anxious",
        "value": 2,
    }
    assert data["toolkit"][0]["note"] == "my note"
    assert data["toolkit"][0]["strategy"] == "wait-ten"


def test_deleting_an_account_deletes_everything_in_it_and_nothing_else(quiz, reader, other_reader):
    for owner in (reader, other_reader):
        services.result_create(
            owner=owner, subject=Subject.SELF, key=uuid.uuid4(), answers=answers_for(quiz, 3)
        )
        services.strategy_save(owner=owner, strategy=quiz.strategies[0])

    services.account_delete(user=reader)

    assert not type(reader).objects.filter(pk=reader.pk).exists()
    assert Result.objects.filter(owner_id=reader.pk).count() == 0
    assert Answer.objects.count() == 15
    assert SavedStrategy.objects.count() == 1
    assert Result.objects.filter(owner=other_reader).count() == 1


def test_the_quiz_asks_about_published_signs_in_order(quiz):
    quiz.signs[0].published = False
    quiz.signs[0].save()
    quiz.signs[5].order = 0
    quiz.signs[5].save()
    signs = services.quiz_signs()
    assert len(signs) == 14
    assert signs[0] == quiz.signs[5]


def test_owned_by_finds_each_readers_own_results_and_nobody_elses(quiz, reader, other_reader):
    mine = services.result_create(
        owner=reader, subject=Subject.SELF, key=uuid.uuid4(), answers=answers_for(quiz, 3)
    )
    theirs = services.result_create(
        owner=other_reader, subject=Subject.PARTNER, key=uuid.uuid4(), answers=answers_for(quiz, 4)
    )
    mine_saved = services.strategy_save(owner=reader, strategy=quiz.strategies[0])
    services.strategy_save(owner=other_reader, strategy=quiz.strategies[0])

    assert list(Result.objects.owned_by(reader)) == [mine]
    assert list(Result.objects.owned_by(other_reader)) == [theirs]
    assert not Result.objects.owned_by(reader).filter(pk=theirs.pk).exists()
    assert list(SavedStrategy.objects.owned_by(reader)) == [mine_saved]
    # Signed out, nobody owns anything, though results exist.
    assert Result.objects.count() == 2
    assert not Result.objects.owned_by(AnonymousUser()).exists()
    assert not SavedStrategy.objects.owned_by(AnonymousUser()).exists()
