import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils.dateformat import format as date_format

User = get_user_model()
LOGIN = "/accounts/login/"


def signup(client, username="newreader", password="a-long-passphrase-42", **extra):
    return client.post(
        "/accounts/signup/",
        {"username": username, "password1": password, "password2": password, **extra},
    )


def test_signing_up_needs_only_a_username_and_password_and_signs_you_in(client, db):
    response = signup(client)
    assert response.status_code == 302 and response["Location"] == "/me/"
    user = User.objects.get(username="newreader")
    assert user.email == ""
    assert client.get("/me/").context["user"] == user


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw", "at least 10 characters"),
        ("password123", "too common"),
        ("1234567890123", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(client, db, password, message):
    response = signup(client, password=password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_a_taken_username_is_refused(client, reader):
    response = signup(client, username=reader.username)
    assert "already exists" in response.content.decode()
    assert User.objects.count() == 1


def test_signing_in_and_out(client, reader):
    response = client.post(LOGIN, {"username": reader.username, "password": reader.raw_password})
    assert response["Location"] == "/me/"
    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/me/").status_code == 302


def test_a_wrong_password_says_so_plainly(client, reader):
    response = client.post(LOGIN, {"username": reader.username, "password": "wrong-password"})
    assert response.status_code == 200
    assert "do not match an account" in response.content.decode()


def test_changing_the_password(client, reader):
    client.force_login(reader)
    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": reader.raw_password,
            "new_password1": "another-long-passphrase",
            "new_password2": "another-long-passphrase",
        },
    )
    assert response["Location"] == "/accounts/password_change/done/"
    reader.refresh_from_db()
    assert reader.check_password("another-long-passphrase")


def test_resetting_a_forgotten_password_by_email(client, db):
    user = User.objects.create_user(
        "mailer", email="me@example.org", password="old-long-passphrase"
    )
    response = client.post("/accounts/password_reset/", {"email": "me@example.org"})
    assert response["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)[1]

    form_url = client.get(link)["Location"]  # Django swaps the token for a session marker
    response = client.post(
        form_url, {"new_password1": "brand-new-passphrase", "new_password2": "brand-new-passphrase"}
    )

    assert response["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password("brand-new-passphrase")


def fail_login(client, username, times):
    for _ in range(times):
        client.post(LOGIN, {"username": username, "password": "not-the-password"})


def pause_end(**lookup) -> str:
    """When the pause ends, as the page writes it: the last failure plus the pause length."""
    last = AccessAttempt.objects.filter(**lookup).latest("attempt_time").attempt_time
    return date_format(last + timedelta(minutes=15), "g:i A T")


def test_repeated_failed_sign_ins_pause_the_account_with_a_clear_page(client, reader):
    fail_login(Client(REMOTE_ADDR="10.0.0.7"), reader.username, 5)

    response = client.post(LOGIN, {"username": reader.username, "password": reader.raw_password})

    assert response.status_code == 429
    html = response.content.decode()
    ends = pause_end(username=reader.username)
    assert f"<h1>Signing in is paused until {ends}</h1>" in html
    assert "There were 5 wrong passwords in a row\n      for this account." in html
    assert "signing in to this account\n      is paused until" in html
    assert "about 15 minutes from now" in html
    assert "If you gave an email address when you created your account" in html
    assert "signs you in straight away, pause or not" in html
    assert (
        "If you did not give an email address, there is no other way in for now: "
        f"please try again after {ends}." in html
    )
    assert "lifts the pause" not in html
    assert "_auth_user_id" not in client.session


def test_the_pause_page_says_when_it_is_the_address_that_is_paused(reader):
    client = Client(REMOTE_ADDR="10.0.0.8")
    for n in range(5):
        client.post(LOGIN, {"username": f"guess-{n}", "password": "nope-nope-nope"})

    response = client.post(LOGIN, {"username": reader.username, "password": reader.raw_password})

    html = response.content.decode()
    assert response.status_code == 429
    assert f"<h1>Signing in is paused until {pause_end(ip_address='10.0.0.8')}</h1>" in html
    assert "from this network, for one account or several." in html
    assert "signing in from this network\n      is paused until" in html


def test_the_limits_the_pages_state_are_the_configured_ones(client, reader, settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_COOLOFF_TIME = timedelta(minutes=7)

    login_page = client.post(LOGIN, {"username": reader.username, "password": "wrong-password"})
    assert "after 3 failed tries in a row, signing in pauses for 7 minutes." in (
        login_page.content.decode()
    )
    privacy = client.get("/privacy/").content.decode()
    assert "After 3 wrong passwords in a row" in privacy
    assert "pauses for 7 minutes" in privacy
    assert "five" not in privacy and "15 minutes" not in privacy

    fail_login(client, reader.username, 2)
    paused = client.post(LOGIN, {"username": reader.username, "password": reader.raw_password})
    assert paused.status_code == 429
    assert "There were 3 wrong passwords in a row" in paused.content.decode()
    assert "about 7 minutes from now" in paused.content.decode()


def test_the_pause_is_per_account_from_any_address(reader):
    fail_login(Client(REMOTE_ADDR="10.0.0.1"), reader.username, 5)
    other_address = Client(REMOTE_ADDR="10.0.0.2")
    response = other_address.post(
        LOGIN, {"username": reader.username, "password": reader.raw_password}
    )
    assert response.status_code == 429


def test_the_pause_is_per_address_across_accounts(reader, other_reader):
    client = Client(REMOTE_ADDR="10.0.0.3")
    for n in range(5):
        client.post(LOGIN, {"username": f"guess-{n}", "password": "nope-nope-nope"})
    response = client.post(
        LOGIN, {"username": other_reader.username, "password": other_reader.raw_password}
    )
    assert response.status_code == 429
    # Someone else, elsewhere, signs in as usual.
    elsewhere = Client(REMOTE_ADDR="10.0.0.4")
    ok = elsewhere.post(LOGIN, {"username": reader.username, "password": reader.raw_password})
    assert ok.status_code == 302


def test_the_pause_ends_by_itself(client, reader):
    fail_login(client, reader.username, 5)
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )

    response = client.post(LOGIN, {"username": reader.username, "password": reader.raw_password})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(reader.pk)


def test_more_tries_during_a_pause_do_not_extend_it(client, reader):
    fail_login(client, reader.username, 5)
    started = AccessAttempt.objects.get().attempt_time
    fail_login(client, reader.username, 3)
    assert AccessAttempt.objects.get().attempt_time == started


def test_a_password_reset_signs_the_reader_in_whatever_pauses_a_stranger_caused(db):
    """Account and address both paused: the emailed link still gets the reader in."""
    user = User.objects.create_user("locked", email="l@example.org", password="old-long-passphrase")
    fail_login(Client(REMOTE_ADDR="10.0.0.9"), "locked", 5)
    client = Client(REMOTE_ADDR="10.0.0.10")
    for n in range(5):
        client.post(LOGIN, {"username": f"stranger-{n}", "password": "nope-nope-nope"})
    assert client.post(LOGIN, {"username": "locked", "password": "x"}).status_code == 429

    client.post("/accounts/password_reset/", {"email": "l@example.org"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)[1]
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url, {"new_password1": "brand-new-passphrase", "new_password2": "brand-new-passphrase"}
    )

    assert response["Location"] == "/accounts/reset/done/"
    assert client.session["_auth_user_id"] == str(user.pk)
    done = client.get("/accounts/reset/done/").content.decode()
    assert "You are signed in as <strong>locked</strong>" in done
    assert client.get("/me/").status_code == 200
    # The account's own pause is lifted: signing in from anywhere else works again.
    assert not AccessAttempt.objects.filter(username="locked").exists()
    elsewhere = Client(REMOTE_ADDR="10.0.0.11")
    response = elsewhere.post(LOGIN, {"username": "locked", "password": "brand-new-passphrase"})
    assert response.status_code == 302


def test_a_successful_sign_in_clears_earlier_failures(client, reader):
    fail_login(client, reader.username, 3)
    client.post(LOGIN, {"username": reader.username, "password": reader.raw_password})
    assert not AccessAttempt.objects.filter(username=reader.username).exists()


def test_signing_in_to_ones_own_account_never_clears_failures_on_another(reader, other_reader):
    """Guess 4 times at A, sign in to B from the same address, guess again: A is paused."""
    attacker = Client(REMOTE_ADDR="10.0.0.12")
    fail_login(attacker, reader.username, 4)
    response = attacker.post(
        LOGIN, {"username": other_reader.username, "password": other_reader.raw_password}
    )
    assert response.status_code == 302
    attacker.post("/accounts/logout/")
    # So does a brand-new account: signing up signs in too.
    assert signup(attacker, username="throwaway").status_code == 302
    attacker.post("/accounts/logout/")

    attempt = AccessAttempt.objects.get(username=reader.username)
    assert attempt.failures_since_start == 4

    fail_login(attacker, reader.username, 1)
    response = attacker.post(LOGIN, {"username": reader.username, "password": reader.raw_password})
    assert response.status_code == 429
    # The address stays counted too: a sixth account guessed from it is refused.
    response = attacker.post(
        LOGIN, {"username": other_reader.username, "password": other_reader.raw_password}
    )
    assert response.status_code == 429


def wrong_password_on(client, url, times, field="password", **extra):
    responses = []
    for _ in range(times):
        responses.append(client.post(url, {field: "not-my-password", **extra}))
    return responses


def test_wrong_passwords_when_deleting_the_account_are_throttled_like_sign_ins(client, reader):
    client.force_login(reader)
    responses = wrong_password_on(client, "/me/delete/", 5)
    assert [r.status_code for r in responses] == [400, 400, 400, 400, 429]

    # Paused: even the right password deletes nothing.
    response = client.post("/me/delete/", {"password": reader.raw_password})

    assert response.status_code == 429
    html = response.content.decode()
    assert "<h1>Password checks are paused until" in html
    assert "Nothing was changed or deleted" in html
    assert User.objects.filter(pk=reader.pk).exists()
    assert AccessAttempt.objects.get(username=reader.username).failures_since_start == 5
    # ...and signing in to that account from elsewhere waits too.
    other = Client(REMOTE_ADDR="10.0.0.13")
    response = other.post(LOGIN, {"username": reader.username, "password": reader.raw_password})
    assert response.status_code == 429


def test_wrong_passwords_when_changing_the_password_are_throttled_and_never_recorded(
    client, reader
):
    client.force_login(reader)
    new = {"new_password1": "secret-new-passphrase", "new_password2": "secret-new-passphrase"}
    responses = wrong_password_on(client, "/accounts/password_change/", 5, "old_password", **new)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert "Your old password was entered incorrectly" in responses[0].content.decode()

    response = client.post(
        "/accounts/password_change/", {"old_password": reader.raw_password, **new}
    )

    assert response.status_code == 429
    reader.refresh_from_db()
    assert reader.check_password(reader.raw_password)
    attempt = AccessAttempt.objects.get(username=reader.username)
    assert "secret-new-passphrase" not in attempt.post_data
    assert "not-my-password" not in attempt.post_data
