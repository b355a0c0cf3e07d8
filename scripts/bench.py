#!/usr/bin/env python
"""Page-speed benchmark: serve the site as production does, load it with wrk, report ratios.

Every figure is a ratio to WhiteNoise serving one static file in the same pass, so results
compare across machines and runs; absolute requests per second depend on the box. It serves
the site twice with gunicorn (rendering every page, then with the Redis page cache
production uses), measures every page in three passes and reports each ratio's median
beside its goal, /healthz/ as the framework's floor and /privacy/ (fixed text in the
site's frame) as what rendering any page costs. Then it puts the nginx front
(config/nginx/) before gunicorn and compares a chapter through it with nginx serving the
same chapter's HTML as a file, the physical limit. Traffic goes only to 127.0.0.1.

Any non-2xx answer fails the run. The server runs with rate limits off (RATE_LIMITS=0):
wrk is one address asking thousands of times a second.

    make bench                      # or: .venv/bin/python scripts/bench.py --seconds 5
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from config.proxy import INSTALL_HINT, NginxFront, free_port, nginx_binary  # noqa: E402

PYTHON = sys.executable
DEFAULT_DB = "postgres:///secure_base_bench"
RENDERED, CACHED = "rendered", "cached"
READER = "bench-reader"
RESULTS, TOOLKIT = 100, 50


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    rendered_goal: float | None = None
    cached_goal: float | None = None
    reader: bool = False  # signed in as a reader with RESULTS results and TOOLKIT saved items


# Add a page here and it is measured, reported and checked against its goals.
PAGES = [
    Page("static file (baseline)", "/static/css/site.css"),
    Page("health check (floor)", "/healthz/"),
    # Fixed text in the site's frame (base.html, header, footer), no query of its own: what
    # rendering a page costs before it shows any content.
    Page("page frame (privacy)", "/privacy/"),
    Page("home", "/", 0.30, 0.80),
    Page("chapter", "/guide/what-is-secure-attachment/", 0.30, 0.80),
    Page("chapter with signs", "/guide/signs-of-secure-attachment/", 0.30, 0.80),
    Page("strategy", "/strategies/physiological-sigh/", 0.30, 0.80),
    Page("sitemap", "/sitemap.xml", 0.30, 0.80),
    Page("feed", "/feed/", 0.30, 0.80),
    Page("search", "/search/?q=physiological+sigh", 0.25),
    Page("quiz", "/quiz/", 0.30),
    Page("My space", "/me/", 0.20, reader=True),
    Page("My toolkit", "/me/toolkit/", 0.20, reader=True),
]
BASELINE = PAGES[0]
FLOOR = PAGES[1]
PROXIED = "/guide/what-is-secure-attachment/"
PROXY_GOAL = 0.5


def ensure_postgres_database(url: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    if "postgresql" not in config["ENGINE"]:
        return
    with psycopg.connect(
        dbname="postgres",
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        autocommit=True,
    ) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{config["NAME"]}"')


def wrk(url: str, seconds: int, connections: int, cookie: str = "") -> dict[str, float]:
    """Requests per second and median latency (ms); any non-2xx answer ends the run."""
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        "--latency",
        url,
    ]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        raise SystemExit(f"{url} answered errors under load:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    if not rps:
        raise SystemExit(f"{url}: no request finished in {seconds}s; give it more --seconds")
    return {"rps": rps, "p50_ms": latency_ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1))}


def latency_ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit]


def fetch(url: str, cookie: str = "") -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def redis_answers(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        client.flushdb()  # the benchmark's own database number: start from an empty cache
        return True
    except redis.RedisError:
        return False


class Server:
    """gunicorn serving the site on a free port, as `make run` does."""

    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**env, "PORT": str(self.port)}

    def __enter__(self) -> Server:
        self.process = subprocess.Popen(
            [
                str(Path(PYTHON).parent / "gunicorn"),
                "--config",
                "config/gunicorn.conf.py",
                "--access-logfile",
                "/dev/null",
                # Production recycles workers every ~2,000 requests; under wrk that is every
                # second, and each restart would be measured as the page that met it.
                "--max-requests",
                "0",
                "config.wsgi",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(200):
            try:
                urllib.request.urlopen(self.url + FLOOR.path, timeout=1)
                return self
            except OSError:
                time.sleep(0.1)
        raise SystemExit("gunicorn did not start")

    def __exit__(self, *exc) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def reader_cookie(env: dict[str, str]) -> str:
    """Sign a reader in with RESULTS quiz results and TOOLKIT saved strategies: the session
    cookie for My space. Extra strategies go on the repair path, which no measured page shows."""
    code = f"""
import random, uuid
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from assessments import services
from assessments.models import Result, SavedStrategy
from guide.models import Sign, Strategy
User = get_user_model()
reader = User.objects.filter(username={READER!r}).first() or User.objects.create_user(
    {READER!r}, password=uuid.uuid4().hex)
for n in range(Strategy.objects.count(), {TOOLKIT}):
    Strategy.objects.create(slug=f"bench-practice-{{n}}", title=f"Practice {{n}}",
                            path="repair", order=1000 + n, body="A practice. " * 40)
for strategy in Strategy.objects.published()[:{TOOLKIT}]:
    services.strategy_save(owner=reader, strategy=strategy)
signs = list(Sign.objects.published().values_list("slug", flat=True))
rng = random.Random(7)
for n in range(Result.objects.filter(owner=reader).count(), {RESULTS}):
    services.result_create(owner=reader, subject="self", key=uuid.uuid4(),
                           answers={{slug: rng.randint(1, 5) for slug in signs}},
                           taken_at=timezone.now() - timedelta(days=7 * n))
client = Client()
client.force_login(reader, backend="django.contrib.auth.backends.ModelBackend")
print("COOKIE", client.cookies["sessionid"].value)
"""
    output = subprocess.run(
        [PYTHON, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return "sessionid=" + re.search(r"COOKIE (\S+)", output).group(1)


def measure(server: Server, pages: list[Page], args, cookie: str) -> dict[str, list[dict]]:
    """Each page loaded once per pass; each pass has its own baseline."""
    for page in pages:  # warm up, and fail early on a broken page
        status, _ = fetch(server.url + page.path, cookie if page.reader else "")
        if status != 200:
            raise SystemExit(f"{page.path} answered {status}")
    runs: dict[str, list[dict]] = {page.name: [] for page in pages}
    for _ in range(args.passes):
        for page in pages:
            result = wrk(
                server.url + page.path,
                args.seconds,
                args.connections,
                cookie if page.reader else "",
            )
            runs[page.name].append(result)
    return runs


def ratios(runs: dict[str, list[dict]], baseline: str) -> dict[str, dict]:
    out = {}
    for name, results in runs.items():
        per_pass = [r["rps"] / b["rps"] for r, b in zip(results, runs[baseline], strict=True)]
        out[name] = {
            "ratio": statistics.median(per_pass),
            "ratios": per_pass,
            "rps": statistics.median(r["rps"] for r in results),
            "p50_ms": statistics.median(r["p50_ms"] for r in results),
        }
    return out


def mark(value: float | None, goal: float | None) -> str:
    if goal is None or value is None:
        return ""
    return "pass" if value >= goal else "SHORT"


def proxy_pass(env: dict[str, str], args, workdir: Path) -> dict:
    """A chapter through the nginx front vs nginx serving that chapter's HTML as a file."""
    with Server(env) as server:
        status, html = fetch(server.url + PROXIED)
        if status != 200:
            raise SystemExit(f"{PROXIED} answered {status}")
        files = workdir / "files"
        files.mkdir(parents=True, exist_ok=True)
        (files / "chapter.html").write_bytes(html)
        file_port = free_port()
        extra = (
            f"server {{ listen 127.0.0.1:{file_port}; root {files}; "
            "location / { default_type text/html; } }"
        )
        upstream = server.url.removeprefix("http://")
        with NginxFront(
            upstream, static_root=ROOT / "staticfiles", workdir=workdir / "nginx", extra=extra
        ) as front:
            file_url = f"http://127.0.0.1:{file_port}/chapter.html"
            passes = []
            for _ in range(args.passes):
                proxied = wrk(front.url + PROXIED, args.seconds, args.connections)
                limit = wrk(file_url, args.seconds, args.connections)
                passes.append((proxied["rps"], limit["rps"]))
    per_pass = [proxied / limit for proxied, limit in passes]
    return {
        "path": PROXIED,
        "ratio_to_nginx_file": statistics.median(per_pass),
        "ratios": per_pass,
        "rps": statistics.median(p for p, _ in passes),
        "nginx_file_rps": statistics.median(limit for _, limit in passes),
        "goal": PROXY_GOAL,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=3, help="load per page (default 3)")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        help="a Redis database the benchmark may empty, to measure as production runs",
    )
    args = parser.parse_args()

    for tool, hint in (("wrk", "apt-get install -y wrk"), ("nginx", INSTALL_HINT)):
        if not (shutil.which(tool) or (tool == "nginx" and nginx_binary())):
            raise SystemExit(f"{tool} is not installed: {hint}")
    secret = (ROOT / "var" / "secret_key").read_text().strip()
    env = {
        **os.environ,
        "DEBUG": "0",
        "HTTPS": "0",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": os.environ.get(
            "BENCH_DATABASE_URL", os.environ.get("DATABASE_URL", DEFAULT_DB)
        ),
        "WEB_CONCURRENCY": str(args.workers),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": "",
        "RATE_LIMITS": "0",  # this server only: wrk is one address asking very fast
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    ensure_postgres_database(env["DATABASE_URL"])
    for command in (
        ["migrate", "--noinput", "--verbosity", "0"],
        ["collectstatic", "--noinput", "--verbosity", "0"],
        ["load_guide"],
    ):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)
    cookie = reader_cookie(env)
    if not redis_answers(args.redis_url):
        raise SystemExit(f"Redis at {args.redis_url} does not answer: start it or --redis-url")
    setups = {RENDERED: env, CACHED: {**env, "REDIS_URL": args.redis_url}}

    pages = PAGES
    results = {}
    for name, setup in setups.items():
        with Server(setup) as server:
            results[name] = ratios(measure(server, pages, args, cookie), BASELINE.name)
    (ROOT / ".cache").mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-", dir=ROOT / ".cache") as workdir:
        proxy = proxy_pass(setups[CACHED], args, Path(workdir))

    report(pages, results, proxy, args)


def report(pages, results, proxy, args) -> None:
    rendered, cached = results[RENDERED], results[CACHED]
    print(
        f"\nmake bench: {args.passes} passes, median ratio to whitenoise serving "
        f"{BASELINE.path} in the same pass (wrk -t2 -c{args.connections} -d{args.seconds}s, "
        f"{args.workers} gunicorn workers)\n"
    )
    header = f"{'page':<24} {'rendered':>9} {'goal':>6} {'':>5}  {'cached':>7} {'goal':>6} {'':>5}"
    print(header)
    print("-" * len(header))
    rows = []
    for page in pages:
        r, c = rendered[page.name]["ratio"], cached[page.name]["ratio"]
        if page.rendered_goal is None and page.cached_goal is None:  # a reference point
            print(f"{page.name:<24} {r:>9.2f} {'':>6} {'':>5}  {c:>7.2f}")
            continue
        r_mark, c_mark = mark(r, page.rendered_goal), mark(c, page.cached_goal)
        cached_goal = f"{page.cached_goal:.2f}" if page.cached_goal else "n/a"
        print(
            f"{page.name:<24} {r:>9.2f} {page.rendered_goal or 0:>6.2f} {r_mark:>5}  "
            f"{c:>7.2f} {cached_goal:>6} {c_mark:>5}"
        )
        rows.append((r_mark, c_mark))
    proxy_mark = mark(proxy["ratio_to_nginx_file"], PROXY_GOAL)
    print(
        f"\nchapter through the nginx front: {proxy['ratio_to_nginx_file']:.2f} of nginx "
        f"serving its HTML as a file (goal {PROXY_GOAL:.2f}) {proxy_mark}"
    )
    short = sum(m == "SHORT" for row in rows for m in row) + (proxy_mark == "SHORT")
    print(f"\n{short} goal(s) short" if short else "\nevery goal met")

    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    data = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": "make bench",
        "seconds": args.seconds,
        "passes": args.passes,
        "connections": args.connections,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "baseline": BASELINE.path,
        "pages": {
            page.name: {
                "path": page.path,
                RENDERED: rendered[page.name],
                CACHED: cached[page.name],
                "goals": {RENDERED: page.rendered_goal, CACHED: page.cached_goal},
            }
            for page in pages
        },
        "proxy": proxy,
        "goals_short": short,
    }
    (out / "latest.json").write_text(json.dumps(data, indent=2) + "\n")
    print(f"written to {out / 'latest.json'}")


if __name__ == "__main__":
    main()
