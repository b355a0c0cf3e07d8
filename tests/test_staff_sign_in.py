"""Staff second factor: the admin refuses a password alone, enrolment links work once for 24
hours, recovery codes work once, and sign-ins are logged without passwords or codes."""

from __future__ import annotations

import logging
import time
from io import StringIO
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from assessments.devices import DEVICE_COOKIE
from assessments.throttling import DEVICE_FAILURE_LIMIT, FREE_FAILURES
from config import staff
from tests.factories import (
    enrol_through_link,
    link_in,
    make_editor,
    make_second_factor,
    make_section,
    make_user,
    staff_login,
    totp_code,
)

pytestmark = pytest.mark.django_db
ADMIN = "/admin/"
LOGIN = "/admin/login/?next=/admin/"


def sign_in(client, user, code: str = ""):
    return client.post(
        LOGIN,
        {"username": user.get_username(), "password": user.raw_password, "otp_token": code},
    )


def path_of(link: str) -> str:
    return urlsplit(link).path


def wrong_code_for(device) -> str:
    return "000000" if totp_code(device) != "000000" else "111111"


def enrol_command(username: str) -> str:
    out = StringIO()
    call_command("enrol_staff", username, stdout=out)
    return out.getvalue()


def test_a_staff_account_without_a_second_factor_is_refused_by_the_admin(client):
    editor = make_editor()

    response = sign_in(client, editor, "123456")

    assert response.status_code == 200
    assert "has no second factor yet" in response.content.decode()
    assert client.get(ADMIN).status_code == 302


def test_a_password_alone_never_opens_the_admin_nor_drafts(client):
    editor = make_editor()
    make_second_factor(editor)
    make_section(slug="draft", published=False)

    refused = sign_in(client, editor)
    assert refused.status_code == 200
    assert "This field is required" in refused.content.decode()
    assert "no second factor" not in refused.content.decode()
    recovery_shaped = sign_in(client, editor, "abcd2345")  # no recovery codes on this account
    assert "That code is not right" in recovery_shaped.content.decode()
    # Signed in through the readers' sign-in with the password: still not staff for the admin.
    client.post("/accounts/login/", {"username": editor.username, "password": editor.raw_password})
    assert client.get(ADMIN)["Location"].startswith("/admin/login/")
    assert client.get("/guide/draft/").status_code == 404
    page = client.get(LOGIN).content.decode()
    assert "needs your second factor too" in page


def test_the_apps_code_opens_the_admin_and_a_wrong_one_does_not(client):
    editor = make_editor()
    device = make_second_factor(editor)

    wrong = sign_in(client, editor, "000000" if totp_code(device) != "000000" else "111111")
    assert "That code is not right" in wrong.content.decode()
    assert client.get(ADMIN).status_code == 302

    device.throttle_reset()
    right = sign_in(client, editor, totp_code(device))
    assert right.status_code == 302 and right["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_a_recovery_code_signs_in_once(client):
    editor = make_editor()
    make_second_factor(editor)
    codes = staff.recovery_codes_replace(user=editor)
    assert len(codes) == 10 and len(set(codes)) == 10

    assert sign_in(client, editor, codes[0].upper()).status_code == 302
    assert Client().get(ADMIN).status_code == 302  # another browser is not signed in
    again = sign_in(Client(), editor, codes[0])
    assert "That code is not right" in again.content.decode()
    assert StaticToken.objects.filter(device__user=editor).count() == 9


def test_an_enrolment_link_works_once(client):
    editor = make_editor()
    link = link_in(enrol_command(editor.username))

    device, codes = enrol_through_link(Client(), link, editor.raw_password)

    assert device.confirmed and len(codes) == 10
    spent = client.get(path_of(link))
    assert spent.status_code == 410
    assert "expired or has already been used" in spent.content.decode()
    assert client.post(path_of(link)).status_code == 410
    assert TOTPDevice.objects.filter(user=editor).count() == 1
    assert sign_in(client, editor, totp_code(device)).status_code == 302


def test_pressing_start_spends_the_link_and_a_second_visitor_gets_nothing():
    editor = make_editor()
    path = path_of(link_in(enrol_command(editor.username)))
    first, second = Client(), Client()

    assert first.post(path).status_code == 302
    assert second.get(path).status_code == 410
    assert second.post(path).status_code == 410
    assert second.get(reverse("admin:staff-enrol-setup")).status_code == 410


def test_an_enrolment_link_expires_after_24_hours():
    editor = make_editor()
    path = path_of(link_in(enrol_command(editor.username)))
    later = time.time() + 24 * 3600 + 60

    with mock.patch("django.core.signing.time.time", return_value=later):
        response = Client().get(path)

    assert response.status_code == 410
    assert Client().get(path).status_code == 200  # the same link, within the day


def test_finishing_needs_the_accounts_password_and_the_apps_code():
    editor = make_editor()
    path = path_of(link_in(enrol_command(editor.username)))
    browser = Client()
    setup = browser.post(path)["Location"]
    device = TOTPDevice.objects.get(user=editor, confirmed=False)

    wrong_password = browser.post(setup, {"password": "not-it-at-all", "code": totp_code(device)})
    assert "not this account" in wrong_password.content.decode()
    wrong_code = browser.post(setup, {"password": editor.raw_password, "code": "12ab56"})
    assert "Enter the six digits" in wrong_code.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not TOTPDevice.objects.filter(user=editor, confirmed=True).exists()

    done = browser.post(setup, {"password": editor.raw_password, "code": totp_code(device)})
    assert done.status_code == 200
    assert "no-store" in done["Cache-Control"]
    assert browser.get(ADMIN).status_code == 200  # signed in, with the new device


def test_re_enrolment_replaces_the_lost_phone_and_the_old_recovery_codes():
    editor = make_editor()
    old = make_second_factor(editor)
    old_codes = staff.recovery_codes_replace(user=editor)

    out = enrol_command(editor.username)
    assert "now has an authenticator app and 10 recovery codes" in out
    new, new_codes = enrol_through_link(Client(), link_in(out), editor.raw_password)

    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert set(new_codes).isdisjoint(old_codes)
    assert sign_in(Client(), editor, old_codes[0]).status_code == 200
    assert sign_in(Client(), editor, totp_code(new)).status_code == 302


def test_the_enrolment_command_refuses_readers_and_unknown_names():
    make_user("reader-one")
    with pytest.raises(CommandError, match="not an active staff account"):
        enrol_command("reader-one")
    with pytest.raises(CommandError, match="no account named"):
        enrol_command("nobody")


def test_the_link_carries_the_configured_site_address(settings):
    settings.SITE_URL = "https://securebase.example"
    editor = make_editor()
    assert link_in(enrol_command(editor.username)).startswith(
        "https://securebase.example/admin/enrol/"
    )


def test_staff_sign_ins_are_logged_without_passwords_or_codes(client, caplog):
    editor = make_editor(password="lantern-river-stone-42")
    device = make_second_factor(editor)
    codes = staff.recovery_codes_replace(user=editor)
    wrong = wrong_code_for(device)
    right = totp_code(device)

    with caplog.at_level(logging.INFO):
        sign_in(client, editor, wrong)
        client.post(LOGIN, {"username": editor.username, "password": "a-wrong-guess-9"})
        device.throttle_reset()
        sign_in(client, editor, right)
        sign_in(Client(), editor, codes[0])

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"Staff sign-in refused: account={editor.username} reason=wrong code" in logged
    assert f"Staff sign-in refused: account={editor.username} reason=password" in logged
    assert f"Staff sign-in: account={editor.username} method=authenticator app" in logged
    assert "method=recovery code address=127.0.0.1 recovery_codes_left=9" in logged
    for secret in ("lantern-river-stone-42", "a-wrong-guess-9", wrong, right, codes[0]):
        assert secret not in logged
        assert all(secret not in str(record.args) for record in caplog.records)


def test_a_mistyped_password_in_the_username_box_is_never_logged(client, caplog):
    with caplog.at_level(logging.INFO):
        client.post(LOGIN, {"username": "my-secret-passphrase", "password": "x", "otp_token": "1"})
    assert "my-secret-passphrase" not in caplog.text
    assert "account=(not a staff account) reason=password" in caplog.text
    assert "127.0.0.1" not in caplog.text


def test_superusers_see_no_reader_data_nor_staff_secrets_in_the_user_admin(admin_user):
    from tests.factories import make_quiz, take_quiz

    reader = make_user("reader-one")
    take_quiz(make_quiz(), reader, 4)
    editor = make_editor()
    device = make_second_factor(editor)
    client = Client()
    staff_login(client, admin_user)

    index = client.get(ADMIN).content.decode()
    for name in ("TOTP", "Static", "otp_", "Quiz results", "Access attempts"):
        assert name not in index
    page = client.get(reverse("admin:auth_user_change", args=[reader.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "reader-one" in html
    for reader_data in ("You show sign number", "Calm Breath", "score"):
        assert reader_data not in html
    editor_page = client.get(reverse("admin:auth_user_change", args=[editor.pk])).content.decode()
    assert device.key not in editor_page
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


def test_wrong_codes_count_toward_the_sign_in_pause_like_wrong_passwords(limits_clock):
    """The right password with a wrong code is still a failed sign-in: a browser new to the
    account waits after the free tries, even with the right code, unchecked."""
    editor = make_editor()
    device = make_second_factor(editor)
    stranger = Client(REMOTE_ADDR="10.0.0.50")

    for _ in range(FREE_FAILURES + 1):
        device.throttle_reset()
        wrong = sign_in(stranger, editor, wrong_code_for(device))
        assert wrong.status_code == 200
        assert "That code is not right" in wrong.content.decode()

    device.throttle_reset()
    paused = sign_in(stranger, editor, totp_code(device))
    assert paused.status_code == 429
    assert paused["Retry-After"] == "2"
    assert stranger.get(ADMIN).status_code == 302
    limits_clock.advance(2)
    assert sign_in(stranger, editor, totp_code(device)).status_code == 302


def test_wrong_codes_on_the_editors_own_browser_pause_only_that_browser(limits_clock):
    editor = make_editor()
    device = make_second_factor(editor)
    mine = Client(REMOTE_ADDR="192.0.2.60")
    assert sign_in(mine, editor, totp_code(device)).status_code == 302
    mine.post(reverse("admin:logout"))
    assert DEVICE_COOKIE in mine.cookies  # signing out keeps it (no "cookies" in Clear-Site-Data)

    for _ in range(DEVICE_FAILURE_LIMIT):
        device.throttle_reset()
        assert sign_in(mine, editor, wrong_code_for(device)).status_code == 200

    device.throttle_reset()
    paused = sign_in(mine, editor, totp_code(device))
    assert paused.status_code == 429
    assert "<h1>Signing in on this browser is paused until" in paused.content.decode()
    # Counted for that browser alone: another on the same network signs in.
    assert sign_in(Client(REMOTE_ADDR="192.0.2.60"), editor, totp_code(device)).status_code == 302


def test_failed_sign_in_counts_keep_no_password_no_code_and_no_name(client, limits_clock):
    from django.core.cache import cache

    editor = make_editor()
    make_second_factor(editor)
    codes = staff.recovery_codes_replace(user=editor)
    client.post(
        LOGIN, {"username": editor.username, "password": "guess-one-9", "otp_token": codes[1]}
    )
    client.post(
        LOGIN, {"username": editor.username, "password": editor.raw_password, "otp_token": "9"}
    )

    assert cache._cache  # the wrong tries were counted
    stored = " ".join(f"{key} {value!r}" for key, value in cache._cache.items())
    for secret in ("guess-one-9", editor.raw_password, codes[1], editor.username, "127.0.0.1"):
        assert secret not in stored
