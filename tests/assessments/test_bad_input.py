"""Tampered, malformed and oversized posts: a clear message, and not one row written."""

import uuid

import pytest
from django.test import Client

from assessments.models import Answer, ReaderSession, Result, SavedStrategy
from assessments.unsaved_results import SESSION_KEY

QUIZ = "/quiz/"


def counts():
    return (Result.objects.count(), Answer.objects.count(), SavedStrategy.objects.count())


def tamper(quiz, how):
    data = quiz.post_data(3, key=uuid.uuid4())
    first = f"sign-{quiz.signs[0].slug}"
    if how == "out-of-range-high":
        data[first] = "6"
    elif how == "out-of-range-low":
        data[first] = "0"
    elif how == "non-numeric":
        data[first] = "three"
    elif how == "empty":
        data[first] = ""
    elif how == "decimal":
        data[first] = "2.5"
    elif how == "duplicated":
        data[first] = ["2", "4"]
    elif how == "unknown-sign":
        data["sign-not-a-real-sign"] = "3"
    elif how == "extra-field":
        data["owner"] = "1"
    elif how == "bad-key":
        data["key"] = "not-a-uuid"
    elif how == "no-key":
        del data["key"]
    elif how == "bad-subject":
        data["subject"] = "boss"
    return data


NOT_OFFERED = (
    "1 answer was not one this page offers, so nothing was saved. Choose again:",
    "“You show sign number 1” got an answer this page does not offer: choose one of the five "
    "answers.",
)
NOT_OURS = ("The form was not the one this page sent, so nothing was saved. Please send it again.",)
# Each way of tampering, and exactly what the error summary says about it.
TAMPERED = {
    "out-of-range-high": NOT_OFFERED,
    "out-of-range-low": NOT_OFFERED,
    "non-numeric": NOT_OFFERED,
    "decimal": NOT_OFFERED,
    "duplicated": (
        "Some signs were answered more than once, so nothing was saved. Please choose one "
        "answer for each sign and send again.",
    ),
    "unknown-sign": (
        "The form answered a sign that is not in this quiz, so nothing was saved. The quiz may "
        "have changed since the page was opened: please check your answers and send them again.",
    ),
    "extra-field": (
        "The form carried fields this page does not have, so nothing was saved. Please check "
        "your answers and send them again.",
    ),
    "bad-key": NOT_OURS,
    "no-key": NOT_OURS,
    "bad-subject": NOT_OURS,
}


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
@pytest.mark.parametrize("how", sorted(TAMPERED))
def test_a_tampered_quiz_post_is_refused_with_a_clear_message_and_stores_nothing(
    client, quiz, reader, how, signed_in
):
    if signed_in:
        client.force_login(reader)
    before = counts()

    response = client.post(QUIZ, tamper(quiz, how))

    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    for message in TAMPERED[how]:
        assert message in html
    others = {m for messages in TAMPERED.values() for m in messages} - set(TAMPERED[how])
    assert [m for m in others if m in html] == []
    assert "an answer. Your other answers are kept below." not in html
    assert counts() == before
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("empty", "1 of 15 signs needs an answer. Your other answers are kept below."),
        ("missing-all", "15 of 15 signs need an answer. Your other answers are kept below."),
    ],
)
def test_unanswered_signs_ask_for_an_answer_and_store_nothing(client, quiz, reader, how, message):
    client.force_login(reader)
    data = tamper(quiz, how) if how == "empty" else {"key": str(uuid.uuid4()), "subject": "self"}

    response = client.post(QUIZ, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert html.count("Choose one of the five answers for this sign.") == int(message.split()[0])
    assert "nothing was saved" not in html
    assert counts() == (0, 0, 0)


def test_an_oversized_post_gets_a_413_page_and_stores_nothing(client, quiz, reader):
    client.force_login(reader)
    data = quiz.post_data(3, key=uuid.uuid4())
    data["note"] = "x" * (300 * 1024)

    response = client.post(QUIZ, data)

    assert response.status_code == 413
    html = response.content.decode()
    assert "That was more than this form accepts" in html
    assert "nothing was saved or changed" in html
    assert "<h1>" in html and "site-header" in html
    assert counts() == (0, 0, 0)


def test_too_many_fields_get_the_same_clear_page(client, quiz):
    data = quiz.post_data(3, key=uuid.uuid4())
    data.update({f"f{i}": "1" for i in range(300)})
    response = client.post(QUIZ, data)
    assert response.status_code == 413
    assert counts() == (0, 0, 0)


def test_a_forged_csrf_token_gets_a_friendly_403_and_stores_nothing(quiz, reader):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    sessions = ReaderSession.objects.count()

    response = client.post(QUIZ, quiz.post_data(3, key=uuid.uuid4()))

    assert response.status_code == 403
    html = response.content.decode()
    assert "This form could not be accepted" in html
    assert "nothing was saved or changed" in html
    assert 'href="/quiz/"' in html
    assert counts() == (0, 0, 0)
    assert ReaderSession.objects.count() == sessions


def test_a_forged_csrf_token_on_a_toolkit_save_changes_nothing(quiz, reader):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    response = client.post("/toolkit/save/calm-breath/", {"csrfmiddlewaretoken": "forged"})
    assert response.status_code == 403
    assert counts() == (0, 0, 0)


def test_saving_an_unknown_or_draft_strategy_is_a_404_and_stores_nothing(client, quiz, reader):
    client.force_login(reader)
    draft = quiz.strategies[0]
    draft.published = False
    draft.save()
    assert client.post("/toolkit/save/no-such-strategy/").status_code == 404
    assert client.post(f"/toolkit/save/{draft.slug}/").status_code == 404
    assert client.post("/toolkit/unsave/no-such-strategy/").status_code == 404
    assert counts() == (0, 0, 0)


def test_saving_by_get_is_refused(client, quiz, reader):
    client.force_login(reader)
    assert client.get("/toolkit/save/calm-breath/").status_code == 405
    assert counts() == (0, 0, 0)


def test_an_overlong_note_is_refused_and_the_old_note_is_kept(client, quiz, reader):
    client.force_login(reader)
    client.post("/toolkit/save/calm-breath/")
    client.post("/me/toolkit/calm-breath/note/", {"note": "first note"})

    response = client.post("/me/toolkit/calm-breath/note/", {"note": "y" * 5001})

    assert response.status_code == 400
    assert "The note was not saved" in response.content.decode()
    assert SavedStrategy.objects.get().note == "first note"


def test_a_save_never_redirects_off_site(client, quiz, reader):
    client.force_login(reader)
    response = client.post("/toolkit/save/calm-breath/", {"next": "https://evil.example/"})
    assert response["Location"] == "/strategies/calm-breath/"


def test_a_value_not_on_offer_is_named_in_the_summary_and_the_other_answers_are_kept(client, quiz):
    response = client.post(QUIZ, tamper(quiz, "out-of-range-high"))
    html = response.content.decode()
    assert "1 answer was not one this page offers, so nothing was saved." in html
    assert f'<a href="#sign-{quiz.signs[0].slug}-1">1. You show sign number 1</a>' in html
    assert "need an answer" not in html and "needs an answer" not in html
    assert html.count(" checked") == 14


def test_a_request_django_cannot_trust_gets_the_plain_400_page(client, db):
    response = client.get("/quiz/", HTTP_HOST="not-our-site.example")
    assert response.status_code == 400
    assert "That request was not understood" in response.content.decode()
