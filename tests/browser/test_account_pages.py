"""Every account and error page of the reader's space, audited by axe in Chromium."""

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from tests.conftest import assert_accessible
from tests.factories import make_quiz, make_user, take_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def forget_status_errors(page, statuses: set[int]) -> None:
    """Chromium logs an error status as a console error; those we caused are expected."""
    expected = [f"the server responded with a status of {status}" for status in statuses]
    page.watch.console_errors[:] = [
        error for error in page.watch.console_errors if not any(e in error for e in expected)
    ]


def sign_in(page, base, user):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(user.raw_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My space")


def test_password_pages_are_accessible(watched_page, live_server):
    user = make_user("pw-reader", email="pw@example.org")
    page, base = watched_page, live_server.url

    page.goto(base + "/accounts/password_reset/")
    assert_accessible(page)
    page.get_by_label("Email").fill("pw@example.org")
    page.get_by_role("button", name="Send me a reset link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)

    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    page.goto(f"{base}/accounts/reset/{uid}/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert_accessible(page)
    page.get_by_label("New password:", exact=True).fill("short")
    page.get_by_label("New password confirmation").fill("short")
    page.get_by_role("button", name="Set my new password").click()
    expect(page.get_by_text("This password is too short.", exact=False)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("New password:", exact=True).fill("a-fresh-long-passphrase")
    page.get_by_label("New password confirmation").fill("a-fresh-long-passphrase")
    page.get_by_role("button", name="Set my new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your new password is set")
    expect(page.get_by_text("You are signed in as pw-reader")).to_be_visible()
    assert_accessible(page)

    page.goto(f"{base}/accounts/reset/{uid}/{token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This reset link does not work")
    assert_accessible(page)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My space").click()
    page.get_by_role("link", name="Change my password").click()
    assert_accessible(page)
    page.get_by_label("Old password").fill("a-fresh-long-passphrase")
    page.get_by_label("New password:", exact=True).fill("yet-another-passphrase")
    page.get_by_label("New password confirmation").fill("yet-another-passphrase")
    page.get_by_role("button", name="Change my password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is changed")
    assert_accessible(page)


def test_result_note_and_error_pages_are_accessible(watched_page, live_server):
    quiz = make_quiz()
    user = make_user("pages-reader")
    result = take_quiz(quiz, user, 3)
    page, base = watched_page, live_server.url

    page.goto(base + "/quiz/result/")
    expect(page.get_by_role("heading", level=1)).to_have_text("There is no result in this browser")
    assert_accessible(page)

    sign_in(page, base, user)
    page.goto(f"{base}/me/results/{result.pk}/delete/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete this result?")
    assert_accessible(page)

    page.goto(base + "/me/toolkit/")
    expect(page.get_by_text("Nothing saved yet.")).to_be_visible()
    assert_accessible(page)

    # A forged form: the friendly 403 page.
    page.goto(base + "/quiz/")
    page.evaluate(
        """() => {
          const form = document.querySelector("form.quiz-form");
          form.querySelector("[name=csrfmiddlewaretoken]").value = "forged".repeat(11);
          form.submit();
        }"""
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("This form could not be accepted")
    assert_accessible(page)

    # An oversized post: the 413 page.
    page.goto(base + "/quiz/")
    page.evaluate(
        """() => {
          const form = document.querySelector("form.quiz-form");
          const big = document.createElement("input");
          big.type = "hidden";
          big.name = "big";
          big.value = "x".repeat(300 * 1024);
          form.appendChild(big);
          form.submit();
        }"""
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "That was more than this form accepts"
    )
    assert_accessible(page)
    forget_status_errors(page, {404, 403, 413})


def test_the_wait_after_wrong_passwords_is_clear_and_accessible(watched_page, live_server):
    user = make_user("locked-reader")
    page = watched_page
    for _ in range(5):
        page.goto(live_server.url + "/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Please wait 2 seconds before trying again"
    )
    expect(page.get_by_text("Your password was not checked this time.")).to_be_visible()
    expect(page.get_by_role("link", name="reset your password by email")).to_be_visible()
    assert_accessible(page)
    forget_status_errors(page, {429})


def test_the_page_for_too_many_searches_is_clear_and_accessible(watched_page, live_server):
    from config import ratelimit

    for _ in range(ratelimit.SEARCH.limit):
        ratelimit.hit(ratelimit.SEARCH.scope, "127.0.0.1", per=ratelimit.SEARCH.per)
    page = watched_page
    response = page.goto(live_server.url + "/search/?q=secure")
    assert response.status == 429
    assert response.headers["retry-after"].isdigit()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Please wait a little before trying again"
    )
    assert_accessible(page)
    forget_status_errors(page, {429})


def test_the_pause_on_password_checks_is_clear_and_accessible(watched_page, live_server):
    user = make_user("careful-reader")
    page, base = watched_page, live_server.url
    sign_in(page, base, user)
    for _ in range(6):
        page.goto(base + "/me/delete/")
        page.get_by_label("Your password").fill("not-the-password")
        page.get_by_role("button", name="Delete my account and everything in it").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Password checks are paused until \d{1,2}:\d\d [AP]M UTC$")
    )
    expect(page.get_by_text("Nothing was changed or deleted")).to_be_visible()
    assert_accessible(page)
    forget_status_errors(page, {400, 429})


def test_the_pause_for_new_browsers_is_clear_and_accessible(watched_page, live_server, settings):
    from config import ratelimit

    user = make_user("much-guessed")
    for _ in range(settings.SIGN_IN_ACCOUNT_LIMIT):
        ratelimit.hit("sign-in-account", user.username, per=3600)
    page = watched_page
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(user.raw_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(
            r"^Signing in to this account on a new browser is paused until \d{1,2}:\d\d [AP]M UTC$"
        )
    )
    expect(
        page.get_by_text("A browser where you have signed in to your account before")
    ).to_be_visible()
    assert_accessible(page)
    forget_status_errors(page, {429})
