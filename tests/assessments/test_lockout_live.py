"""The targeted lockout, tried against a running server from two loopback addresses.

The whole of 127.0.0.0/8 is loopback: the reader's browser connects from 127.0.0.2 and the
stranger's from 127.0.0.3, so the server sees two real client addresses.
"""

from __future__ import annotations

import http.client
import re
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest
from django.contrib.auth import get_user_model

from assessments.devices import DEVICE_COOKIE
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


class LoopbackBrowser:
    """A minimal browser bound to one source address: keeps cookies (by path), sends CSRF."""

    def __init__(self, base_url: str, source: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port, self.source = parts.hostname, parts.port, source
        self.cookies: dict[str, tuple[str, str]] = {}  # name -> (value, path)

    def request(self, method: str, path: str, form: dict | None = None):
        connection = http.client.HTTPConnection(
            self.host, self.port, timeout=10, source_address=(self.source, 0)
        )
        sent = "; ".join(
            f"{name}={value}"
            for name, (value, cookie_path) in self.cookies.items()
            if path.startswith(cookie_path)
        )
        headers = {"Cookie": sent} if sent else {}
        body = None
        if form is not None:
            token = self.cookies.get("csrftoken", ("", "/"))[0]
            body = urlencode({**form, "csrfmiddlewaretoken": token})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{self.host}:{self.port}{path}"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = (morsel.value, morsel["path"] or "/")
        connection.close()
        return response

    def post(self, path: str, form: dict):
        self.request("GET", path)  # the form first, for its CSRF cookie
        return self.request("POST", path, form)


def test_a_stranger_at_another_address_cannot_keep_the_owner_out_or_stop_a_deletion(
    live_server,
):
    owner = make_user("targeted-reader")
    login = "/accounts/login/"
    right = {"username": owner.username, "password": owner.raw_password}
    wrong = {"username": owner.username, "password": "a-wrong-guess"}

    mine = LoopbackBrowser(live_server.url, "127.0.0.2")
    assert mine.post(login, right).status == 302
    assert DEVICE_COOKIE in mine.cookies
    assert mine.post("/accounts/logout/", {}).status == 302

    stranger = LoopbackBrowser(live_server.url, "127.0.0.3")
    statuses = [stranger.post(login, wrong).status for _ in range(30)]
    assert statuses[:4] == [200] * 4
    assert set(statuses[4:]) == {429}
    paused = stranger.post(login, right)  # even the right password waits, unchecked
    assert paused.status == 429
    assert paused.getheader("Retry-After").isdigit()
    assert "Please wait" in paused.text

    # The owner, on their own browser: signed in at once.
    response = mine.post(login, right)
    assert response.status == 302 and response.getheader("Location") == "/me/"
    # A browser new to the account, at the owner's address, is not held up either.
    assert LoopbackBrowser(live_server.url, "127.0.0.2").post(login, right).status == 302

    # And the owner can delete their account, password and all.
    deleted = mine.post("/me/delete/", {"password": owner.raw_password})
    assert deleted.status == 302
    assert not get_user_model().objects.filter(pk=owner.pk).exists()
    assert DEVICE_COOKIE not in mine.cookies


def test_signing_up_from_one_address_is_limited_and_says_so(live_server):
    flooder = LoopbackBrowser(live_server.url, "127.0.0.3")
    password = "a-long-passphrase-42"
    statuses = []
    for n in range(11):
        form = {"username": f"flood-{n}", "password1": password, "password2": password}
        statuses.append(flooder.post("/accounts/signup/", form).status)
        flooder.post("/accounts/logout/", {})
    assert statuses == [302] * 10 + [429]
    last = flooder.request("POST", "/accounts/signup/", {"username": "flood-x"})
    assert last.status == 429
    assert re.search(r"^\d+$", last.getheader("Retry-After"))
    other = LoopbackBrowser(live_server.url, "127.0.0.2")
    form = {"username": "a-reader", "password1": password, "password2": password}
    assert other.post("/accounts/signup/", form).status == 302
