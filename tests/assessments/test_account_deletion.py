"""Deleting an account leaves nothing of the reader in any table, and everything of others.

The walk covers every table in the database (not a list kept by hand), so a new table that
holds readers' data fails here until deleting an account deletes it too.
"""

from __future__ import annotations

import json
import uuid

import pytest
from axes.models import AccessAttempt
from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.utils import timezone

from assessments import services
from assessments.models import ReaderSession, Subject
from tests.factories import make_user

MARK = "qz7mark"  # in everything the leaving reader writes, so any trace of it can be found
BROWSER = f"Reader-Browser/{MARK}"


def table_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def rows_mentioning(text: str) -> dict[str, int]:
    """Per table, rows with ``text`` anywhere in any column."""
    found = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT count(*) FROM {quoted} AS t WHERE strpos(row_to_json(t)::text, %s) > 0",
                [text],
            )
            if count := cursor.fetchone()[0]:
                found[table] = count
    return found


def rows_pointing_at(user_pk: int) -> dict[str, int]:
    """Per model, rows whose foreign key (or one-to-one key) to the user model holds this id."""
    found = {}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if (
                (getattr(field, "many_to_one", False) or getattr(field, "one_to_one", False))
                and field.concrete
                and field.related_model is not None
                and field.related_model._meta.label == settings.AUTH_USER_MODEL
            ):
                count = model._base_manager.filter(**{field.attname: user_pk}).count()
                if count:
                    found[f"{model._meta.db_table}.{field.column}"] = count
    return found


def sessions_signed_in_as(user_pk: int) -> int:
    """Sessions whose (encoded) data says this reader is signed in, whatever their columns."""
    return sum(
        1
        for session in ReaderSession.objects.all()
        if session.get_decoded().get(SESSION_KEY) == str(user_pk)
    )


def give_everything(quiz, user, browser: str) -> Client:
    """Results, answers, a toolkit with a note, a failed sign-in and two signed-in browsers."""
    for subject, value in ((Subject.SELF, 2), (Subject.PARTNER, 4)):
        services.result_create(
            owner=user,
            subject=subject,
            key=uuid.uuid4(),
            answers={sign.slug: value for sign in quiz.signs},
        )
    saved = services.strategy_save(owner=user, strategy=quiz.strategies[0])
    services.note_update(saved=saved, note=f"My private note {user.username}")
    Client(HTTP_USER_AGENT=browser, REMOTE_ADDR="10.9.9.9").post(
        "/accounts/login/", {"username": user.username, "password": "a-wrong-guess"}
    )
    here, elsewhere = Client(HTTP_USER_AGENT=browser), Client(HTTP_USER_AGENT=browser)
    # The other browser also holds quiz answers taken before signing in, not yet kept.
    elsewhere.post("/quiz/", quiz.post_data(3, key=uuid.uuid4()))
    for client in (here, elsewhere):
        client.post("/accounts/login/", {"username": user.username, "password": user.raw_password})
    return here


@pytest.mark.django_db(transaction=True)
def test_deleting_an_account_leaves_nothing_of_the_reader_in_any_table(quiz):
    leaving = make_user(f"leaving-{MARK}", email=f"{MARK}@example.org")
    staying = make_user("staying-reader", email="stay@example.org")
    here = give_everything(quiz, leaving, BROWSER)
    give_everything(quiz, staying, "Other-Browser/1.0")
    # Throttling records are per username and per address: a successful sign-in cleared
    # the leaving reader's failure, so record one that stays until the account goes.
    Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="10.9.9.8").post(
        "/accounts/login/", {"username": leaving.username, "password": "another-wrong-guess"}
    )
    assert AccessAttempt.objects.filter(username=leaving.username).count() == 1
    assert sessions_signed_in_as(leaving.pk) == 2
    assert ReaderSession.objects.filter(user_id=leaving.pk).count() == 2
    assert rows_mentioning(MARK)  # the walk does find the reader before deleting
    before = table_counts()
    staying_before = rows_pointing_at(staying.pk)

    response = here.post("/me/delete/", {"password": leaving.raw_password})

    assert response.status_code == 302
    assert rows_mentioning(MARK) == {}
    assert rows_pointing_at(leaving.pk) == {}
    assert sessions_signed_in_as(leaving.pk) == 0
    assert ReaderSession.objects.filter(user_id=leaving.pk).count() == 0
    # Exactly the reader's rows went, from exactly these tables; the other reader keeps all.
    after = table_counts()
    changed = {
        table: after[table] - before[table] for table in before if after[table] != before[table]
    }
    assert changed == {
        "auth_user": -1,
        "assessments_result": -2,
        "assessments_answer": -2 * len(quiz.signs),
        "assessments_savedstrategy": -1,
        "axes_accessattempt": -1,
        "assessments_readersession": -2,
    }
    assert rows_pointing_at(staying.pk) == staying_before
    assert sessions_signed_in_as(staying.pk) == 2


def test_the_export_holds_failed_sign_ins_and_sessions_as_the_privacy_page_says(
    client, quiz, reader
):
    Client(HTTP_USER_AGENT="Guessing-Browser/2.0", REMOTE_ADDR="10.1.2.3").post(
        "/accounts/login/", {"username": reader.username, "password": "a-wrong-guess"}
    )
    elsewhere = Client()
    elsewhere.post("/quiz/", quiz.post_data(4, key=uuid.uuid4(), subject="partner"))
    elsewhere.post(
        "/accounts/login/", {"username": reader.username, "password": reader.raw_password}
    )
    client.force_login(reader)
    # Signing in cleared the account's failures; one more wrong guess afterwards stays.
    Client(HTTP_USER_AGENT="Guessing-Browser/2.0", REMOTE_ADDR="10.1.2.3").post(
        "/accounts/login/", {"username": reader.username, "password": "another-guess"}
    )

    data = json.loads(client.get("/me/export/").content)

    attempt = AccessAttempt.objects.get(username=reader.username)
    assert data["failed_sign_ins"] == [
        {
            "last_failure_at": attempt.attempt_time.isoformat(),
            "failures": 1,
            "address": "10.1.2.3",
            "browser": "Guessing-Browser/2.0",
            "page": "/accounts/login/",
        }
    ]
    waiting = [s for s in data["sessions"] if s["quiz_answers_not_kept"]]
    assert len(data["sessions"]) == 2 and len(waiting) == 1
    assert waiting[0]["quiz_answers_not_kept"]["subject"] == "partner"
    assert set(waiting[0]["quiz_answers_not_kept"]["answers"].values()) == {4}
    privacy = client.get("/privacy/").content.decode()
    assert "the records of wrong passwords kept under your username" in privacy


@pytest.mark.django_db(transaction=True)
def test_deleting_a_linked_account_unlinks_silently_and_leaves_nothing_of_it(quiz, mailoutbox):
    from assessments import couples
    from assessments.couples_models import AgreementCopy, CoupleLink, PartnerInvite

    leaving = make_user(f"leaving-{MARK}")
    staying = make_user("staying-reader")
    # An invite withdrawn earlier, a private copy from an earlier link, and a live link with
    # shared choices and agreements: all the couple tables hold something of the leaver.
    couples.invite_create(inviter=leaving, display_name=f"Old name {MARK}")
    couples.invite_revoke(inviter=leaving)
    AgreementCopy.objects.create(
        owner=leaving,
        text=f"An earlier agreement {MARK}",
        written_by_name="Someone",
        written=timezone.now(),
        link_ended=timezone.now(),
    )
    _, token = couples.invite_create(inviter=staying, display_name="Stay")
    couples.invite_accept(token=token, user=leaving, display_name="Leaver")
    me = couples.couple_for(leaving).me
    partner_result = services.result_create(
        owner=leaving,
        subject=Subject.PARTNER,
        key=uuid.uuid4(),
        answers={sign.slug: 3 for sign in quiz.signs},
    )
    couples.sharing_update(
        member=me,
        share_self_result=True,
        partner_result_id=partner_result.pk,
        share_strategies=True,
    )
    couples.agreement_add(member=me, text="We say goodnight")
    assert rows_mentioning(MARK) and rows_pointing_at(leaving.pk)
    client = Client()
    client.force_login(leaving)

    client.post("/me/delete/", {"password": leaving.raw_password})

    assert rows_mentioning(MARK) == {}
    assert rows_pointing_at(leaving.pk) == {}
    assert not CoupleLink.objects.exists()
    assert mailoutbox == []  # silent
    assert list(AgreementCopy.objects.values_list("owner", "text", "written_by_name")) == [
        (staying.pk, "We say goodnight", "Leaver")
    ]
    assert PartnerInvite.objects.filter(inviter=staying).count() == 1
