"""The quiz with an account, end to end in Chromium, with axe on every page."""

import json
import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from assessments import services
from assessments.models import Answer, Result, SavedStrategy
from tests.conftest import assert_accessible
from tests.factories import make_quiz, make_user, take_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_all(page, choices):
    questions = page.locator("fieldset.question")
    for index, choice in enumerate(choices):
        questions.nth(index).get_by_label(choice, exact=True).check()


def test_anonymous_quiz_then_account_retake_history_toolkit_export_and_delete(
    watched_page, live_server, tmp_path
):
    make_quiz()
    page = watched_page
    base = live_server.url

    # The quiz, anonymous, with the live count and the error summary.
    page.goto(base + "/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Signs quiz").click()
    assert page.get_by_role("heading", level=1).inner_text() == "The signs quiz"
    progress = page.locator("#quiz-progress")
    expect(progress).to_have_text("0 of 15 answered")
    assert_accessible(page)

    first_take = ["Not like me at all"] * 5 + ["Very much like me"] * 5 + ["Somewhat like me"] * 5
    answer_all(page, first_take[:14])
    expect(progress).to_have_text("14 of 15 answered")
    page.get_by_role("button", name="See the result").click()
    summary = page.locator(".error-summary")
    assert "1 of 15 signs needs an answer" in summary.inner_text()
    expect(summary).to_be_focused()
    assert_accessible(page)
    summary.get_by_role("link", name=re.compile("15. You show sign number 15")).click()
    assert page.evaluate("document.activeElement.id") == "sign-sign-15-1"
    assert page.locator("fieldset.question").nth(0).get_by_label("Not like me at all").is_checked()
    page.locator("fieldset.question").nth(14).get_by_label("Somewhat like me").check()
    expect(progress).to_have_text("15 of 15 answered")
    page.get_by_role("button", name="See the result").click()

    # The result, not yet saved.
    assert page.url == base + "/quiz/result/"
    assert "Overall: 50 out of 100" in page.locator("#overall-title").inner_text()
    expect(page.get_by_text("This result is not saved")).to_be_visible()
    expect(page.get_by_role("link", name="From anxious to secure")).to_be_visible()
    assert Result.objects.count() == 0
    assert_accessible(page)

    # Sign up from the result page: the result is kept.
    page.get_by_role("link", name="Create an account to keep it").click()
    expect(page.get_by_text("will be saved to your new account")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Username").fill("journey-reader")
    page.get_by_label("Password:", exact=True).fill("a-calm-long-passphrase")
    page.get_by_label("Password confirmation").fill("a-calm-long-passphrase")
    page.get_by_role("button", name="Create my account").click()
    assert re.search(r"/me/results/\d+/$", page.url)
    expect(page.get_by_text("Your quiz result is saved to your account.")).to_be_visible()
    first = Result.objects.get()
    assert (first.owner.username, first.overall) == ("journey-reader", 50)
    assert_accessible(page)

    # Retake.
    page.get_by_role("link", name="Take the quiz again").click()
    answer_all(page, ["Mostly like me"] * 15)
    # An impatient double click sends the same form twice: one result is stored.
    page.get_by_role("button", name="See the result").dblclick()
    # The second press aborts the first press's navigation: watch where the page lands,
    # not for one navigation to finish.
    expect(page).to_have_url(re.compile(r"/me/results/\d+/$"))
    assert "Overall: 75 out of 100" in page.locator("#overall-title").inner_text()
    assert Result.objects.count() == 2

    # History with its chart and table.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My space").click()
    chart = page.get_by_role("img", name=re.compile("^Trend of scores in the quiz about me"))
    expect(chart).to_be_visible()
    expect(page.get_by_role("table", name=re.compile("Every attempt about me"))).to_be_visible()
    expect(page.get_by_text("Up 25 points")).to_be_visible()
    assert page.locator(".change-up").count() >= 1
    assert_accessible(page)

    # Save a strategy from the first result's "Where to start".
    # Both attempts were taken today: the history tells them apart by their time.
    dated = re.compile(r"^\w{3} \d{1,2}, 2\d{3}, \d{1,2}:\d\d [AP]M( #\d)?$")
    page.get_by_role("link", name=dated).last.click()
    page.get_by_role("button", name="Save “Calm Breath” to my toolkit").click()
    expect(page.get_by_text("“Calm Breath” is in your toolkit.")).to_be_visible()
    expect(page.get_by_role("button", name="Remove “Calm Breath” from toolkit")).to_be_visible()
    assert SavedStrategy.objects.get().title == "Calm Breath"

    # A private note in the toolkit.
    page.get_by_role("link", name="My space").first.click()
    page.get_by_role("link", name=re.compile("My toolkit")).click()
    page.get_by_label("Private note on “Calm Breath”").fill("Helped before the big talk.")
    page.get_by_role("button", name="Save note on “Calm Breath”").click()
    expect(page.get_by_text("Your note on “Calm Breath” is saved.")).to_be_visible()
    assert_accessible(page)

    # Export everything.
    page.get_by_role("link", name="My space").first.click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download my data (JSON)").click()
    path = tmp_path / "export.json"
    download_info.value.save_as(path)
    data = json.loads(path.read_text())
    assert [r["overall"] for r in data["results"]] == [50, 75]
    assert data["toolkit"][0]["note"] == "Helped before the big talk."

    # Delete the account.
    page.get_by_role("link", name="Delete my account").click()
    assert_accessible(page)
    page.get_by_label("Your password").fill("a-calm-long-passphrase")
    page.get_by_role("button", name="Delete my account and everything in it").click()
    expect(page.get_by_text("Your account and everything in it are deleted.")).to_be_visible()
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Sign in")).to_be_visible()
    assert not get_user_model().objects.filter(username="journey-reader").exists()
    assert (Result.objects.count(), Answer.objects.count(), SavedStrategy.objects.count()) == (
        0,
        0,
        0,
    )


def test_partner_mode_works_without_javascript(browser, live_server):
    make_quiz()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/quiz/")
    page.get_by_role("link", name="Someone I’m dating or my partner").click()
    assert page.url.endswith("/quiz/?about=partner")
    assert page.locator("#quiz-progress").is_hidden()
    answer_all(page, ["Not much like them"] * 15)
    page.get_by_role("button", name="See the result").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your result about a partner"
    expect(page.get_by_role("link", name="Find support now")).to_be_visible()
    context.close()


def test_partner_quiz_and_result_pages_are_accessible(watched_page, live_server):
    make_quiz()
    page = watched_page
    page.goto(live_server.url + "/quiz/?about=partner")
    expect(page.locator("#quiz-progress")).to_have_text("0 of 15 answered")
    assert_accessible(page)
    answer_all(page, ["Very much like them"] * 7 + ["Not like them at all"] * 8)
    page.get_by_role("button", name="See the result").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your result about a partner")
    expect(page.get_by_role("link", name=re.compile("securely attached"))).to_be_visible()
    assert_accessible(page)


def test_the_readers_pages_are_accessible_on_a_phone_in_dark_mode(watched_page, live_server):
    quiz = make_quiz()
    reader = make_user("phone-reader")
    take_quiz(quiz, reader, [1, 2, 3, 4, 5] * 3, when=datetime(2026, 1, 5, tzinfo=UTC))
    latest = take_quiz(quiz, reader, [3, 4, 5, 4, 3] * 3, when=datetime(2026, 4, 5, tzinfo=UTC))
    saved = services.strategy_save(owner=reader, strategy=quiz.strategies[0])
    services.note_update(saved=saved, note="A note")

    page = watched_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.emulate_media(color_scheme="dark")
    page.goto(live_server.url + "/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Username").fill(reader.username)
    page.get_by_label("Password").fill(reader.raw_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My space")
    for url in ("/me/", f"/me/results/{latest.pk}/", "/me/toolkit/", "/privacy/", "/quiz/"):
        page.goto(live_server.url + url)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        assert scroll_width <= 390, f"{url} scrolls sideways on a phone"
        assert_accessible(page)


def test_back_after_sending_then_sending_again_stores_one_result(watched_page, live_server):
    make_quiz()
    reader = make_user("back-button-reader")
    page, base = watched_page, live_server.url
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(reader.username)
    page.get_by_label("Password").fill(reader.raw_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My space")

    page.goto(base + "/quiz/")
    answers = ["Mostly like me"] * 10 + ["Not much like me"] * 5
    answer_all(page, answers)
    page.get_by_role("button", name="See the result").click()
    page.wait_for_url(re.compile(r"/me/results/\d+/$"))
    stored = Result.objects.get()

    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("The signs quiz")
    # Whatever the browser restored, the live count matches the radios on the page.
    checked = page.locator("fieldset.question:has(input:checked)").count()
    expect(page.locator("#quiz-progress")).to_have_text(f"{checked} of 15 answered")
    answer_all(page, answers)
    expect(page.locator("#quiz-progress")).to_have_text("15 of 15 answered")
    page.get_by_role("button", name="See the result").click()

    page.wait_for_url(re.compile(r"/me/results/\d+/$"))
    assert page.url.endswith(f"/me/results/{stored.pk}/")
    assert Result.objects.count() == 1
    assert Answer.objects.count() == 15
