#!/usr/bin/env python
"""Take the database and the cache away from `make run`'s stack under load, and count what is lost.

Run by hand (`make faults`): it needs PostgreSQL's server programs (initdb, pg_ctl) and
redis-server installed, and takes a few minutes. It never touches the machine's own PostgreSQL or
Redis: it makes its own PostgreSQL cluster (in a temporary directory, on a spare port; as the
`postgres` user when run as root, since pg_ctl refuses root) and its own redis-server, both on
127.0.0.1, and serves `make run` (gunicorn + task worker) on them. Then:

1. restarts that PostgreSQL under load: /healthz/ answers 503 while it is down, the site is back
   within 5 s of PostgreSQL, with no 5xx from then on, and mail queued afterwards is sent;
2. stops that Redis under load, then makes a fresh one hang (SIGSTOP): no 5xx either way, and the
   configured socket and connect timeouts, measured against a hanging server and a full backlog;
3. has N signed-in readers (200) submit the quiz twice each, all at once: exactly N results, no
   duplicates, no 5xx;
4. the same burst with 100 readers on the SQLite default (`make run` without DATABASE_URL; the
   file lives in the temporary directory, with the default's settings).

It prints the figures and exits non-zero if anything was lost. Every loop is bounded in count and
time; every address is loopback. Absolute timings depend on the machine: on a shared box, say so.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import itertools
import json
import os
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
HOST = "127.0.0.1"
STARTUP_LIMIT = 300  # seconds for make run's migrate, collectstatic and load_guide on a busy box
REQUEST_TIMEOUT = 120
BACK_WITHIN = 5.0


def say(message: str) -> None:
    print(message, flush=True)


def spare_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_until(condition, *, seconds: float, every: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False


# -- HTTP ------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int  # 0: no answer (refused, reset, timed out)
    started: float
    seconds: float
    body: bytes = b""
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def ended(self) -> float:
        return self.started + self.seconds


def request(
    port: int,
    path: str,
    *,
    method: str = "GET",
    body: str | None = None,
    cookies: dict[str, str] | None = None,
    timeout: float = REQUEST_TIMEOUT,
    source: str | None = None,
) -> Answer:
    headers = {"Host": HOST}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if body is not None:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    started = time.monotonic()
    source_address = (source, 0) if source else None
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout, source_address=source_address)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        jar = {}
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                jar[key.strip()] = rest.split(";", 1)[0]
        return Answer(response.status, started, time.monotonic() - started, data, jar)
    except (OSError, http.client.HTTPException):
        return Answer(0, started, time.monotonic() - started)
    finally:
        conn.close()


def health(port: int) -> tuple[int, dict]:
    answer = request(port, "/healthz/", timeout=5)
    try:
        return answer.status, json.loads(answer.body or b"{}")
    except ValueError:
        return answer.status, {}


class Load:
    """A few readers reading pages in a loop until stopped (at most ``limit`` seconds)."""

    def __init__(self, port: int, paths: list[str], *, readers: int = 4, limit: float = 120):
        self.port, self.paths, self.limit = port, paths, limit
        self.answers: list[tuple[str, Answer]] = []
        self.stopped = threading.Event()
        self.threads = [threading.Thread(target=self._read, daemon=True) for _ in range(readers)]

    def _read(self) -> None:
        deadline = time.monotonic() + self.limit
        while not self.stopped.is_set() and time.monotonic() < deadline:
            path = random.choice(self.paths)
            self.answers.append((path, request(self.port, path, timeout=30)))

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        for thread in self.threads:
            thread.join(timeout=40)

    def between(self, start: float, end: float = float("inf")) -> list[Answer]:
        return [a for _, a in self.answers if start <= a.started < end]


def summary(answers: list[Answer]) -> str:
    if not answers:
        return "no requests"
    fives = sum(a.status >= 500 for a in answers)
    none = sum(a.status == 0 for a in answers)
    times = sorted(a.seconds * 1000 for a in answers)
    return (
        f"{len(answers)} requests, {fives} × 5xx, {none} unanswered, "
        f"median {statistics.median(times):.0f} ms, max {times[-1]:.0f} ms"
    )


# -- the servers -----------------------------------------------------------------------------


class Postgres:
    """A PostgreSQL cluster of our own, in ``directory``, on 127.0.0.1:``port``."""

    def __init__(self, directory: Path) -> None:
        self.bin = self._find_bin()
        self.data = directory / "pgdata"
        self.log = directory / "postgres.log"
        self.port = spare_port()
        self.as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @staticmethod
    def _find_bin() -> Path:
        found = shutil.which("pg_config")
        if found:
            bindir = subprocess.run([found, "--bindir"], capture_output=True, text=True)
            candidate = Path(bindir.stdout.strip())
            if (candidate / "initdb").exists():
                return candidate
        versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if versions:
            return versions[-1].parent
        sys.exit("PostgreSQL's server programs (initdb, pg_ctl) are not installed.")

    def _run(self, *args: str, timeout: float = 120) -> None:
        subprocess.run([*self.as_owner, *args], check=True, timeout=timeout, capture_output=True)

    @property
    def url(self) -> str:
        return f"postgres://postgres@{HOST}:{self.port}/securebase"

    def create(self) -> None:
        self.data.mkdir()
        if self.as_owner:
            shutil.chown(self.data, "postgres", "postgres")
            self.log.touch()
            shutil.chown(self.log, "postgres", "postgres")
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "--no-sync", "-E", "UTF8", "--no-locale",
        )  # fmt: skip
        self.start()
        self._run(str(self.bin / "createdb"), "-h", HOST, "-p", str(self.port), "-U", "postgres",
                  "securebase")  # fmt: skip

    def start(self) -> None:
        options = f"-c listen_addresses={HOST} -p {self.port} -c unix_socket_directories=''"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o",
                  options, "-w", "-t", "60", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "-t", "60",
                  "stop")  # fmt: skip

    def accepting(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5):
                return True
        except OSError:
            return False


class Redis:
    """A redis-server of our own on 127.0.0.1:``port``, keeping nothing on disk."""

    def __init__(self, directory: Path) -> None:
        self.directory, self.port = directory, spare_port()
        self.process: subprocess.Popen | None = None
        if not shutil.which("redis-server"):
            sys.exit("redis-server is not installed.")

    @property
    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", HOST, "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        if not wait_until(self.answers, seconds=20):
            sys.exit("our redis-server did not start")

    def answers(self) -> bool:
        try:
            with socket.create_connection((HOST, self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Stack:
    """`make run` on a spare port, with the given environment."""

    def __init__(self, directory: Path, env: dict[str, str], name: str) -> None:
        self.port = spare_port()
        self.env = {**os.environ, **env, "PORT": str(self.port)}
        for unset in ("DATABASE_URL", "REDIS_URL"):
            if unset not in env:
                self.env.pop(unset, None)
        self.log_path = directory / f"make-run-{name}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"PORT={self.port}"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if not wait_until(lambda: health(self.port)[0] == 200, seconds=STARTUP_LIMIT, every=1):
            self.stop()
            tail = self.log_path.read_text(errors="replace")[-3000:]
            sys.exit(f"make run did not come up within {STARTUP_LIMIT} s:\n{tail}")

    def manage(self, code: str) -> str:
        """Run Python in `manage.py shell` with this stack's settings; its standard output."""
        env = {**self.env, "DEBUG": "0", "HTTPS": "0", "ALLOWED_HOSTS": HOST,
               "SECRET_KEY": (ROOT / "var" / "secret_key").read_text().strip()}  # fmt: skip
        result = subprocess.run(
            [str(PYTHON), "manage.py", "shell", "--no-imports", "-v", "0", "-c", code],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        if result.returncode != 0:
            sys.exit(f"manage.py shell failed:\n{result.stderr[-3000:]}")
        return result.stdout

    def serve_pid(self) -> int | None:
        """The supervisor (scripts/serve.py) that make run hands over to."""
        for stat in Path("/proc").glob("[0-9]*/cmdline"):
            with contextlib.suppress(OSError):
                cmd = stat.read_bytes().split(b"\0")
                if any(part.endswith(b"scripts/serve.py") for part in cmd):
                    env = (stat.parent / "environ").read_bytes()
                    if f"PORT={self.port}".encode() in env.split(b"\0"):
                        return int(stat.parent.name)
        return None

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=40)
        wait_until(lambda: health(self.port)[0] == 0, seconds=40, every=0.5)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None


# -- readers and the quiz --------------------------------------------------------------------

MAKE_READERS = """
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
User = get_user_model()
prefix, count = {prefix!r}, {count}
users = []
for number in range(count):
    user = User(username=f"{{prefix}}{{number}}", email=f"{{prefix}}{{number}}@example.com")
    user.set_unusable_password()
    users.append(user)
User.objects.bulk_create(users)
Store = import_module(settings.SESSION_ENGINE).SessionStore
keys = []
for user in User.objects.filter(username__startswith=prefix).order_by("pk"):
    session = Store()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    keys.append(session.session_key)
print(json.dumps(keys))
"""

COUNT_RESULTS = """
import json
from django.db.models import Count
from assessments.models import Result
prefix = {prefix!r}
mine = Result.objects.filter(owner__username__startswith=prefix)
per_reader = mine.values("owner").annotate(n=Count("pk"))
print(json.dumps({{
    "results": mine.count(),
    "readers_with_a_result": per_reader.count(),
    "readers_with_more_than_one": per_reader.filter(n__gt=1).count(),
}}))
"""


class QuizForm(HTMLParser):
    """The quiz form's fields: hidden values, and the choices of each radio group."""

    def __init__(self) -> None:
        super().__init__()
        self.hidden: dict[str, str] = {}
        self.choices: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs) -> None:
        if tag != "input":
            return
        attributes = dict(attrs)
        name, kind = attributes.get("name"), attributes.get("type")
        if name and kind == "hidden":
            self.hidden[name] = attributes.get("value") or ""
        elif name and kind == "radio":
            self.choices.setdefault(name, []).append(attributes.get("value") or "")


@dataclass
class Reader:
    session: str
    cookies: dict[str, str] = field(default_factory=dict)
    body: str = ""
    answers: list[Answer] = field(default_factory=list)


def prepare(port: int, reader: Reader) -> bool:
    reader.cookies = {"sessionid": reader.session}
    page = request(port, "/quiz/", cookies=reader.cookies)
    if page.status != 200:
        return False
    reader.cookies.update(page.cookies)
    form = QuizForm()
    form.feed(page.body.decode())
    answers = {name: random.choice(values) for name, values in form.choices.items()}
    reader.body = urlencode({**form.hidden, **answers})
    return "key" in form.hidden and bool(answers)


def burst(stack: Stack, readers: int, label: str) -> dict:
    """``readers`` signed-in readers each send their quiz twice, all at the same moment."""
    prefix = f"burst-{label}-{secrets.token_hex(3)}-"
    sessions = json.loads(stack.manage(MAKE_READERS.format(prefix=prefix, count=readers)))
    people = [Reader(session=key) for key in sessions]
    ready = run_threads([lambda r=r: prepare(stack.port, r) for r in people], width=16)
    if not all(ready):
        sys.exit(f"{ready.count(False)} readers could not open the quiz")
    start = threading.Barrier(2 * len(people), timeout=120)

    def submit(reader: Reader) -> None:
        start.wait()
        reader.answers.append(
            request(stack.port, "/quiz/", method="POST", body=reader.body, cookies=reader.cookies)
        )

    began = time.monotonic()
    run_threads([lambda r=r: submit(r) for r in people for _ in range(2)], width=2 * len(people))
    took = time.monotonic() - began
    answers = [a for r in people for a in r.answers]
    counts = json.loads(stack.manage(COUNT_RESULTS.format(prefix=prefix)))
    return {
        "readers": readers,
        "submissions": len(answers),
        "5xx": sum(a.status >= 500 for a in answers),
        "unanswered": sum(a.status == 0 for a in answers),
        "statuses": sorted({a.status for a in answers}),
        "seconds": round(took, 1),
        **counts,
    }


def run_threads(jobs, *, width: int) -> list:
    results: list = [None] * len(jobs)
    queue = list(enumerate(jobs))
    lock = threading.Lock()

    def work() -> None:
        while True:
            with lock:
                if not queue:
                    return
                index, job = queue.pop()
            results[index] = job()

    threads = [threading.Thread(target=work, daemon=True) for _ in range(min(width, len(jobs)))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT + 60)
    return results


# -- the faults ------------------------------------------------------------------------------


def guide_paths(stack: Stack) -> list[str]:
    chapter = stack.manage(
        "from guide.models import Section;"
        "print(Section.objects.published().order_by('order').first().get_absolute_url())"
    ).strip()
    return ["/", chapter, "/quiz/", "/search/?q=secure", "/healthz/"]


def restart_postgres(stack: Stack, postgres: Postgres, paths: list[str]) -> dict:
    down_health: list[int] = []
    with Load(stack.port, paths) as load:
        time.sleep(3)
        stopping = time.monotonic()
        postgres.stop()
        down = time.monotonic()
        wait_until(lambda: down_health.append(health(stack.port)[0]) or False, seconds=3, every=0.3)
        postgres.start()
        started = time.monotonic()
        back = None
        # Search is rate-limited per address, and the load from 127.0.0.1 spends the minute's
        # allowance: each check asks it from a loopback address of its own, so only the
        # database decides whether it answers.
        addresses = (f"127.0.{n // 250}.{n % 250 + 2}" for n in itertools.count())

        def answering() -> bool:
            return all(
                request(stack.port, path, timeout=10, source=next(addresses)).status == 200
                for path in paths
            )

        if wait_until(answering, seconds=30, every=0.05):
            back = time.monotonic()
        time.sleep(5)
    mail = mail_after_restart(stack)
    return {
        "healthz while down": sorted(set(down_health)),
        "healthz 503 while down": bool(down_health) and set(down_health) == {503},
        "back after PostgreSQL accepted connections (s)": None
        if back is None
        else round(back - started, 2),
        "down for (s)": round(started - stopping, 1),
        "before": summary([a for a in load.between(0, stopping) if a.ended < stopping]),
        "while down": summary(load.between(down, started)),
        "once back": summary(load.between(started)),
        "5xx once back": sum(a.status >= 500 for a in load.between(started)),
        **mail,
    }


def mail_after_restart(stack: Stack) -> dict:
    """Queue a message after the restart and see the worker beside gunicorn send it."""
    task_id = stack.manage(
        "from config.tasks import send_email;"
        "print(send_email.enqueue(to=['reader@example.com'], subject='After the restart',"
        " body='Sent by the worker.').id)"
    ).strip()
    check = (
        "from django_tasks_db.models import DBTaskResult;"
        f"print(DBTaskResult.objects.get(id={task_id!r}).status)"
    )
    sent = wait_until(lambda: stack.manage(check).strip() == "SUCCESSFUL", seconds=60, every=2)
    return {"mail queued after the restart sent": sent}


def stop_redis(stack: Stack, redis: Redis, paths: list[str]) -> dict:
    with Load(stack.port, paths) as load:
        time.sleep(3)
        stopped = time.monotonic()
        redis.stop()
        time.sleep(5)
        health_down = health(stack.port)
        redis.start()
        restarted = time.monotonic()
        wait_until(lambda: health(stack.port)[1].get("cache") == "ok", seconds=10)
        time.sleep(2)
        hung = time.monotonic()
        redis.process.send_signal(signal.SIGSTOP)
        time.sleep(5)
        health_hung = health(stack.port)
        redis.process.send_signal(signal.SIGCONT)
        resumed = time.monotonic()
        time.sleep(3)
    return {
        "Redis up": summary(load.between(0, stopped)),
        "Redis stopped": summary(load.between(stopped, restarted)),
        "Redis hanging": summary(load.between(hung, resumed)),
        "after": summary(load.between(resumed)),
        "5xx": sum(a.status >= 500 for a in load.between(stopped)),
        "healthz while stopped": f"{health_down[0]} {health_down[1]}",
        "healthz while hanging": f"{health_hung[0]} {health_hung[1]}",
    }


TIME_CACHE_CALL = """
import json, time
from django.conf import settings
from django.core.cache.backends.redis import RedisCacheClient
from redis.exceptions import RedisError
options = settings.CACHES["default"]["OPTIONS"]
# The client Django's cache builds, with the configured options, called directly so the error
# the cache would swallow is seen.
client = RedisCacheClient(["redis://{host}:{port}/0"], **options).get_client(write=True)
began = time.monotonic()
try:
    client.ping()
except RedisError as error:
    pass
print(json.dumps({{"options": options, "ms": round((time.monotonic() - began) * 1000)}}))
"""


def measure_timeouts(stack: Stack, redis: Redis) -> dict:
    """The cache's configured timeouts, timed against a hanging Redis and a full backlog."""

    def timed(port: int) -> dict:
        return json.loads(stack.manage(TIME_CACHE_CALL.format(host=HOST, port=port)))

    redis.process.send_signal(signal.SIGSTOP)
    try:
        read = timed(redis.port)
    finally:
        redis.process.send_signal(signal.SIGCONT)
    full = socket.create_server((HOST, 0), backlog=0)
    fillers = []
    try:
        for _ in range(4):  # fill the accept queue; further handshakes get no answer
            filler = socket.socket()
            filler.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                filler.connect(full.getsockname())
            fillers.append(filler)
        time.sleep(0.2)
        connect = timed(full.getsockname()[1])
    finally:
        for filler in fillers:
            filler.close()
        full.close()
    return {
        "configured": read["options"],
        "a call to a hanging Redis gives up after (ms)": read["ms"],
        "a connection nobody accepts gives up after (ms)": connect["ms"],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--readers", type=int, default=200, help="burst size on PostgreSQL")
    parser.add_argument("--sqlite-readers", type=int, default=100, help="burst size on SQLite")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    if not PYTHON.exists():
        sys.exit("Run `make install` first (or use `make faults`).")
    if Path(sys.prefix).resolve() != (ROOT / ".venv").resolve():
        os.execv(PYTHON, [str(PYTHON), __file__, *sys.argv[1:]])  # the project's packages

    directory = Path(tempfile.mkdtemp(prefix="securebase-faults-"))
    directory.chmod(0o755)  # the postgres user works in it
    postgres, redis = Postgres(directory), Redis(directory)
    stacks: list[Stack] = []
    figures: dict[str, dict] = {}
    ok = True
    try:
        say(f"Our own PostgreSQL on {HOST}:{postgres.port}, Redis on {HOST}:{redis.port}")
        postgres.create()
        redis.start()
        stack = Stack(directory, {"DATABASE_URL": postgres.url, "REDIS_URL": redis.url}, "pg")
        stacks.append(stack)
        say(f"make run on {HOST}:{stack.port} (PostgreSQL + Redis) …")
        stack.start()
        paths = guide_paths(stack)

        say("1. Restarting PostgreSQL under load …")
        figures["PostgreSQL restart"] = pg = restart_postgres(stack, postgres, paths)
        back = pg["back after PostgreSQL accepted connections (s)"]
        ok &= pg["5xx once back"] == 0 and back is not None and back <= BACK_WITHIN
        ok &= pg["healthz 503 while down"] and pg["mail queued after the restart sent"]

        say("2. Stopping Redis, then making it hang, under load …")
        figures["Redis outage"] = rd = stop_redis(stack, redis, paths)
        figures["cache timeouts"] = measure_timeouts(stack, redis)
        ok &= rd["5xx"] == 0

        say(f"3. {args.readers} readers submit the quiz twice each, at once (PostgreSQL) …")
        figures["burst on PostgreSQL"] = b = burst(stack, args.readers, "pg")
        ok &= b["5xx"] == 0 and b["unanswered"] == 0
        ok &= b["results"] == b["readers_with_a_result"] == args.readers
        stack.stop()

        sqlite_url = f"sqlite:///{directory / 'db.sqlite3'}"
        stack = Stack(directory, {"DATABASE_URL": sqlite_url}, "sqlite")
        stacks.append(stack)
        say(f"4. make run on SQLite ({sqlite_url}), {args.sqlite_readers} readers …")
        stack.start()
        figures["burst on SQLite"] = s = burst(stack, args.sqlite_readers, "sqlite")
        ok &= s["5xx"] == 0 and s["unanswered"] == 0
        ok &= s["results"] == s["readers_with_a_result"] == args.sqlite_readers
    finally:
        for stack in stacks:
            stack.stop()
        redis.stop()
        with contextlib.suppress(Exception):
            postgres.stop("immediate")
        if args.keep:
            say(f"Kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)

    say("")
    for title, values in figures.items():
        say(f"== {title}")
        for name, value in values.items():
            say(f"   {name}: {value}")
    cpus = os.cpu_count()
    say(f"\nMachine: {cpus} CPUs, load average {os.getloadavg()[0]:.1f} at the end.")
    say("Nothing lost." if ok else "SOMETHING WAS LOST: see above.")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
