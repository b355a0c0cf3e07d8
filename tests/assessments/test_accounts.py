import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

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


def test_signing_up_marks_the_browser_as_the_readers_own(client, db):
    response = signup(client)
    assert response.cookies["sb_device"]["path"] == "/accounts/"


def test_a_signed_in_reader_sent_back_to_the_sign_in_page_is_told_where_they_stand(client, reader):
    """``?next=`` naming the sign-in page itself made Django raise (a 500) for a reader
    already signed in."""
    client.force_login(reader)

    response = client.get(f"{LOGIN}?next={LOGIN}", follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [("/me/", 302)]
    assert f"You are already signed in as {reader.username}." in response.content.decode()
