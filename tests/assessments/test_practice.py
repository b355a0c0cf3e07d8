"""Plans, the practice and repair logs, the time zone setting and the timeline."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from assessments import practice, services
from assessments.models import (
    Plan,
    PlanWeek,
    PracticeEntry,
    ReaderSettings,
    ReminderSubscription,
    RepairEntry,
    Subject,
)
from guide.models import ReflectionPrompt, Strategy
from tests.factories import make_strategy, take_quiz

pytestmark = pytest.mark.django_db


@pytest.fixture
def result(quiz, reader):
    # Anxious-side signs low: their strategies lead "Where to start".
    return take_quiz(quiz, reader, [1] * 5 + [4] * 5 + [3] * 5)


@pytest.fixture
def prompts(quiz):
    return [
        ReflectionPrompt.objects.create(
            slug=f"prompt-{sign.slug}-{n}", sign=sign, order=n, text=f"Prompt {n} for {sign.slug}?"
        )
        for sign in quiz.signs[:5]
        for n in (1, 2)
    ]


def start(client, result) -> None:
    response = client.post(f"/me/plan/from/{result.pk}/")
    assert response.status_code == 302


# -- plans ------------------------------------------------------------------------------------


def test_a_plan_takes_four_weeks_from_the_results_growth_edges(client, reader, result, prompts):
    client.force_login(reader)
    preview = client.get(f"/me/plan/from/{result.pk}/").content.decode()
    assert "Week 1: Calm Breath" in preview and "Week 2: Wait Ten Minutes" in preview

    start(client, result)

    plan = Plan.objects.get(owner=reader)
    weeks = list(plan.weeks.all())
    assert [w.strategy_slug for w in weeks][:2] == ["calm-breath", "wait-ten"]
    assert len(weeks) == 4 and len({w.strategy_slug for w in weeks}) == 4
    assert weeks[0].sign_slug == "sign-01"  # the growth edge it works on
    assert weeks[0].prompt_text == "Prompt 1 for sign-01?"
    assert weeks[1].prompt_text == "Prompt 2 for sign-01?"  # never the same prompt twice
    assert weeks[0].reading_url == "/guide/chapter-anxious/#calm-breath"
    assert plan.started_on == timezone.now().date()


def test_a_plan_never_starts_from_a_result_about_a_partner(client, quiz, reader):
    partner = take_quiz(quiz, reader, 1, subject=Subject.PARTNER)
    client.force_login(reader)
    assert "not one about a partner" in client.get(f"/me/plan/from/{partner.pk}/").content.decode()
    client.post(f"/me/plan/from/{partner.pk}/", follow=True)
    assert not Plan.objects.exists()


def test_a_reader_has_one_plan_at_a_time(client, reader, result):
    client.force_login(reader)
    start(client, result)
    response = client.post(f"/me/plan/from/{result.pk}/", follow=True)
    assert "You already have a plan under way" in response.content.decode()
    assert Plan.objects.filter(owner=reader).count() == 1
    with pytest.raises(practice.PlanError):
        practice.plan_start(owner=reader, result_id=result.pk)


def test_my_space_shows_this_weeks_focus_and_real_practice(client, reader, result):
    client.force_login(reader)
    start(client, result)
    for _ in range(3):
        client.post("/me/practice/today/", {"strategy": "calm-breath", "next": "/me/plan/"})
    client.post("/me/practice/today/", {"strategy": "body-scan"})

    html = client.get("/me/").content.decode()

    assert "Week 1 of 4: Calm Breath" in html
    assert "Practised 3 times this week." in html
    assert "streak" not in html.lower()


def test_the_week_moves_on_with_the_calendar_and_counts_that_weeks_entries(reader, result):
    plan = practice.plan_start(owner=reader, result_id=result.pk)
    today = timezone.now().date()
    Plan.objects.filter(pk=plan.pk).update(started_on=today - timedelta(days=8))
    plan.refresh_from_db()
    second = plan.weeks.get(number=2)
    strategy = Strategy.objects.get(slug=second.strategy_slug)
    practice.practice_log(owner=reader, strategy=strategy, day=today - timedelta(days=2))
    practice.practice_log(owner=reader, strategy=strategy, day=today - timedelta(days=7))

    progress = practice.plan_progress(plan, today=today)

    assert progress.number == 2
    assert progress.week_start == today - timedelta(days=1)
    assert progress.practised == 0  # both entries fall outside week 2's dates
    practice.practice_log(owner=reader, strategy=strategy, day=today)
    assert practice.plan_progress(plan, today=today).practised == 1


def test_pausing_keeps_the_week_and_resuming_carries_on_where_it_was(client, reader, result):
    client.force_login(reader)
    start(client, result)
    plan = Plan.objects.get()
    today = timezone.now().date()
    Plan.objects.filter(pk=plan.pk).update(started_on=today - timedelta(days=9))
    client.post("/me/plan/change/", {"action": "pause"})
    Plan.objects.filter(pk=plan.pk).update(paused_on=today - timedelta(days=5))
    plan.refresh_from_db()
    assert plan.status == "paused"
    assert practice.plan_progress(plan, today=today).number == 1  # paused on day 4

    client.post("/me/plan/change/", {"action": "resume"})

    plan.refresh_from_db()
    assert plan.status == "active"
    assert plan.started_on == today - timedelta(days=4)
    assert practice.plan_progress(plan, today=today).number == 1


def test_restart_begins_week_one_today_and_end_frees_the_reader_for_a_new_plan(
    client, reader, result
):
    client.force_login(reader)
    start(client, result)
    plan = Plan.objects.get()
    Plan.objects.filter(pk=plan.pk).update(started_on=timezone.now().date() - timedelta(days=20))

    client.post("/me/plan/change/", {"action": "restart"})
    plan.refresh_from_db()
    assert plan.started_on == timezone.now().date()

    client.post("/me/plan/change/", {"action": "end"})
    plan.refresh_from_db()
    assert plan.status == "ended" and plan.ended is not None
    start(client, result)
    assert Plan.objects.filter(owner=reader).count() == 2


def test_an_unknown_plan_action_changes_nothing(client, reader, result):
    client.force_login(reader)
    start(client, result)
    response = client.post("/me/plan/change/", {"action": "delete-everything"}, follow=True)
    assert "nothing was changed" in response.content.decode()
    assert Plan.objects.get().status == "active"


def test_a_week_can_be_swapped_for_any_strategy_and_refuses_unknown_ones(
    client, reader, result, quiz
):
    client.force_login(reader)
    start(client, result)

    bad = client.post("/me/plan/weeks/1/swap/", {"strategy": "no-such-strategy"})
    assert bad.status_code == 400
    assert "not in the guide" in bad.content.decode()
    assert PlanWeek.objects.get(number=1).strategy_slug == "calm-breath"

    client.post("/me/plan/weeks/1/swap/", {"strategy": "quick-apology"})
    week = PlanWeek.objects.get(number=1)
    assert (week.strategy_slug, week.strategy_title) == ("quick-apology", "Quick Apology")
    assert week.sign_slug == "sign-11"  # a sign it helps, the lowest rated, first in order
    assert week.reading_url == "/guide/chapter-repair/#quick-apology"
    assert client.get("/me/plan/weeks/5/swap/").status_code == 404


def test_the_plan_page_offers_no_streaks_or_missed_days(client, reader, result):
    client.force_login(reader)
    start(client, result)
    html = client.get("/me/plan/").content.decode()
    assert "Nothing logged for it yet this week: whenever you are ready" in html
    for word in ("streak", "missed", "failed", "behind"):
        assert word not in html.lower()


# -- the practice log ---------------------------------------------------------------------------


def valid_entry(**changes) -> dict:
    return {
        "date": timezone.now().date().isoformat(),
        "strategy": "calm-breath",
        "situation": "Waiting for a reply",
        "outcome": "2",
        "note": "",
        **changes,
    }


def test_the_date_defaults_to_today_in_the_readers_time_zone(client, reader, quiz):
    practice.time_zone_set(owner=reader, name="Pacific/Kiritimati")  # UTC+14
    client.force_login(reader)
    kiritimati_today = timezone.now().astimezone(practice.zone_of(reader)).date()

    html = client.get("/me/practice/new/?strategy=calm-breath").content.decode()
    assert f'value="{kiritimati_today.isoformat()}"' in html

    client.post("/me/practice/today/", {"strategy": "calm-breath"})
    assert PracticeEntry.objects.get().date == kiritimati_today


def test_a_day_ahead_is_accepted_and_later_dates_are_refused(client, reader, quiz):
    client.force_login(reader)
    today = timezone.now().date()

    ok = client.post("/me/practice/new/", valid_entry(date=(today + timedelta(days=1)).isoformat()))
    assert ok.status_code == 302
    refused = client.post(
        "/me/practice/new/", valid_entry(date=(today + timedelta(days=2)).isoformat())
    )
    assert refused.status_code == 400
    assert "That date is in the future" in refused.content.decode()
    assert PracticeEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"strategy": "no-such-strategy"}, "not in the guide"),
        ({"situation": "x" * 501}, "500 characters or fewer"),
        ({"note": "x" * 2001}, "2,000 characters or fewer"),
        ({"outcome": "9"}, "Choose one of the five answers"),
        ({"outcome": ""}, "any answer counts"),
        ({"date": "yesterday"}, "Enter a date like"),
        ({"date": "2020-01-01"}, "more than a year ago"),
    ],
)
def test_bad_practice_input_stores_nothing_and_says_why(client, reader, quiz, changes, message):
    client.force_login(reader)
    response = client.post("/me/practice/new/", valid_entry(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not PracticeEntry.objects.exists()


def test_quick_log_refuses_an_unknown_strategy(client, reader, quiz):
    client.force_login(reader)
    response = client.post("/me/practice/today/", {"strategy": "made-up"}, follow=True)
    assert "Nothing was logged" in response.content.decode()
    assert not PracticeEntry.objects.exists()


def test_i_practised_this_today_is_one_press_from_toolkit_strategy_page_and_plan(
    client, reader, result
):
    client.force_login(reader)
    client.post("/toolkit/save/calm-breath/")
    start(client, result)
    for page in ("/me/toolkit/", "/strategies/calm-breath/", "/me/plan/"):
        html = client.get(page).content.decode()
        assert 'action="/me/practice/today/"' in html, page
        assert 'value="calm-breath"' in html, page
        assert "/me/practice/new/?strategy=calm-breath" in html, page  # the full form, a step on
        response = client.post("/me/practice/today/", {"strategy": "calm-breath", "next": page})
        assert response["Location"] == page
    assert PracticeEntry.objects.filter(owner=reader).count() == 3


def test_signed_out_strategy_pages_carry_no_practice_form(client, quiz):
    html = client.get("/strategies/calm-breath/").content.decode()
    assert "/me/practice/today/" not in html


def test_entries_can_be_edited_and_deleted(client, reader, quiz):
    client.force_login(reader)
    client.post("/me/practice/today/", {"strategy": "calm-breath"})
    entry = PracticeEntry.objects.get()
    assert entry.is_quick

    client.post(f"/me/practice/{entry.pk}/", valid_entry(situation="At dinner", outcome="5"))
    entry.refresh_from_db()
    assert (entry.situation, entry.outcome) == ("At dinner", 5)

    assert client.get(f"/me/practice/{entry.pk}/delete/").status_code == 200
    client.post(f"/me/practice/{entry.pk}/delete/")
    assert not PracticeEntry.objects.exists()


def test_the_log_is_listed_by_iso_week_and_shows_text_escaped(client, reader, quiz):
    calm = quiz.strategies[0]
    practice.practice_log(
        owner=reader, strategy=calm, day=date.today() - timedelta(days=7), situation="<b>x</b>"
    )
    practice.practice_log(owner=reader, strategy=calm, day=date.today())
    client.force_login(reader)

    html = client.get("/me/practice/").content.decode()

    this_week = date.today() - timedelta(days=date.today().weekday())
    last_week = this_week - timedelta(days=7)
    assert f"Week of {this_week:%B} {this_week.day}, {this_week.year}" in html
    assert html.index(f"Week of {this_week:%B} {this_week.day}") < html.index(
        f"Week of {last_week:%B} {last_week.day}"
    )
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


def test_iso_weeks_follow_the_iso_calendar_across_a_new_year():
    entries = [
        PracticeEntry(date=date(2026, 12, 31), strategy_title="a"),
        PracticeEntry(date=date(2027, 1, 3), strategy_title="b"),
        PracticeEntry(date=date(2027, 1, 4), strategy_title="c"),
    ]
    weeks = practice.by_iso_week(entries)
    assert [(w.iso_year, w.iso_week, len(w.entries)) for w in weeks] == [
        (2027, 1, 1),
        (2026, 53, 2),
    ]
    assert weeks[1].label == "Week of December 28, 2026"


# -- time zone --------------------------------------------------------------------------------


def test_the_time_zone_is_a_select_of_iana_zones_defaulting_to_utc(client, reader):
    client.force_login(reader)
    html = client.get("/me/time-zone/").content.decode()
    assert '<option value="UTC" selected>' in html
    assert '<option value="Asia/Tokyo">' in html and "US/Pacific" not in html
    assert "data-suggest-zone" in html and "js/time-zone.js" in html

    client.post("/me/time-zone/", {"time_zone": "America/Los_Angeles"})
    assert ReaderSettings.objects.get(owner=reader).time_zone == "America/Los_Angeles"

    bad = client.post("/me/time-zone/", {"time_zone": "Mars/Olympus_Mons"})
    assert bad.status_code == 400 and "Choose a time zone from the list" in bad.content.decode()
    assert ReaderSettings.objects.get(owner=reader).time_zone == "America/Los_Angeles"


# -- the repair log ---------------------------------------------------------------------------


def valid_repair(**changes) -> dict:
    return {
        "date": timezone.now().date().isoformat(),
        "what_happened": "We argued about the dishes",
        "feelings": ["hurt", "angry"],
        "feelings_other": "",
        "script": "quick-apology",
        "repaired": "partly",
        "next_time": "Take a break sooner",
        **changes,
    }


def test_a_repair_entry_links_to_the_repair_section_and_its_script(client, reader, quiz):
    client.force_login(reader)
    response = client.post("/me/repairs/new/", valid_repair())
    assert response.status_code == 302

    entry = RepairEntry.objects.get()
    assert entry.feelings == ["hurt", "angry"] and entry.repaired == "partly"
    html = client.get("/me/repairs/").content.decode()
    assert 'href="/strategies/quick-apology/"' in html
    assert 'href="/guide/chapter-repair/#quick-apology"' in html
    assert "Felt: Hurt, Angry" in html and "Repaired: Partly" in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"script": "calm-breath"}, "Choose one of the guide&#x27;s repair scripts"),
        ({"script": "nope"}, "Choose one of the guide&#x27;s repair scripts"),
        ({"feelings": ["smug"]}, "Choose feelings from the list"),
        ({"feelings": [], "feelings_other": ""}, "Choose at least one feeling"),
        ({"repaired": "maybe"}, "Choose yes, partly or not yet"),
        ({"what_happened": "x" * 2001}, "2,000 characters or fewer"),
        ({"date": (date.today() + timedelta(days=3)).isoformat()}, "in the future"),
    ],
)
def test_bad_repair_input_stores_nothing(client, reader, quiz, changes, message):
    client.force_login(reader)
    response = client.post("/me/repairs/new/", valid_repair(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RepairEntry.objects.exists()


def test_own_words_alone_are_enough_and_entries_can_be_edited_and_deleted(client, reader, quiz):
    client.force_login(reader)
    client.post("/me/repairs/new/", valid_repair(feelings=[], feelings_other="<i>unseen</i>"))
    entry = RepairEntry.objects.get()
    assert "&lt;i&gt;unseen&lt;/i&gt;" in client.get("/me/repairs/").content.decode()

    client.post(f"/me/repairs/{entry.pk}/", valid_repair(repaired="yes"))
    entry.refresh_from_db()
    assert entry.repaired == "yes"
    client.post(f"/me/repairs/{entry.pk}/delete/")
    assert not RepairEntry.objects.exists()


# -- the timeline -----------------------------------------------------------------------------


def test_the_timeline_counts_practice_between_attempts_and_since_the_last(client, quiz, reader):
    calm = quiz.strategies[0]
    now = timezone.now()
    take_quiz(quiz, reader, 2, when=now - timedelta(days=60))
    for days_ago in (50, 40, 35):
        practice.practice_log(
            owner=reader, strategy=calm, day=(now - timedelta(days=days_ago)).date()
        )
    take_quiz(quiz, reader, 3, when=now - timedelta(days=30))
    for days_ago in (3, 1):
        practice.practice_log(
            owner=reader, strategy=calm, day=(now - timedelta(days=days_ago)).date()
        )
    take_quiz(quiz, reader, 1, subject=Subject.PARTNER)  # about a partner: not on this timeline
    client.force_login(reader)

    html = client.get("/me/timeline/").content.decode()

    assert "2 practices since your last attempt" in html
    assert "<td>3</td>" in html  # between the two attempts
    assert "Up 25 points" in html  # 25 to 50: beyond the noise
    assert "does not show that one caused the other" in html
    assert "<svg" in html and "<table" in html


def test_a_move_within_the_noise_is_not_called_change(client, quiz, reader):
    now = timezone.now()
    take_quiz(quiz, reader, [3] * 15, when=now - timedelta(days=60))
    take_quiz(quiz, reader, [3] * 14 + [5], when=now - timedelta(days=10))  # 50 -> 53
    client.force_login(reader)
    html = client.get("/me/timeline/").content.decode()
    assert "Within normal variation" in html and "Up 3" not in html
    assert "less than 10 points" in html


def test_a_retake_within_four_weeks_gets_a_gentle_note(client, quiz, reader):
    now = timezone.now()
    take_quiz(quiz, reader, 2, when=now - timedelta(days=12))
    take_quiz(quiz, reader, 2, when=now - timedelta(days=2))
    client.force_login(reader)
    html = client.get("/me/timeline/").content.decode()
    assert "Taken 10 days after the one before." in html
    assert "Waiting about four weeks between attempts helps" in html


def test_no_note_for_a_retake_after_four_weeks(client, quiz, reader):
    now = timezone.now()
    take_quiz(quiz, reader, 2, when=now - timedelta(days=40))
    take_quiz(quiz, reader, 2, when=now - timedelta(days=2))
    client.force_login(reader)
    assert "Waiting about four weeks" not in client.get("/me/timeline/").content.decode()


def test_the_timeline_stays_within_its_query_budget(
    client, quiz, reader, django_assert_max_num_queries
):
    for month in range(1, 7):
        take_quiz(quiz, reader, 1 + month % 5, when=datetime(2026, month, 1, tzinfo=UTC))
        practice.practice_log(owner=reader, strategy=quiz.strategies[0], day=date.today())
    client.force_login(reader)
    # session, user, time zone, results, practice dates
    with django_assert_max_num_queries(5):
        assert client.get("/me/timeline/").status_code == 200


def test_my_space_with_a_plan_stays_within_its_query_budget(
    client, reader, result, django_assert_max_num_queries, fetch_raise
):
    practice.plan_start(owner=reader, result_id=result.pk)
    client.force_login(reader)
    # session, user, results, toolkit/plan/zone in one, plan, its weeks, this week's practice
    with django_assert_max_num_queries(7):
        assert client.get("/me/").status_code == 200


# -- export and deletion ----------------------------------------------------------------------


@pytest.fixture
def practising(client, reader, result):
    client.force_login(reader)
    practice.time_zone_set(owner=reader, name="Europe/Berlin")
    start(client, result)
    client.post("/me/practice/new/", valid_entry(note="private practice note"))
    client.post("/me/repairs/new/", valid_repair(what_happened="private rupture"))
    client.post("/me/reminders/", {"email": "me@example.com", "weekday": "2", "hour": "19"})
    return reader


def test_the_export_holds_plans_entries_repairs_and_reminder_settings(client, practising):
    data = json.loads(client.get("/me/export/").content)
    assert data["settings"] == {"time_zone": "Europe/Berlin"}
    [plan] = data["plans"]
    assert plan["status"] == "active" and len(plan["weeks"]) == 4
    assert plan["weeks"][0]["strategy"] == "calm-breath"
    assert data["practice_entries"][0]["note"] == "private practice note"
    assert data["practice_entries"][0]["how_it_went"] == "Difficult, but I tried"
    assert data["repair_entries"][0]["what_happened"] == "private rupture"
    assert data["repair_entries"][0]["feelings"] == ["Hurt", "Angry"]
    assert data["reminders"]["email"] == "me@example.com"
    assert (data["reminders"]["weekday"], data["reminders"]["hour"]) == ("Wednesday", 19)


def test_deleting_the_account_deletes_all_practice(client, practising):
    services.account_delete(user=practising)
    for model in (Plan, PlanWeek, PracticeEntry, RepairEntry, ReminderSubscription, ReaderSettings):
        assert not model.objects.exists(), model


def test_an_editor_cannot_delete_a_strategy_a_readers_plan_or_log_points_to(reader, result):
    from guide.references_from_readers import reader_references

    practice.plan_start(owner=reader, result_id=result.pk)
    calm = Strategy.objects.get(slug="calm-breath")
    labels = {reference.label for reference in reader_references(calm)}
    assert "plan week" in labels or "plan weeks" in labels
    unused = make_strategy(slug="unused")
    assert reader_references(unused) == []


# -- reflection prompts, the privacy page ----------------------------------------------------


def test_draft_prompts_are_never_given_to_a_plan(reader, result, prompts):
    ReflectionPrompt.objects.filter(sign__slug="sign-01").update(published=False)
    plan = practice.plan_start(owner=reader, result_id=result.pk)
    first = plan.weeks.get(number=1)
    assert first.prompt is None and first.prompt_text == practice.DEFAULT_PROMPT


def test_a_prompt_keeps_its_wording_in_the_plan_after_editors_change_it(
    client, reader, result, prompts
):
    practice.plan_start(owner=reader, result_id=result.pk)
    ReflectionPrompt.objects.filter(slug="prompt-sign-01-1").update(text="Reworded since")
    client.force_login(reader)
    html = client.get("/me/plan/").content.decode()
    assert "Prompt 1 for sign-01?" in html and "Reworded since" not in html


def test_the_privacy_page_says_what_practice_stores(client):
    html = client.get("/privacy/").content.decode()
    for stored in (
        "Your time zone",
        "Your plans.",
        "Your practice log.",
        "Your repair log.",
        "Your weekly reminder",
        "never your address",
        "a note still queued for a deleted account is never sent",
    ):
        assert stored in html, stored
