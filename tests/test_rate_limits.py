"""Nobody can flood the expensive anonymous pages: sign-up, password reset, search.

Past a per-client limit the answer is 429 with Retry-After and a page that says when to
come back. Every limit counts the same client key: the address (behind trusted proxies, the
one the nearest proxy saw), an IPv6 address by its /64.
"""

import logging

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from config import ratelimit

User = get_user_model()


def sign_up(client: Client, n: int):
    password = "a-long-passphrase-42"
    return client.post(
        "/accounts/signup/",
        {"username": f"flood-{n}", "password1": password, "password2": password},
    )


def search(client: Client, q: str = "secure"):
    return client.get("/search/", {"q": q})


def test_ten_sign_ups_an_hour_per_address_then_a_clear_429(db):
    client = Client(REMOTE_ADDR="10.4.0.1")
    statuses = []
    for n in range(10):
        statuses.append(sign_up(client, n).status_code)
        client.post("/accounts/logout/")
    assert statuses == [302] * 10

    response = sign_up(client, 10)

    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    assert "<h1>Please wait a little before trying again</h1>" in html
    assert "more sign-ups from your network" in html
    assert "nothing was changed" in html
    assert not User.objects.filter(username="flood-10").exists()
    # Reading the sign-up page is not counted, and another network signs up as usual.
    assert client.get("/accounts/signup/").status_code == 200
    assert sign_up(Client(REMOTE_ADDR="10.4.0.2"), 11).status_code == 302


def test_sixty_searches_a_minute_per_address_then_a_429_until_the_minute_ends(db, limits_clock):
    client = Client(REMOTE_ADDR="10.4.1.1")
    assert {search(client).status_code for _ in range(60)} == {200}

    response = search(client)

    assert response.status_code == 429
    assert response["Retry-After"] == "59"
    assert "more searches from your network" in response.content.decode()
    assert search(Client(REMOTE_ADDR="10.4.1.2")).status_code == 200
    # The search page without a query costs nothing and is not counted.
    assert client.get("/search/").status_code == 200
    limits_clock.advance(59)
    assert search(client).status_code == 200


def test_an_ipv6_client_is_counted_by_its_64(db):
    for n in range(60):
        assert search(Client(REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}")).status_code == 200
    same_64 = Client(REMOTE_ADDR="2001:db8:1:2:ffff:ffff:ffff:ffff")
    assert search(same_64).status_code == 429
    next_64 = Client(REMOTE_ADDR="2001:db8:1:3::1")
    assert search(next_64).status_code == 200


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd:12::/64"),
        ("2001:DB8:ABCD:12::99", "2001:db8:abcd:12::/64"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("", "unknown"),
    ],
)
def test_the_client_key(rf, address, key):
    assert ratelimit.client_key(rf.get("/", REMOTE_ADDR=address)) == key


def test_behind_a_trusted_proxy_the_limit_counts_the_readers_address(db, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    for n in range(60):
        reader = Client(
            REMOTE_ADDR=proxy, headers={"x-forwarded-for": f"6.6.6.6, 203.0.113.{n + 1}"}
        )
        assert search(reader).status_code == 200
    # All came through one proxy, each from its own address: a new reader is not held up...
    assert search(
        Client(REMOTE_ADDR=proxy, headers={"x-forwarded-for": "203.0.113.200"})
    ).status_code == (200)
    # ...and a forged left-hand entry does not buy a fresh count.
    for _ in range(59):
        search(Client(REMOTE_ADDR=proxy, headers={"x-forwarded-for": "1.2.3.4, 203.0.113.200"}))
    flood = Client(REMOTE_ADDR=proxy, headers={"x-forwarded-for": "9.9.9.9, 203.0.113.200"})
    assert search(flood).status_code == 429


def test_rate_limits_can_be_turned_off_for_benchmarks(db, settings):
    settings.RATE_LIMITS = False
    client = Client(REMOTE_ADDR="10.4.2.1")
    assert {search(client).status_code for _ in range(70)} == {200}


class BrokenCache:
    """A cache whose server is gone: every call raises, as redis-py does."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6399. Connection refused.")

        return fail


def test_a_failing_cache_means_no_limit_never_a_500(db, monkeypatch, caplog):
    from tests.factories import make_user

    reader = make_user("cache-less")
    monkeypatch.setattr(ratelimit, "cache", BrokenCache())
    monkeypatch.setattr(ratelimit, "_last_warning", 0.0)
    client = Client(REMOTE_ADDR="10.4.3.1")

    with caplog.at_level(logging.WARNING, logger="config.ratelimit"):
        assert {search(client).status_code for _ in range(65)} == {200}
        assert {sign_up(Client(REMOTE_ADDR="10.4.3.1"), n).status_code for n in range(12)} == {302}
        wrong = {"username": reader.username, "password": "not-the-password"}
        assert {client.post("/accounts/login/", wrong).status_code for _ in range(8)} == {200}
        right = {"username": reader.username, "password": reader.raw_password}
        assert client.post("/accounts/login/", right).status_code == 302

    warnings = [r for r in caplog.records if r.name == "config.ratelimit"]
    assert len(warnings) == 1  # once a minute, not once a request
    assert "Limits are off while the cache cannot count" in warnings[0].getMessage()


def test_counts_hold_no_address_or_name_in_clear(db):
    from django.core.cache import cache

    Client(REMOTE_ADDR="10.4.4.4").get("/search/", {"q": "secure"})
    keys = list(cache._cache.keys())
    assert keys
    assert not any("10.4.4.4" in key for key in keys)
