"""The nginx front (config/nginx/), run for real in front of the live app: what it keeps for a
second, what it always passes through, and that it passes on what the app says."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.conf import settings

from config.proxy import INSTALL_HINT, NginxFront, nginx_binary
from guide.management.commands.proxy_config import BYPASS_FILE, bypass_cookies_conf
from tests.factories import make_section, make_sign

SIGNED_OUT = "public, max-age=0, s-maxage=1, must-revalidate"


@pytest.fixture
def front(live_server, tmp_path):
    if nginx_binary() is None:  # never a skip: the front is part of what ships
        pytest.fail(INSTALL_HINT, pytrace=False)
    upstream = live_server.url.removeprefix("http://")
    static_root = Path(settings.BASE_DIR) / "static"
    with NginxFront(upstream, static_root=static_root, workdir=tmp_path / "nginx") as nginx:
        yield nginx


@pytest.fixture
def chapter(transactional_db):
    return make_section(slug="through", body="First words.")


def test_the_fronts_cookie_list_is_the_page_caches():
    assert BYPASS_FILE.read_text() == bypass_cookies_conf(), "run `make proxy-config`"
    assert "sessionid|messages" in bypass_cookies_conf()


def test_a_signed_out_page_is_kept_for_a_second_and_says_so(front, chapter):
    status, first, body = front.get("/guide/through/")
    _, again, cached = front.get("/guide/through/")

    assert status == 200
    assert first["X-Cache"] == "MISS"
    assert again["X-Cache"] == "HIT"
    assert cached == body
    assert again["Cache-Control"] == SIGNED_OUT
    assert "script-src 'self'" in again["Content-Security-Policy"]


def test_an_edit_shows_through_the_front_once_its_second_is_over(front, chapter):
    front.get("/guide/through/")
    chapter.body = "Second words."
    chapter.save()

    # nginx counts whole seconds: a page kept during second T is fresh until T+1 is over.
    time.sleep(2.05)
    _, headers, body = front.get("/guide/through/")

    assert b"Second words." in body
    assert headers["X-Cache"] in {"EXPIRED", "MISS"}


@pytest.mark.parametrize("cookie", settings.PAGE_CACHE_BYPASS_COOKIES)
def test_a_reader_with_a_bypass_cookie_always_reaches_the_app(front, chapter, cookie):
    front.get("/guide/through/")  # kept for everyone else

    _, headers, _ = front.get("/guide/through/", {"Cookie": f"theme=calm; {cookie}=abc"})

    assert headers["X-Cache"] == "BYPASS"


def test_other_cookies_do_not_bypass_the_front(front, chapter):
    cookie = {"Cookie": f"csrftoken={'a1' * 16}"}  # a signed-out reader who saw a form
    front.get("/guide/through/", cookie)

    _, headers, _ = front.get("/guide/through/", cookie)

    assert headers["X-Cache"] == "HIT"


@pytest.mark.parametrize("query", ["?q=secure", "?utm_source=x", "?0"])
def test_any_query_string_reaches_the_app(front, chapter, query):
    front.get(f"/guide/through/{query}")

    _, headers, _ = front.get(f"/guide/through/{query}")

    assert headers["X-Cache"] == "BYPASS"


def test_a_page_that_sets_a_cookie_is_never_kept(front, transactional_db):
    make_section(slug="signs", component="signs")
    make_sign()
    front.get("/quiz/")  # its form sets the CSRF cookie

    _, headers, _ = front.get("/quiz/")

    assert headers["X-Cache"] == "MISS"
    assert "Set-Cookie" in headers


def test_a_readers_conditional_request_still_gets_a_304(front, chapter):
    _, headers, _ = front.get("/guide/through/")

    status, again, body = front.get("/guide/through/", {"If-None-Match": headers["ETag"]})

    assert status == 304
    assert body == b""


def test_static_files_come_from_the_collected_files(front):
    status, headers, body = front.get("/static/css/site.css")

    assert status == 200
    assert body == (Path(settings.BASE_DIR) / "static" / "css" / "site.css").read_bytes()
    assert "X-Cache" not in headers  # nginx's own answer, not the app's
    assert headers["X-Content-Type-Options"] == "nosniff"
