"""A cache outage makes the site slower, never broken, and never brings stale pages back.

Redis is taken away three ways: a closed port (refused at once), a server that accepts and never
answers (hanging), and a link to the real Redis that is cut and then restored.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

import config.cache
from config.cache import ResilientRedisCache
from guide.models import Section
from tests.factories import make_editor, make_section, staff_login
from tests.guide.conftest import form_data
from tests.test_project import PRODUCTION_ENV, manage

pytestmark = pytest.mark.django_db

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
REDIS_HOST, REDIS_PORT = "127.0.0.1", int(REDIS_URL.rsplit(":", 1)[1].split("/")[0])
REDIS_DB = REDIS_URL.rsplit("/", 1)[1]
CACHE_LOGGER = "config.cache"


class HangingServer:
    """Accepts connections and never answers: a Redis that is stuck."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self) -> None:
        self.listener.close()
        for conn in self.connections:
            conn.close()


class RedisLink:
    """A TCP relay to the real Redis that a test can cut (connections refused and dropped, the
    data in Redis untouched, as in a network outage) and restore."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.is_cut = False
        self.is_silent = False
        self.open: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.is_cut:
                client.close()
                continue
            upstream = socket.create_connection((REDIS_HOST, REDIS_PORT), timeout=5)
            with self.lock:
                self.open += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                if not self.is_silent:
                    target.sendall(data)
        except OSError:
            pass
        for sock in (source, target):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def go_silent(self) -> None:
        """Keep every connection open but carry nothing more: a link that died without a reset."""
        self.is_silent = True

    def cut(self) -> None:
        self.is_cut = True
        with self.lock:
            for sock in self.open:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self.open.clear()

    def restore(self) -> None:
        self.is_cut = False

    def close(self) -> None:
        self.cut()
        self.listener.close()


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def use_redis(settings, location: str) -> None:
    """The production cache configuration, pointed at ``location``, with the page cache on."""
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.ResilientRedisCache",
            "LOCATION": location,
            "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1},
        }
    }
    settings.GUIDE_PAGE_CACHE = True


@pytest.fixture(autouse=True)
def no_outage_remembered(monkeypatch):
    """Each test starts with processes that have seen no outage yet, and watch no key yet."""
    monkeypatch.setattr(config.cache, "_outages", {})
    watches = {}
    monkeypatch.setattr(config.cache, "_watches", watches)
    yield
    for watch in watches.values():
        watch._close()


@pytest.fixture
def hanging_redis() -> Iterator[HangingServer]:
    server = HangingServer()
    yield server
    server.close()


@pytest.fixture
def redis_link() -> Iterator[RedisLink]:
    link = RedisLink()
    yield link
    link.close()


@pytest.fixture
def retry_at_once(monkeypatch):
    """Every cache call tries Redis again (no pause after a failure), as after a long wait."""
    monkeypatch.setattr(ResilientRedisCache, "retry_after", 0.0)


def read_the_site(client: Client) -> list[int]:
    """Status codes of the real guide's pages, each read three times."""
    call_command("load_guide", verbosity=0)
    chapter = Section.objects.published().order_by("order").first()
    pages = [
        "/",
        chapter.get_absolute_url(),
        "/quiz/",
        "/search/?q=calm",
        "/support/uk/",
        "/healthz/",
    ]
    return [client.get(page).status_code for page in pages for _ in range(3)]


# -- configuration ---------------------------------------------------------------------------


def test_production_cache_gives_up_on_redis_within_100_ms():
    code = (
        "from django.conf import settings; from django.core.cache import cache;"
        "options = settings.CACHES['default']['OPTIONS'];"
        "print(options['socket_connect_timeout'], options['socket_timeout']);"
        "kwargs = cache._cache._get_connection_pool(True).connection_kwargs;"
        "print(kwargs['socket_connect_timeout'], kwargs['socket_timeout'])"
    )
    result = manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)

    configured, in_use = (line.split() for line in result.stdout.splitlines())
    assert all(0 < float(value) <= 0.1 for value in [*configured, *in_use]), result.stderr


# -- Redis closed or hanging -----------------------------------------------------------------


def test_pages_render_without_a_cache_on_a_closed_port(settings, client, retry_at_once, caplog):
    use_redis(settings, f"redis://127.0.0.1:{closed_port()}/0")

    with caplog.at_level(logging.WARNING, logger=CACHE_LOGGER):
        statuses = read_the_site(client)

    assert statuses == [200] * len(statuses)
    warnings = [r for r in caplog.records if r.name == CACHE_LOGGER]
    assert len(warnings) == 1, "one warning per minute, not one per request"
    assert "unreachable" in warnings[0].getMessage()


def test_pages_render_without_a_cache_that_hangs(settings, client, hanging_redis, monkeypatch):
    use_redis(settings, f"redis://127.0.0.1:{hanging_redis.port}/0")
    monkeypatch.setattr(config.cache, "clock", lambda: 1000.0)  # within the pause throughout

    statuses = read_the_site(client)

    assert statuses == [200] * len(statuses)
    # After the first timeout the cache is left alone for a moment, so an outage costs one slow
    # call, not one per cache call on every page.
    assert len(hanging_redis.connections) == 1


def test_the_warning_repeats_once_a_minute_while_the_outage_lasts(settings, monkeypatch, caplog):
    use_redis(settings, f"redis://127.0.0.1:{closed_port()}/0")
    now = [1000.0]
    monkeypatch.setattr(config.cache, "clock", lambda: now[0])

    with caplog.at_level(logging.WARNING, logger=CACHE_LOGGER):
        for _ in range(60):  # a failed call every 2 s for two minutes
            assert cache.get("anything") is None
            now[0] += 2

    warnings = [r for r in caplog.records if r.name == CACHE_LOGGER]
    assert len(warnings) == 2


def test_threads_of_one_process_share_the_pause_and_the_warning(settings, caplog):
    use_redis(settings, f"redis://127.0.0.1:{closed_port()}/0")

    def read() -> None:
        for _ in range(5):
            cache.get("anything")  # each thread has its own cache object, as in Django

    with caplog.at_level(logging.WARNING, logger=CACHE_LOGGER):
        threads = [threading.Thread(target=read) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert len([r for r in caplog.records if r.name == CACHE_LOGGER]) == 1


def test_counters_miss_instead_of_raising_a_connection_error(settings):
    use_redis(settings, f"redis://127.0.0.1:{closed_port()}/0")

    assert cache.add("signups:127.0.0.1", 0, 60) is False
    with pytest.raises(ValueError, match="not found"):
        cache.incr("signups:127.0.0.1")
    assert cache.get_many(["a", "b"]) == {}
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.has_key("a") is False
    cache.delete_many(["a"])  # dropped, not raised


def test_healthz_keeps_the_server_in_rotation_and_says_the_cache_is_down(settings, client):
    use_redis(settings, f"redis://127.0.0.1:{closed_port()}/0")

    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "down"}


# -- the real Redis, cut and restored ---------------------------------------------------------


@pytest.fixture
def real_redis(settings, redis_link) -> Iterator[RedisLink]:
    """The production cache on the real Redis (its test database), through a cuttable link."""
    use_redis(settings, f"redis://127.0.0.1:{redis_link.port}/{REDIS_DB}")
    cache.clear()
    yield redis_link
    redis_link.restore()
    cache.clear()


def test_healthz_says_the_cache_is_ok_when_redis_answers(client, real_redis):
    assert client.get("/healthz/").json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_a_save_during_an_outage_never_lets_a_stale_page_come_back(
    real_redis, retry_at_once, django_capture_on_commit_callbacks
):
    reader, editor = Client(), Client()
    staff_login(editor, make_editor())
    section = make_section(slug="kept", title="Kept", body="The first wording.")
    assert "The first wording." in reader.get("/guide/kept/").content.decode()
    assert cache.get(config_version_key()) is not None  # the page is in Redis now

    real_redis.cut()
    url = reverse("admin:guide_section_change", args=[section.pk])
    data = {**form_data(editor.get(url).context["adminform"].form), "_publish": "Publish"}
    data["body"] = "The second wording."
    data["change_note"] = "Reworded the opening."
    with django_capture_on_commit_callbacks(execute=True):  # the save commits
        saved = editor.post(url, data)
    during = reader.get("/guide/kept/")

    assert saved.status_code == 302, "the editor's save succeeds while the cache is out"
    assert during.status_code == 200
    assert "The second wording." in during.content.decode()

    real_redis.restore()
    after = reader.get("/guide/kept/").content.decode()

    assert "The second wording." in after
    assert "The first wording." not in after


def test_readers_served_by_another_app_server_during_the_outage_get_fresh_pages_after_it(
    real_redis, settings, retry_at_once
):
    """Two app servers: the editor's save reaches one, readers are served by the other."""
    reader = Client()
    section = make_section(slug="shared", body="Before the outage.")
    assert "Before the outage." in reader.get("/guide/shared/").content.decode()
    # Another process: the same Redis under another name, so it keeps its own outage state.
    location = settings.CACHES["default"]["LOCATION"].replace("127.0.0.1", "localhost")
    editors_server = ResilientRedisCache(location, settings.CACHES["default"])

    real_redis.cut()
    assert "Before the outage." in reader.get("/guide/shared/").content.decode()
    section.body = "Saved during the outage."
    with swapped_default_cache(editors_server):
        section.save()  # its new content version is dropped on the editor's server
    real_redis.restore()
    page = reader.get("/guide/shared/").content.decode()

    assert "Saved during the outage." in page


def config_version_key() -> str:
    from guide.page_cache import VERSION_KEY

    return VERSION_KEY


@contextlib.contextmanager
def swapped_default_cache(backend) -> Iterator[None]:
    previous = caches["default"]
    caches["default"] = backend
    try:
        yield
    finally:
        caches["default"] = previous


# -- a value watched in this process (the content version) -----------------------------------


def from_another_process(statement: str) -> None:
    """Run ``statement`` with a Redis ``client`` in another process, as another app server
    would; ``pickled(value)`` stores a value as Django's Redis cache does."""
    setup = "import pickle, sys, redis; client = redis.Redis.from_url(sys.argv[1]); "
    setup += "pickled = pickle.dumps; "
    subprocess.run([sys.executable, "-c", setup + statement, REDIS_URL], check=True)


def test_a_watched_value_changed_by_another_app_server_is_read_anew_on_the_next_read(settings):
    use_redis(settings, REDIS_URL)
    cache.clear()
    cache.set("watched", "first", None)
    key = cache.make_key("watched")
    assert cache.get_watched("watched") == "first"
    assert cache.get_watched("watched") == "first"  # now from this process's memory

    from_another_process(f"client.set({key!r}, pickled('second'))")
    assert cache.get_watched("watched") == "second"

    from_another_process(f"client.delete({key!r})")
    assert cache.get_watched("watched", "gone") == "gone"

    from_another_process(f"client.set({key!r}, pickled('third'))")
    assert cache.get_watched("watched") == "third"
    from_another_process("client.flushdb()")
    assert cache.get_watched("watched", "gone") == "gone"


def test_a_watched_value_written_in_this_process_is_read_anew_at_once(settings):
    use_redis(settings, REDIS_URL)
    cache.clear()
    cache.set("watched", "first", None)
    assert cache.get_watched("watched") == "first"

    cache.set("watched", "second", None)
    assert cache.get_watched("watched") == "second"
    cache.delete("watched")
    assert cache.get_watched("watched") is None


def test_a_watch_whose_link_is_cut_never_gives_the_old_value(real_redis, retry_at_once):
    cache.set("watched", "first", None)
    assert cache.get_watched("watched") == "first"

    real_redis.cut()
    from_another_process(f"client.set({cache.make_key('watched')!r}, pickled('second'))")
    during = cache.get_watched("watched", "unknown")
    real_redis.restore()
    after = cache.get_watched("watched")

    assert during == "unknown", "while the link is cut the value cannot be vouched for"
    assert after == "second"


@pytest.fixture
def watching_first(real_redis, retry_at_once, monkeypatch) -> list[float]:
    """This process watches a value ("first"); the test moves the clock (``now[0]``)."""
    now = [1000.0]
    monkeypatch.setattr(config.cache, "clock", lambda: now[0])
    cache.set("watched", "first", None)
    assert cache.get_watched("watched") == "first"
    return now


def test_a_watch_on_a_link_that_died_silently_asks_again_within_a_second(
    real_redis, watching_first
):
    now = watching_first
    real_redis.go_silent()  # no reset ever arrives: the push is lost on the way
    from_another_process(f"client.set({cache.make_key('watched')!r}, pickled('second'))")
    now[0] += config.cache.KeyWatch.confirm_every
    later = cache.get_watched("watched", "unknown")

    assert later == "unknown", "a value is never vouched for beyond confirm_every unheard"


def test_a_watch_never_brings_back_a_value_from_before_writes_dropped_in_an_outage(
    real_redis, watching_first
):
    now = watching_first
    real_redis.cut()
    assert cache.get_watched("watched", "unknown") == "unknown"
    cache.set("watched", "second", None)  # dropped: Redis cannot be reached
    real_redis.restore()
    now[0] += config.cache.KeyWatch.retry_after  # the watch may connect again

    after = cache.get_watched("watched", "gone")

    assert after == "gone", "the cache is emptied before any read after the dropped write"
