"""Shared devices: signing out clears what the browser kept; signed-in pages are never stored."""

from __future__ import annotations

import pytest
from django.test import Client

from assessments.devices import DEVICE_COOKIE
from tests.factories import make_editor, make_section, make_user, staff_login

pytestmark = pytest.mark.django_db


def test_signing_out_clears_cache_and_storage_but_not_cookies(client):
    reader = make_user()
    signed_in = client.post(
        "/accounts/login/", {"username": reader.username, "password": reader.raw_password}
    )
    assert signed_in.status_code == 302
    device = client.cookies[DEVICE_COOKIE].value

    response = client.post("/accounts/logout/")

    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "cookies" not in response["Clear-Site-Data"]
    # The device cookie that keeps the owner from being paused by strangers survives.
    assert DEVICE_COOKIE not in response.cookies
    assert device and client.cookies[DEVICE_COOKIE].value == device
    assert client.get("/me/").status_code == 302


def test_deleting_the_account_clears_site_data_and_forgets_the_browser(client):
    reader = make_user()
    client.post("/accounts/login/", {"username": reader.username, "password": reader.raw_password})

    response = client.post("/me/delete/", {"password": reader.raw_password})

    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert response.cookies[DEVICE_COOKIE].value == ""  # the account it spoke for is gone


def test_signing_out_of_the_admin_clears_cache_and_storage_too(client):
    staff_login(client, make_editor())

    response = client.post("/admin/logout/")

    assert response["Clear-Site-Data"] == '"cache", "storage"'


@pytest.mark.parametrize("path", ["/", "/guide/chapter/", "/privacy/", "/me/", "/admin/"])
def test_every_page_a_signed_in_person_sees_is_no_store(client, path):
    make_section(slug="chapter")
    staff_login(client, make_editor())

    response = client.get(path)

    assert response.status_code == 200, path
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_signed_out_pages_stay_cacheable_and_touch_no_session(db):
    make_section(slug="chapter")
    response = Client().get("/guide/chapter/")

    assert "no-store" not in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert not response.cookies


def test_the_privacy_page_tells_a_shared_computers_users_what_signing_out_does(client):
    page = client.get("/privacy/").content.decode()

    assert "pages you see while signed in are never kept in the browser’s cache" in page
    assert "signing out asks the browser to delete what it kept of this site" in page
