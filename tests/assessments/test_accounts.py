import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

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
        "/accounts/password/change/",
        {
            "old_password": reader.raw_password,
            "new_password1": "another-long-passphrase",
            "new_password2": "another-long-passphrase",
        },
    )
    assert response["Location"] == "/accounts/password/change/done/"
    reader.refresh_from_db()
    assert reader.check_password("another-long-passphrase")


def test_resetting_a_forgotten_password_by_email(client, db):
    user = User.objects.create_user(
        "mailer", email="me@example.org", password="old-long-passphrase"
    )
    response = client.post("/accounts/password/reset/", {"email": "me@example.org"})
    assert response["Location"] == "/accounts/password/reset/sent/"
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


def test_repeated_failed_sign_ins_pause_the_account_with_a_clear_page(client, reader):
    fail_login(client, reader.username, 5)

    response = client.post(LOGIN, {"username": reader.username, "password": reader.raw_password})

    assert response.status_code == 429
    html = response.content.decode()
    assert "Signing in is paused for 15 minutes" in html
    assert "reset your password" in html
    assert "_auth_user_id" not in client.session


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


def test_a_password_reset_lifts_the_pause_on_the_account(client, db):
    user = User.objects.create_user("locked", email="l@example.org", password="old-long-passphrase")
    fail_login(Client(REMOTE_ADDR="10.0.0.9"), "locked", 5)
    client.post("/accounts/password/reset/", {"email": "l@example.org"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)[1]
    form_url = client.get(link)["Location"]
    client.post(
        form_url, {"new_password1": "brand-new-passphrase", "new_password2": "brand-new-passphrase"}
    )

    response = client.post(LOGIN, {"username": "locked", "password": "brand-new-passphrase"})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_a_successful_sign_in_clears_earlier_failures(client, reader):
    fail_login(client, reader.username, 3)
    client.post(LOGIN, {"username": reader.username, "password": reader.raw_password})
    assert not AccessAttempt.objects.filter(username=reader.username).exists()
