#!/usr/bin/env python
"""Page-speed benchmark: serve the site as production does, load it with wrk, report ratios.

Every figure is a ratio to serving one static file in the same run, so results compare across
machines and runs; absolute requests per second depend on the box. Traffic goes only to
127.0.0.1, bounded by --seconds per page. It measures twice: rendering every page, and (when
the Redis at --redis-url answers) with the shared cache production uses, which turns on the
signed-out page cache.

    make bench                      # or: .venv/bin/python scripts/bench.py --seconds 5
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DEFAULT_DB = "postgres:///secure_base_bench"
PAGES = [
    ("static file (baseline)", "/static/css/site.css"),
    ("health check", "/healthz/"),
    ("home", "/"),
    ("chapter", "/guide/what-is-secure-attachment/"),
    ("chapter with signs", "/guide/signs-of-secure-attachment/"),
    ("strategy", "/strategies/physiological-sigh/"),
    ("search", "/search/?q=physiological+sigh"),
    ("quiz", "/quiz/"),
    ("sitemap", "/sitemap.xml"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def wrk(url: str, seconds: int, connections: int) -> float:
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise SystemExit(f"{url} answered errors under load:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=5, help="load per page (default 5)")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15"),
        help="a Redis database the benchmark may empty, to measure as production runs",
    )
    args = parser.parse_args()

    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    secret = (ROOT / "var" / "secret_key").read_text().strip()
    env = {
        **os.environ,
        "DEBUG": "0",
        "HTTPS": "0",
        "SECRET_KEY": secret,
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": os.environ.get("DATABASE_URL", DEFAULT_DB),
        "WEB_CONCURRENCY": str(args.workers),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": "",
        # wrk is one client asking thousands of times: the per-client limits would answer 429.
        "RATE_LIMITS": "0",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    ensure_postgres_database(env["DATABASE_URL"])
    for command in (
        ["migrate", "--noinput", "--verbosity", "0"],
        ["collectstatic", "--noinput", "--verbosity", "0"],
        ["load_guide"],
    ):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)

    setups = {"rendered every time (no shared cache)": {**env}}
    if args.redis_url and redis_answers(args.redis_url):
        setups["with Redis: signed-out page cache"] = {**env, "REDIS_URL": args.redis_url}
    elif args.redis_url:
        print(f"Redis at {args.redis_url} does not answer: measuring without it only.")
    runs = {name: measure(setup, args) for name, setup in setups.items()}

    for name, results in runs.items():
        baseline = results[PAGES[0][0]]
        print(f"\n{name}\n{'page':<26} {'req/s':>9} {'ratio to static':>16}")
        for page, path in PAGES:
            rps = results[page]
            print(f"{page:<26} {rps:>9.0f} {rps / baseline:>16.2f}   {path}")
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    report = {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "seconds": args.seconds,
        "connections": args.connections,
        "workers": args.workers,
        "cpus": os.cpu_count(),
        "runs": {
            name: {
                page: {
                    "path": path,
                    "rps": results[page],
                    "ratio": results[page] / results[PAGES[0][0]],
                }
                for page, path in PAGES
            }
            for name, results in runs.items()
        },
    }
    (out / "latest.json").write_text(json.dumps(report, indent=2))
    print(f"\nwritten to {out / 'latest.json'}")


def redis_answers(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2)
        client.ping()
        client.flushdb()  # the benchmark's own database number: start from an empty cache
        return True
    except redis.RedisError:
        return False


def measure(env: dict[str, str], args) -> dict[str, float]:
    """Serve the site with gunicorn on a free port and load every page with wrk."""
    port = free_port()
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "--config",
            "config/gunicorn.conf.py",
            "--access-logfile",
            "/dev/null",
            "config.wsgi",
        ],
        cwd=ROOT,
        env={**env, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        for _, path in PAGES:  # warm up, and fail early on a broken page
            with urllib.request.urlopen(base + path, timeout=5) as response:
                assert response.status == 200, path
        return {name: wrk(base + path, args.seconds, args.connections) for name, path in PAGES}
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
