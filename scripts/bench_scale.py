#!/usr/bin/env python
"""Cost as content grows: the guide at 1x, 10x and 100x today's size, in a throwaway database.

For each size it fills the database with the real guide plus synthetic copies of every item
(chapters without typed content, strategies, therapies, questions, references and signs,
each copy its original's text under a new slug), serves the site with gunicorn rendering
every page (no page cache), and reports:

* the chapter's render ratio (to whitenoise serving a static file, same pass);
* the search ratio, for a two-word query;
* search's median latency (p50).

Goals: search p50 at 100x within 2x of 1x; the chapter's ratio within 15% of 1x.

    make bench-scale                # or: .venv/bin/python scripts/bench_scale.py --seconds 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench import PYTHON, Server, fetch, wrk  # noqa: E402

DEFAULT_DB = "postgres:///secure_base_scale"
SIZES = (1, 10, 100)
STATIC = "/static/css/site.css"
CHAPTER = "/guide/what-is-secure-attachment/"
SEARCH = "/search/?q=physiological+sigh"

# Run inside the site (manage.py shell): copies of every item, stored HTML and search vectors
# as a save would leave them, in bulk so a 100x guide fills in seconds.
GROW = """
from guide import search
from guide.models import FAQ, Reference, Section, Sign, Strategy, Therapy
copies = {copies}
for model in (Section, Strategy, Therapy, FAQ, Reference, Sign):
    originals = list(model.objects.all())
    if model is Section:
        originals = [s for s in originals if not s.component]
    names = [f.attname for f in model._meta.concrete_fields
             if f.attname not in {{"id", "search_vector"}}]
    rows = [{{name: getattr(item, name) for name in names}} for item in originals]
    made = [
        model(**{{**row, "slug": f"{{row['slug'][:60]}}-x{{n}}",
                 "order": row["order"] + 10_000 * n}})
        for n in range(1, copies) for row in rows
    ]
    model.objects.bulk_create(made, batch_size=500)
    source = search.source_for(model)
    if source is not None:
        search.fill_vectors(model, source)
# A guide that grew over months, as autovacuum keeps it: the bulk load's GIN pending lists
# merged into the search indexes and the planner's statistics up to date. Measured straight
# after the load instead, search would scan each index's pending list on every query.
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("VACUUM ANALYZE")
print("items", sum(m.objects.count() for m in (Section, Strategy, Therapy, FAQ, Reference, Sign)))
"""


def reset_database(url: str) -> None:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(url)
    with psycopg.connect(dbname="postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{config["NAME"]}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    env = {
        **os.environ,
        "DEBUG": "0",
        "HTTPS": "0",
        "SECRET_KEY": (ROOT / "var" / "secret_key").read_text().strip(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": os.environ.get("BENCH_SCALE_DATABASE_URL", DEFAULT_DB),
        "WEB_CONCURRENCY": str(args.workers),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REDIS_URL": "",
        "RATE_LIMITS": "0",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run(
        [PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": "sqlite:///:memory:"},
        check=True,
    )
    results = {}
    for size in sizes:
        reset_database(env["DATABASE_URL"])
        manage = [PYTHON, "manage.py"]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
        subprocess.run([*manage, "load_guide", "-v", "0"], cwd=ROOT, env=env, check=True)
        grown = subprocess.run(
            [*manage, "shell", "-v", "0", "-c", GROW.format(copies=size)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()[-1]
        with Server(env) as server:
            for path in (CHAPTER, SEARCH):
                if fetch(server.url + path)[0] != 200:
                    raise SystemExit(f"{path} does not answer 200 at {size}x")
            passes = []
            for _ in range(args.passes):
                static = wrk(server.url + STATIC, args.seconds, args.connections)
                chapter = wrk(server.url + CHAPTER, args.seconds, args.connections)
                found = wrk(server.url + SEARCH, args.seconds, args.connections)
                passes.append((static, chapter, found))
        results[size] = {
            "items": int(grown),
            "chapter_ratio": statistics.median(c["rps"] / s["rps"] for s, c, _ in passes),
            "search_ratio": statistics.median(f["rps"] / s["rps"] for s, _, f in passes),
            "search_p50_ms": statistics.median(f["p50_ms"] for _, _, f in passes),
        }
        row = results[size]
        print(
            f"{size:>4}x  {row['items']:>6} items  chapter {row['chapter_ratio']:.2f}  "
            f"search {row['search_ratio']:.3f}  search p50 {row['search_p50_ms']:.1f} ms",
            flush=True,
        )
    reset_database(env["DATABASE_URL"])  # throwaway: leave nothing behind but the figures

    first, last = results[sizes[0]], results[sizes[-1]]
    search_growth = last["search_p50_ms"] / first["search_p50_ms"]
    chapter_change = abs(last["chapter_ratio"] / first["chapter_ratio"] - 1)
    checks = {
        f"search p50 at {sizes[-1]}x within 2x of {sizes[0]}x": search_growth <= 2,
        f"chapter ratio at {sizes[-1]}x within 15% of {sizes[0]}x": chapter_change <= 0.15,
    }
    print(f"\nsearch p50 grew {search_growth:.2f}x; chapter ratio moved {chapter_change:.0%}")
    for goal, met in checks.items():
        print(f"{'pass ' if met else 'SHORT'} {goal}")
    out = ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "scale.json").write_text(
        json.dumps(
            {
                "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "command": "make bench-scale",
                "seconds": args.seconds,
                "passes": args.passes,
                "sizes": results,
                "goals": checks,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"written to {out / 'scale.json'}")


if __name__ == "__main__":
    main()
