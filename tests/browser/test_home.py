import pytest
from playwright.sync_api import expect

from tests.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_home_page_renders_accessibly_and_loads_nothing_from_elsewhere(watched_page, live_server):
    page = watched_page
    response = page.goto(live_server.url + "/")

    assert response.status == 200
    assert page.locator("h1").count() == 1
    assert page.get_by_role("link", name="Skip to content").count() == 1
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Signs quiz")).to_be_visible()
    assert_accessible(page)
