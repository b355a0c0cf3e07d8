"""Practice, end to end in Chromium with axe on every page: from a result to a plan, a quick
and a full practice log, a repair log, the timeline, reminders on, the emailed confirmation,
and the one-click unsubscribe, signed out, from a real SMTP server's copy of the note."""

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from assessments.models import (
    Plan,
    PracticeEntry,
    ReminderSent,
    ReminderSubscription,
    RepairEntry,
)
from tests.conftest import assert_accessible
from tests.factories import make_quiz, make_user, take_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_result_plan_practice_repair_timeline_reminders_confirm_and_unsubscribe(
    watched_page,
    live_server,
    settings,
    smtp_server,
):
    settings.SITE_URL = live_server.url
    quiz = make_quiz()
    reader = make_user("practising-reader")
    result = take_quiz(quiz, reader, [1] * 5 + [4] * 5 + [3] * 5)
    page = watched_page
    base = live_server.url

    page.goto(f"{base}/accounts/login/?next=/me/results/{result.pk}/")
    page.get_by_label("Username").fill("practising-reader")
    page.get_by_label("Password").fill(reader.raw_password)
    page.get_by_role("button", name="Sign in").click()

    # The result offers a plan.
    assert page.url == f"{base}/me/results/{result.pk}/"
    assert_accessible(page)
    page.get_by_role("link", name="Start a 4-week plan").click()
    expect(page.get_by_text("Week 1: Calm Breath")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Start the plan").click()

    # The plan: this week, one press to log it.
    assert page.url == f"{base}/me/plan/"
    expect(page.get_by_role("heading", name="Week 1 of 4: Calm Breath")).to_be_visible()
    expect(page.get_by_text("Nothing logged for it yet this week")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="I practised this today").click()
    expect(page.get_by_text("You practised it 1 time this week")).to_be_visible()
    assert Plan.objects.get().owner == reader

    # The full log, one step more.
    page.get_by_role("link", name="Log it with details").click()
    assert page.get_by_label("Strategy").input_value() == "calm-breath"
    assert page.get_by_label("Date").input_value() == timezone.now().date().isoformat()
    assert_accessible(page)
    page.get_by_label("What was the situation?").fill("A slow reply to a message")
    page.get_by_label("Difficult, but I tried").check()
    page.get_by_label("Note (optional)").fill("<script>alert(1)</script> breathed first")
    page.get_by_role("button", name="Save").click()
    assert page.url == f"{base}/me/practice/"
    expect(page.get_by_text("<script>alert(1)</script> breathed first")).to_be_visible()
    expect(page.get_by_text("How it went: Difficult, but I tried")).to_be_visible()
    assert_accessible(page)
    assert PracticeEntry.objects.filter(owner=reader).count() == 2

    # The repair log.
    page.goto(f"{base}/me/")
    expect(page.get_by_text("Week 1 of 4: Calm Breath")).to_be_visible()
    expect(page.get_by_text("Practised 2 times this week.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="My repair log").click()
    assert_accessible(page)
    page.get_by_role("link", name="Record a repair").click()
    assert_accessible(page)
    page.get_by_label("What happened?").fill("We argued about plans for the weekend")
    page.get_by_role("checkbox", name="Hurt").check()
    page.get_by_label("Other feelings, in your own words (optional)").fill("tired")
    page.get_by_role("radio", name="Quick Apology").check()
    page.get_by_role("radio", name="Partly").check()
    page.get_by_role("button", name="Save").click()
    assert page.url == f"{base}/me/repairs/"
    assert page.get_by_role("link", name="Quick Apology").get_attribute("href") == (
        "/strategies/quick-apology/"
    )
    expect(page.get_by_role("link", name="in the repair section")).to_be_visible()
    assert_accessible(page)
    assert RepairEntry.objects.get().feelings == ["hurt"]

    # The timeline.
    page.goto(f"{base}/me/")
    page.get_by_role("link", name="My timeline: attempts and practice").click()
    expect(page.get_by_text("2 practices since your last attempt")).to_be_visible()
    assert page.get_by_role("img", name="Overall score at each attempt, and practices per week")
    assert_accessible(page)

    # Reminders on: a confirmation link arrives by email.
    page.goto(f"{base}/me/")
    page.get_by_role("link", name="Weekly reminder email").click()
    assert_accessible(page)
    now = timezone.now()
    page.get_by_label("Email address").fill("practising@example.com")
    page.get_by_label("Day").select_option(str(now.weekday()))
    page.get_by_label("Hour").select_option(str(now.hour))
    page.get_by_role("button", name="Send me a confirmation link").click()
    expect(
        page.get_by_text("Almost done: we sent a link to practising@example.com")
    ).to_be_visible()
    assert_accessible(page)
    [confirmation] = smtp_server.messages
    [link] = re.findall(r"http://\S+/reminders/confirm/\S+", confirmation.body)

    page.goto(link)
    assert_accessible(page)
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_role("heading", name="Your address is confirmed")).to_be_visible()
    assert_accessible(page)

    # The weekly note: due now (its moment set before this minute), sent once.
    ReminderSubscription.objects.update(schedule_set=now.replace(minute=0, second=0, microsecond=0))
    call_command("send_reminders", stdout=StringIO())
    call_command("send_reminders", stdout=StringIO())
    assert ReminderSent.objects.count() == 1
    note = smtp_server.messages[-1]
    assert note.subject == "Your weekly Secure Base note"
    assert "Calm Breath" not in note.body and "Quick Apology" not in note.body
    unsubscribe = note.message["List-Unsubscribe"][1:-1]

    # Unsubscribe, signed out.
    page.context.clear_cookies()
    page.goto(base + urlsplit(unsubscribe).path)
    expect(page.get_by_role("heading", name="Stop the weekly note?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Stop the weekly note").click()
    expect(page.get_by_role("heading", name="You will get no more notes")).to_be_visible()
    assert_accessible(page)
    assert ReminderSubscription.objects.get().status == "off"
    assert len(smtp_server.messages) == 2


@pytest.mark.browser_context_args(timezone_id="Asia/Tokyo")
def test_the_time_zone_setting_suggests_the_browsers_zone_and_works_without_it(
    watched_page, live_server
):
    from assessments.models import ReaderSettings

    reader = make_user("zone-reader")
    page = watched_page
    page.goto(f"{live_server.url}/accounts/login/?next=/me/time-zone/")
    page.get_by_label("Username").fill("zone-reader")
    page.get_by_label("Password").fill(reader.raw_password)
    page.get_by_role("button", name="Sign in").click()

    select = page.get_by_label("Your time zone")
    assert select.input_value() == "UTC"  # suggested, never chosen silently
    # The suggestion is written by the page's script once it has run: wait for it.
    expect(page.get_by_text("Your browser says you are in Asia/Tokyo.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Use Asia/Tokyo").click()
    assert select.input_value() == "Asia/Tokyo"
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_text("Your time zone is now Asia/Tokyo.")).to_be_visible()
    assert ReaderSettings.objects.get(owner=reader).time_zone == "Asia/Tokyo"
