"""Nobody can lock a reader out: password guessing is slowed without keeping the owner away.

Each client below is a browser at its own address (``REMOTE_ADDR``). A browser where the
reader signed in carries the device cookie; a stranger's browser never does.
"""

import re

from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from assessments.devices import DEVICE_COOKIE
from assessments.throttling import DEVICE_FAILURE_LIMIT, FREE_FAILURES

User = get_user_model()
LOGIN = "/accounts/login/"


def sign_in(client, user, password=None):
    return client.post(
        LOGIN, {"username": user.username, "password": password or user.raw_password}
    )


def fail(client, username, times=1):
    return [
        client.post(LOGIN, {"username": username, "password": "not-the-password"}).status_code
        for _ in range(times)
    ]


def browser(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def own_browser(user, address="192.0.2.10") -> Client:
    """The reader's own browser: they signed in on it once, then signed out."""
    client = browser(address)
    assert sign_in(client, user).status_code == 302
    client.post("/accounts/logout/")
    assert DEVICE_COOKIE in client.cookies
    return client


def pause_new_browsers_for(username: str, settings) -> None:
    """Strangers at as many addresses as it takes reach the account's hourly limit."""
    for n in range(settings.SIGN_IN_ACCOUNT_LIMIT):
        fail(browser(f"198.51.100.{n + 1}"), username)


# -- the attack from the issue ----------------------------------------------------------------


def test_a_strangers_wrong_passwords_from_one_address_never_keep_the_owner_out(reader):
    """On main, five wrong passwords from one address paused the account everywhere."""
    attacker = browser("10.0.0.7")
    fail(attacker, reader.username, 5)

    response = sign_in(browser("10.0.0.8"), reader)

    assert response.status_code == 302


def test_the_owners_browser_signs_in_even_when_new_browsers_are_paused(reader, settings):
    mine = own_browser(reader)
    pause_new_browsers_for(reader.username, settings)

    stranger = sign_in(browser("203.0.113.5"), reader)
    assert stranger.status_code == 429
    assert "<h1>Signing in to this account on a new browser is paused until" in (
        stranger.content.decode()
    )

    response = sign_in(mine, reader)
    assert response.status_code == 302
    assert mine.session["_auth_user_id"] == str(reader.pk)


def test_a_strangers_wrong_passwords_never_stop_the_owner_deleting_their_account(reader, settings):
    pause_new_browsers_for(reader.username, settings)
    attacker = browser("10.0.0.7")
    fail(attacker, reader.username, 30)
    mine = browser("10.0.0.8")
    mine.force_login(reader)

    response = mine.post("/me/delete/", {"password": reader.raw_password})

    assert response.status_code == 302
    assert not User.objects.filter(pk=reader.pk).exists()


# -- the device cookie --------------------------------------------------------------------------


def test_signing_in_sets_a_device_cookie_only_the_sign_in_pages_see(client, reader):
    response = sign_in(client, reader)

    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["path"] == "/accounts/"
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert cookie["secure"] == ""  # plain HTTP here
    assert int(cookie["max-age"]) == 365 * 24 * 3600
    assert reader.username not in cookie.value


def test_the_device_cookie_is_secure_over_https(client, reader):
    response = client.post(
        LOGIN, {"username": reader.username, "password": reader.raw_password}, secure=True
    )
    assert response.cookies[DEVICE_COOKIE]["secure"] is True


def test_signing_out_leaves_the_device_cookie_in_place(client, reader):
    sign_in(client, reader)
    kept = client.cookies[DEVICE_COOKIE].value

    response = client.post("/accounts/logout/")

    assert DEVICE_COOKIE not in response.cookies
    assert client.cookies[DEVICE_COOKIE].value == kept


def test_deleting_the_account_removes_the_device_cookie(client, reader):
    sign_in(client, reader)
    response = client.post("/me/delete/", {"password": reader.raw_password})
    assert response.status_code == 302
    assert response.cookies[DEVICE_COOKIE].value == ""
    assert response.cookies[DEVICE_COOKIE]["path"] == "/accounts/"


def test_a_device_cookie_speaks_for_its_own_account_only(reader, other_reader, settings):
    """Signed in as B on this browser: A's pause for new browsers still applies here."""
    shared = own_browser(other_reader)
    pause_new_browsers_for(reader.username, settings)
    assert sign_in(shared, reader).status_code == 429
    assert sign_in(shared, other_reader).status_code == 302


def test_a_forged_device_cookie_counts_for_nothing(reader, settings):
    mine = own_browser(reader)
    pause_new_browsers_for(reader.username, settings)
    forger = browser("203.0.113.9")
    value = mine.cookies[DEVICE_COOKIE].value
    forger.cookies[DEVICE_COOKIE] = value[:-2] + ("AA" if value[-2:] != "AA" else "BB")
    assert sign_in(forger, reader).status_code == 429


def test_a_known_browser_pauses_only_itself_after_its_own_wrong_passwords(reader):
    mine = own_browser(reader)
    assert fail(mine, reader.username, DEVICE_FAILURE_LIMIT) == [200] * DEVICE_FAILURE_LIMIT

    response = sign_in(mine, reader)

    assert response.status_code == 429
    assert "<h1>Signing in on this browser is paused until" in response.content.decode()
    # Its wrong passwords were its own: no wait for anyone else, the same address included.
    assert sign_in(browser("192.0.2.10"), reader).status_code == 302


# -- browsers new to the account ------------------------------------------------------------


def test_each_wrong_password_from_a_network_makes_its_next_try_wait_longer(reader, limits_clock):
    stranger = browser("10.0.0.20")
    assert fail(stranger, reader.username, FREE_FAILURES) == [200] * FREE_FAILURES
    waits = []
    for _ in range(4):
        assert fail(stranger, reader.username) == [200]
        paused = sign_in(stranger, reader)  # even the right password waits, unchecked
        assert paused.status_code == 429
        waits.append(int(paused["Retry-After"]))
        limits_clock.advance(waits[-1])
    assert waits == [2, 4, 8, 16]
    html = paused.content.decode()
    assert "<h1>Please wait 16 seconds before trying again</h1>" in html
    assert "Your password was not checked this time." in html
    # The wait is over: the right password works.
    assert sign_in(stranger, reader).status_code == 302


def test_the_wait_never_holds_a_request_open(reader, limits_clock):
    """The browser is told to wait (429, Retry-After); the server never sleeps."""
    stranger = browser("10.0.0.21")
    fail(stranger, reader.username, FREE_FAILURES + 8)
    # Requests during a wait are refused at once and do not make it longer.
    responses = [sign_in(stranger, reader) for _ in range(5)]
    assert {r.status_code for r in responses} == {429}
    assert len({r["Retry-After"] for r in responses}) == 1


def test_a_network_is_paused_for_the_hour_past_its_limit(
    reader, other_reader, settings, limits_clock
):
    settings.SIGN_IN_ADDRESS_LIMIT = 6
    mine = own_browser(reader, address="10.0.0.30")
    stranger = browser("10.0.0.30")
    for n in range(6):
        assert fail(stranger, f"guess-{n}") == [200]
        limits_clock.advance(60)

    response = sign_in(stranger, other_reader)

    assert response.status_code == 429
    assert int(response["Retry-After"]) == 3600 - 1 - 6 * 60
    html = response.content.decode()
    assert "<h1>Signing in from this network is paused until" in html
    assert "There have been 6 wrong passwords from this network within the hour" in html
    # The reader's own browser on that same network is not paused.
    assert sign_in(mine, reader).status_code == 302
    # Nor is another network.
    assert sign_in(browser("10.0.0.31"), other_reader).status_code == 302


def test_new_browsers_are_paused_at_no_more_than_100_failures_an_hour(reader, limits_clock):
    """ASVS 2.2.1, whatever the failures' addresses, and in any rolling hour."""
    limits_clock.advance(3600 - 60)  # the last minute of a clock hour, then the next
    results = []
    for n in range(101):
        if n == 60:
            limits_clock.advance(60)
        address = f"198.51.{n // 250}.{n % 250 + 1}"
        results.append(fail(browser(address), reader.username)[0])
    assert results.count(200) <= 100
    assert 429 in results


def test_an_account_that_does_not_exist_is_paused_the_same_way(db, settings):
    """A pause must not tell a stranger whether an account exists."""
    pause_new_browsers_for("nobody-here", settings)
    response = browser("203.0.113.7").post(LOGIN, {"username": "nobody-here", "password": "x"})
    assert response.status_code == 429
    assert "<h1>Signing in to this account on a new browser is paused until" in (
        response.content.decode()
    )


def test_the_accounts_pause_ends_with_the_hour(reader, settings, limits_clock):
    pause_new_browsers_for(reader.username, settings)
    paused = sign_in(browser("203.0.113.8"), reader)
    assert paused.status_code == 429
    limits_clock.advance(int(paused["Retry-After"]))
    assert sign_in(browser("203.0.113.8"), reader).status_code == 302


def test_signing_in_to_ones_own_account_never_clears_the_networks_count(
    reader, other_reader, limits_clock
):
    attacker = browser("10.0.0.12")
    fail(attacker, reader.username, FREE_FAILURES)
    assert sign_in(attacker, other_reader).status_code == 302
    attacker.post("/accounts/logout/")
    assert fail(attacker, reader.username) == [200]
    assert sign_in(browser("10.0.0.12"), reader).status_code == 429


def test_the_admins_sign_in_is_guarded_too(client, db):
    from tests.factories import make_user

    admin = make_user("admin", is_staff=True, is_superuser=True)
    stranger = browser("10.0.0.40")
    for _ in range(FREE_FAILURES + 1):
        stranger.post("/admin/login/", {"username": "admin", "password": "nope-nope-nope"})
    response = stranger.post("/admin/login/", {"username": "admin", "password": admin.raw_password})
    assert response.status_code == 429
    assert response["Retry-After"] == "2"


def test_a_password_reset_signs_the_reader_in_whatever_pauses_strangers_caused(db, settings):
    user = User.objects.create_user("locked", email="l@example.org", password="old-long-passphrase")
    pause_new_browsers_for("locked", settings)
    client = browser("10.0.0.10")
    assert client.post(LOGIN, {"username": "locked", "password": "x"}).status_code == 429

    client.post("/accounts/password_reset/", {"email": "l@example.org"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body)[1]
    form_url = client.get(link)["Location"]
    new = "brand-new-passphrase"
    response = client.post(form_url, {"new_password1": new, "new_password2": new})

    assert response["Location"] == "/accounts/reset/done/"
    assert client.session["_auth_user_id"] == str(user.pk)
    assert "You are signed in as <strong>locked</strong>" in (
        client.get("/accounts/reset/done/").content.decode()
    )
    # The browser is now the reader's own: the pause on new browsers no longer applies to it.
    client.post("/accounts/logout/")
    assert client.post(LOGIN, {"username": "locked", "password": new}).status_code == 302


def test_the_pause_page_offers_the_way_round(reader, settings):
    pause_new_browsers_for(reader.username, settings)
    response = sign_in(browser("203.0.113.5"), reader)
    html = response.content.decode()
    assert response["Retry-After"].isdigit()
    assert "no-store" in response["Cache-Control"]
    assert "A browser where you have signed in to your account before is not affected" in html
    assert "signs you in straight away, pause or not" in html
    assert "_auth_user_id" not in browser("203.0.113.5").session


# -- password checks on account pages ------------------------------------------------------


def wrong_password_on(client, url, times, field="password", **extra):
    return [client.post(url, {field: "not-my-password", **extra}).status_code for _ in range(times)]


def test_wrong_passwords_when_deleting_the_account_are_limited_per_session(client, reader):
    client.force_login(reader)
    assert wrong_password_on(client, "/me/delete/", 5) == [400] * 5

    response = client.post("/me/delete/", {"password": reader.raw_password})

    assert response.status_code == 429
    html = response.content.decode()
    assert "<h1>Password checks are paused until" in html
    assert "There were 5 wrong passwords on this browser within 15 minutes." in html
    assert "Nothing was changed or deleted. You are still signed in here." in html
    assert User.objects.filter(pk=reader.pk).exists()
    # Only that session waits: signing in elsewhere, and deleting from there, work.
    elsewhere = browser("10.0.0.13")
    assert sign_in(elsewhere, reader).status_code == 302
    assert elsewhere.post("/me/delete/", {"password": reader.raw_password}).status_code == 302


def test_wrong_passwords_when_changing_the_password_are_limited_per_session(
    client, reader, limits_clock
):
    client.force_login(reader)
    new = {"new_password1": "secret-new-passphrase", "new_password2": "secret-new-passphrase"}
    statuses = wrong_password_on(client, "/accounts/password_change/", 5, "old_password", **new)
    assert statuses == [200] * 5

    response = client.post(
        "/accounts/password_change/", {"old_password": reader.raw_password, **new}
    )
    assert response.status_code == 429
    assert response["Retry-After"] == str(15 * 60)
    reader.refresh_from_db()
    assert reader.check_password(reader.raw_password)

    limits_clock.advance(15 * 60)
    response = client.post(
        "/accounts/password_change/", {"old_password": reader.raw_password, **new}
    )
    assert response["Location"] == "/accounts/password_change/done/"


def test_wrong_passwords_on_account_pages_pause_nobody_else(client, reader):
    client.force_login(reader)
    wrong_password_on(client, "/me/delete/", 8)
    assert sign_in(browser("10.0.0.14"), reader).status_code == 302


def test_the_privacy_page_states_the_configured_limits(client, db, settings):
    settings.SIGN_IN_ACCOUNT_LIMIT = 30
    settings.SIGN_IN_ADDRESS_LIMIT = 12
    privacy = client.get("/privacy/").content.decode()
    assert "after 12 in an hour, that network waits" in privacy
    assert "after 30 in an hour for one account, browsers new to it wait too" in privacy
    assert "after 5 in 15 minutes it waits" in privacy
