"""Deleting an account leaves nothing of the reader in any table, and everything of others;
the export holds every row the deletion removes.

The walks cover every table in the database (not a list kept by hand), so a new table that
holds readers' data fails here until deleting an account deletes it, and the export shows it.
"""

from __future__ import annotations

import json
import uuid
from datetime import date

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client

from assessments import practice, reminders, services
from assessments.models import (
    Feeling,
    Outcome,
    ReaderSession,
    ReminderSent,
    Repaired,
    Result,
    Subject,
)
from guide.models import Strategy
from tests.factories import make_agreement_copy, make_strategy, make_user, share

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
    give_practice(quiz, user)
    give_couple(user)
    Client(headers={"user-agent": browser}, REMOTE_ADDR="10.9.9.9").post(
        "/accounts/login/", {"username": user.username, "password": "a-wrong-guess"}
    )
    here, elsewhere = (
        Client(headers={"user-agent": browser}),
        Client(headers={"user-agent": browser}),
    )
    # The other browser also holds quiz answers taken before signing in, not yet kept.
    elsewhere.post("/quiz/", quiz.post_data(3, key=uuid.uuid4()))
    for client in (here, elsewhere):
        client.post("/accounts/login/", {"username": user.username, "password": user.raw_password})
    return here


def give_couple(user) -> None:
    """A partner link with an agreement, the invite that made it, and a copy from an earlier
    link."""
    from assessments import couples

    # The partner keeps their own account and their copy of the agreements: nothing of theirs
    # names the reader who leaves.
    partner = make_user(f"partner-{user.pk}")
    _, token = couples.invite_create(inviter=user, display_name=f"Inviter {user.pk}")
    couples.invite_accept(token=token, user=partner, display_name=f"Partner {user.pk}")
    couples.agreement_add(member=couples.couple_for(user).me, text=f"Agreement {user.pk}")
    make_agreement_copy(
        user, text=f"An earlier agreement of {user.username}", written_by_name="Someone"
    )


def give_practice(quiz, user) -> None:
    """A time zone, a plan, a practice and a repair entry, reminders and a queued reminder."""
    practice.time_zone_set(owner=user, name="Asia/Tokyo")
    self_result = Result.objects.owned_by(user).filter(subject=Subject.SELF).latest("created")
    practice.plan_start(owner=user, result_id=self_result.pk)
    today = practice.today_for(user)
    practice.practice_log(
        owner=user,
        strategy=quiz.strategies[0],
        day=today,
        situation=f"A practice of {user.username}",
        outcome=Outcome.GOOD,
        note=f"Practice note of {user.username}",
    )
    script = Strategy.objects.filter(path=Strategy.Path.REPAIR).first() or make_strategy(
        slug="a-repair-script", path=Strategy.Path.REPAIR
    )
    practice.repair_log(
        owner=user,
        day=today,
        what_happened=f"A rupture of {user.username}",
        feelings=[Feeling.HURT],
        feelings_other=f"Feeling of {user.username}",
        script=script,
        repaired=Repaired.PARTLY,
        next_time=f"Next time, {user.username}",
    )
    reminders.reminders_set(owner=user, email=user.email, weekday=2, hour=19)
    ReminderSent.objects.create(owner=user, iso_year=2026, iso_week=48)


@pytest.mark.django_db(transaction=True)
def test_deleting_an_account_leaves_nothing_of_the_reader_in_any_table(quiz):
    leaving = make_user(f"leaving-{MARK}", email=f"{MARK}@example.org")
    staying = make_user("staying-reader", email="stay@example.org")
    here = give_everything(quiz, leaving, BROWSER)
    give_everything(quiz, staying, "Other-Browser/1.0")
    # A wrong password leaves no row anywhere: it is only a short-lived count in the cache.
    Client(headers={"user-agent": BROWSER}, REMOTE_ADDR="10.9.9.8").post(
        "/accounts/login/", {"username": leaving.username, "password": "another-wrong-guess"}
    )
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
        "assessments_readersession": -2,
        "assessments_readersettings": -1,
        "assessments_plan": -1,
        "assessments_planweek": -4,
        "assessments_practiceentry": -1,
        "assessments_repairentry": -1,
        "assessments_remindersubscription": -1,
        "assessments_remindersent": -1,
        # Unlinking: the link, both sides of it and its agreements go; the partner gains a
        # private copy of the agreement as the reader's own copy goes (no net change).
        "assessments_partnerinvite": -1,
        "assessments_couplelink": -1,
        "assessments_couplemember": -2,
        "assessments_agreement": -1,
    }
    assert rows_pointing_at(staying.pk) == staying_before
    assert sessions_signed_in_as(staying.pk) == 2


def test_wrong_passwords_leave_no_record_of_the_reader_in_any_table(reader):
    before = table_counts()
    Client(headers={"user-agent": BROWSER}, REMOTE_ADDR="10.1.2.3").post(
        "/accounts/login/", {"username": reader.username, "password": "a-wrong-guess"}
    )
    assert table_counts() == before
    assert rows_mentioning(MARK) == {}
    assert rows_mentioning("10.1.2.3") == {}


def test_the_export_holds_sessions_as_the_privacy_page_says(client, quiz, reader):
    elsewhere = Client()
    elsewhere.post("/quiz/", quiz.post_data(4, key=uuid.uuid4(), subject="partner"))
    elsewhere.post(
        "/accounts/login/", {"username": reader.username, "password": reader.raw_password}
    )
    client.force_login(reader)

    data = json.loads(client.get("/me/export/").content)

    waiting = [s for s in data["sessions"] if s["quiz_answers_not_kept"]]
    assert len(data["sessions"]) == 2 and len(waiting) == 1
    assert waiting[0]["quiz_answers_not_kept"]["subject"] == "partner"
    assert set(waiting[0]["quiz_answers_not_kept"]["answers"].values()) == {4}
    assert "failed_sign_ins" not in data
    privacy = client.get("/privacy/").content.decode()
    assert "any quiz answers waiting in your signed-in sessions" in privacy
    assert "No password, name or address is kept in readable form" in privacy


# Columns of a reader's rows that the export leaves out on purpose, and why. Keys, ids and
# foreign keys are left out everywhere: they mean nothing outside this database.
NOT_EXPORTED = {
    "auth.user": {
        "password": "a one-way hash of the password: useless to the reader, and a risk if leaked",
        "is_active": "every account that can export is active",
        "is_staff": "readers are not staff; editors' rights are not reader data",
        "is_superuser": "as is_staff",
    },
    "assessments.result": {"key": "a random form key that stops a double submit storing twice"},
    "assessments.readersession": {
        "session_key": "a secret: whoever holds it is signed in as the reader",
        "session_data": "encoded; the export gives what it holds (answers not yet kept)",
        "user_id": "the account's id",
    },
    "assessments.repairentry": {
        "feelings": "exported as the words the reader picked (Hurt), not their stored codes",
        "repaired": "exported as its words (Partly), not its stored code",
    },
    "assessments.remindersubscription": {
        "weekday": "exported as the day's name (Wednesday), not its number",
        "token_key": "a secret that signs the confirm and unsubscribe links",
    },
    "assessments.partnerinvite": {"token_hash": "a hash of the link's secret, useless to anyone"},
    "assessments.couplemember": {
        "share_self_result": "given under i_share, beside the link's names",
        "share_strategies": "as share_self_result",
        "share_plan_focus": "as share_self_result",
    },
    "assessments.remindersent": {
        "iso_year": "given with the week, as 2026-W48",
        "iso_week": "as iso_year",
    },
}
# Test-only stand-ins for readers' data (tests/standin_readers), used by the guide's delete tests.
STAND_INS = {"standin_readers"}


def every_row() -> dict[str, dict[object, dict]]:
    """Per model (its label), every row as column values, keyed by primary key."""
    return {
        model._meta.label_lower: {
            row["pk"]: row
            for row in model._base_manager.values(
                "pk", *(field.attname for field in model._meta.concrete_fields)
            )
        }
        for model in apps.get_models(include_auto_created=True)
    }


def exported_value(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def records(data: object) -> list[set]:
    """Every object in the export, as the set of its plain values (strings, numbers)."""
    if isinstance(data, list):
        return [record for item in data for record in records(item)]
    if not isinstance(data, dict):
        return []
    own = {value for value in data.values() if isinstance(value, str | int | float)}
    return [own, *(record for value in data.values() for record in records(value))]


def models_pointing_at_readers() -> set[str]:
    return {
        model._meta.label_lower
        for model in apps.get_models()
        # The admin's log and the guide's tables (change notes, drafts) are editors', not readers',
        # and so are second-factor devices: only staff accounts can enrol one
        # (tests/test_staff_sign_in.py), and they go with the account (cascade).
        if model._meta.app_label not in STAND_INS | {"admin", "guide", "otp_totp", "otp_static"}
        for field in model._meta.concrete_fields
        if field.is_relation
        and field.related_model._meta.label == settings.AUTH_USER_MODEL
        and field.name != "history_user"  # the editor who changed guide content
    }


def test_the_export_holds_every_row_that_deleting_the_account_removes(quiz):
    leaving = make_user(f"leaving-{MARK}", email=f"{MARK}@example.org")
    staying = make_user("staying-reader", email="stay@example.org")
    here = give_everything(quiz, leaving, BROWSER)
    give_everything(quiz, staying, "Other-Browser/1.0")
    Client(headers={"user-agent": BROWSER}, REMOTE_ADDR="10.9.9.8").post(
        "/accounts/login/", {"username": leaving.username, "password": "another-wrong-guess"}
    )
    exported = records(json.loads(here.get("/me/export/").content))
    before = every_row()

    services.account_delete(user=leaving)

    after = every_row()
    removed = {
        label: [row for pk, row in rows.items() if pk not in after[label]]
        for label, rows in before.items()
        if rows.keys() - after[label].keys()
    }
    # Every table that points at readers held some of this reader's rows: all were filled.
    assert models_pointing_at_readers() <= removed.keys()
    assert {"assessments.readersession"} <= removed.keys()
    missing = []
    for label, rows in removed.items():
        model = apps.get_model(label)
        skipped = {"pk", model._meta.pk.attname, *NOT_EXPORTED.get(label, {})} | {
            field.attname for field in model._meta.concrete_fields if field.is_relation
        }
        for row in rows:
            values = {
                exported_value(value)
                for column, value in row.items()
                if column not in skipped and value not in (None, "")
            }
            assert values, f"{label}: nothing to look for in {row}"
            if not any(values <= record for record in exported):
                missing.append(f"{label}: {sorted(map(str, values))}")
    assert missing == [], "\n".join(
        ["rows not in the export (export them, or say why in NOT_EXPORTED)", *missing]
    )


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
    make_agreement_copy(leaving, text=f"An earlier agreement {MARK}", written_by_name="Someone")
    _, token = couples.invite_create(inviter=staying, display_name="Stay")
    couples.invite_accept(token=token, user=leaving, display_name="Leaver")
    me = couples.couple_for(leaving).me
    partner_result = services.result_create(
        owner=leaving,
        subject=Subject.PARTNER,
        key=uuid.uuid4(),
        answers={sign.slug: 3 for sign in quiz.signs},
    )
    share(
        leaving,
        share_self_result=True,
        partner_result_id=partner_result.pk,
        share_strategies=True,
        share_plan_focus=True,
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
