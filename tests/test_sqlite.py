"""The embedded SQLite default (`make run` without DATABASE_URL) keeps every write under a burst.

A quiz submission reads (is this form's key already stored?) and then writes. In SQLite's
default deferred transactions two such writers at once fail at once with "database is locked",
which lost readers' results. The default database starts every transaction with the write lock
instead, and waits its turn.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

from django.conf import settings
from django.db import connections, transaction
from django.db.utils import ConnectionHandler

from tests.test_project import TEST_ONLY_ENV

ALIAS = "embedded"
WRITERS = 8
WRITES_EACH = 5


def default_database() -> dict:
    """The production settings' database when DATABASE_URL is unset, as `make run` has it."""
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_ENV | {"DATABASE_URL"}}
    code = (
        "import json; from django.conf import settings;"
        "print(json.dumps(settings.DATABASES['default'], default=str))"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-v", "0", "-c", code],
        cwd=settings.BASE_DIR,
        env={
            **env,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": "q8Zr2vN5kL0pX7wE4tY1uI9oA3sD6fG2hJ5kL8zX1cV4bN7mQ0wE3rT6yU9iO2pA",
            "ALLOWED_HOSTS": "127.0.0.1",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_default_database_is_sqlite_configured_for_concurrent_writers():
    database = default_database()

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"].endswith("var/db.sqlite3")
    options = database["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    pragmas = {p.strip().lower() for p in options["init_command"].split(";") if p.strip()}
    assert {"pragma journal_mode=wal", "pragma synchronous=normal"} <= pragmas
    assert any(p.startswith("pragma busy_timeout=") for p in pragmas)


def test_simultaneous_read_then_write_transactions_all_succeed_on_the_default(
    tmp_path, django_db_blocker
):
    database = {**default_database(), "NAME": str(tmp_path / "burst.sqlite3")}
    sqlite = ConnectionHandler({"default": database, ALIAS: database})
    start = threading.Barrier(WRITERS)
    errors: list[Exception] = []

    def writer(number: int) -> None:
        # One connection per thread, as each app server process has its own.
        connections[ALIAS] = connection = sqlite[ALIAS]
        start.wait()
        try:
            for write in range(WRITES_EACH):
                key = f"{number}-{write}"
                with transaction.atomic(using=ALIAS), connection.cursor() as cursor:
                    cursor.execute("SELECT count(*) FROM result WHERE key = %s", [key])
                    if cursor.fetchone()[0] == 0:
                        cursor.execute("INSERT INTO result (key) VALUES (%s)", [key])
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    with django_db_blocker.unblock():
        with sqlite[ALIAS].cursor() as cursor:
            cursor.execute("CREATE TABLE result (key TEXT UNIQUE)")
        sqlite[ALIAS].close()
        threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        assert errors == []
        with sqlite[ALIAS].cursor() as cursor:
            cursor.execute("SELECT count(*) FROM result")
            assert cursor.fetchone()[0] == WRITERS * WRITES_EACH
        sqlite[ALIAS].close()


def test_every_public_page_answers_on_sqlite_as_make_run_serves_it(tmp_path):
    """`make run` serves from SQLite: the pages' compiled SQL (guide/compiled.py, the
    sitemap's union) must be SQLite's, not only PostgreSQL's; a signed-in reader's pages too."""
    env = {k: v for k, v in os.environ.items() if k not in TEST_ONLY_ENV}
    env |= {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECRET_KEY": "q8Zr2vN5kL0pX7wE4tY1uI9oA3sD6fG2hJ5kL8zX1cV4bN7mQ0wE3rT6yU9iO2pA",
        "ALLOWED_HOSTS": "testserver",
        "HTTPS": "0",
    }

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    # The checks pass without warnings there too (SQLite ignores an index's INCLUDE columns).
    commands = (
        ["check", "--fail-level", "WARNING"],
        ["migrate", "-v", "0"],
        ["load_guide", "-v", "0"],
    )
    for command in commands:
        done = manage(*command)
        assert done.returncode == 0, done.stderr
    code = (
        "import json\n"
        "from django.conf import settings\n"
        "from django.test import Client\n"
        "from guide.models import Section, Strategy\n"
        "paths = ['/', '/guide/', '/sitemap.xml', '/feed/', '/search/?q=repair+rupture',\n"
        "         '/quiz/', '/how-we-score/', '/privacy/']\n"
        "paths += [s.get_absolute_url() for s in Section.objects.published()]\n"
        "paths += [s.get_absolute_url() for s in Strategy.objects.published()[:3]]\n"
        "from django.test.utils import override_settings\n"
        "# Static files as the suite serves them: no collectstatic needed for this.\n"
        "plain = 'django.contrib.staticfiles.storage.StaticFilesStorage'\n"
        "storages = {**settings.STORAGES, 'staticfiles': {'BACKEND': plain}}\n"
        "with override_settings(STORAGES=storages):\n"
        "    client = Client()\n"
        "    statuses = {p: client.get(p).status_code for p in paths}\n"
        "    dated = client.get('/sitemap.xml').content.decode().count('<lastmod>2')\n"
        "    # A reader's own pages: two attempts compared, a saved strategy, a session.\n"
        "    from datetime import timedelta\n"
        "    from django.contrib.auth import get_user_model\n"
        "    from django.utils import timezone\n"
        "    from assessments.models import Answer, Result, SavedStrategy\n"
        "    reader = get_user_model().objects.create_user('sqlite-reader', password='x')\n"
        "    for days in (2, 1):\n"
        "        result = Result.objects.create(owner=reader, overall=50, created=timezone.now()\n"
        "                                       - timedelta(days=days))\n"
        "        Answer.objects.create(result=result, sign_slug='a', text='A', leaning='anxious',\n"
        "                              position=1, value=days)\n"
        "    saved = Strategy.objects.published().first()\n"
        "    SavedStrategy.objects.create(owner=reader, strategy=saved, strategy_slug=saved.slug,\n"
        "                                 title=saved.title)\n"
        "    client.force_login(reader)\n"
        "    for p in ('/me/', '/me/toolkit/'):\n"
        "        statuses[p] = client.get(p).status_code\n"
        "print(json.dumps({'statuses': statuses, 'dated': dated}))\n"
    )
    done = manage("shell", "--no-imports", "-v", "0", "-c", code)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    statuses = found["statuses"]
    assert len(statuses) > 15
    # Every chapter and strategy is dated (a date, as the ORM converts it, not SQLite's text).
    assert found["dated"] >= len(statuses) - 8
    assert {path: status for path, status in statuses.items() if status != 200} == {}
