"""The container and its services, tested without a Docker daemon: the entrypoint script run
directly, compose.yaml and the Dockerfile read as files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.test_project import PRODUCTION_ENV, TEST_ONLY_ENV, manage

ROOT = Path(settings.BASE_DIR)
COMPOSE_TEXT = (ROOT / "compose.yaml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES = COMPOSE["services"]


def entrypoint(env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {key: value for key, value in os.environ.items() if key not in TEST_ONLY_ENV}
    path = f"{Path(sys.executable).parent}:{base.get('PATH', '')}"
    return subprocess.run(
        [str(ROOT / "scripts" / "docker-entrypoint.sh"), "echo", "serving now"],
        cwd=ROOT,
        env={**base, "PATH": path, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {**PRODUCTION_ENV, "REDIS_URL": "", "MIGRATE_ON_START": "0"}


def test_the_entrypoint_refuses_to_serve_without_mail_and_names_the_variable():
    result = entrypoint({**PRODUCTION, "EMAIL_HOST": ""})

    assert result.returncode != 0
    assert "serving now" not in result.stdout
    assert "mail.E001" in result.stderr
    assert "Set EMAIL_HOST" in result.stderr


def test_the_entrypoint_serves_a_complete_configuration():
    result = entrypoint(PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("serving now")


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("SECRET_KEY", "", "SECRET_KEY"),
        ("ALLOWED_HOSTS", "", "ALLOWED_HOSTS"),
        ("DATABASE_URL", "postgres://securebase:change-me@db:5432/securebase", "POSTGRES_PASSWORD"),
        ("REDIS_URL", "redis://:change-me@redis:6379/0", "REDIS_PASSWORD"),
    ],
)
def test_the_entrypoint_names_what_else_is_missing(variable, value, named):
    result = entrypoint({**PRODUCTION, variable: value})

    assert result.returncode != 0
    assert "serving now" not in result.stdout
    assert f"Set {named}" in result.stderr


def env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key] = value
    return values


def test_env_examples_placeholder_secret_is_refused_even_with_debug_on():
    secret = env_example()["SECRET_KEY"]
    for debug in ("0", "1"):
        result = manage("check", env={**PRODUCTION_ENV, "DEBUG": debug, "SECRET_KEY": secret})
        assert result.returncode != 0
        assert "SECRET_KEY is still the placeholder from .env.example" in result.stderr


def test_env_examples_placeholder_database_and_redis_passwords_are_refused():
    example = env_example()
    database = f"postgres://securebase:{example['POSTGRES_PASSWORD']}@db:5432/securebase"
    redis = f"redis://:{example['REDIS_PASSWORD']}@redis:6379/0"

    refused_db = manage("check", env={**PRODUCTION_ENV, "DATABASE_URL": database})
    refused_redis = manage("check", env={**PRODUCTION_ENV, "REDIS_URL": redis})

    assert "The password in DATABASE_URL is still the placeholder" in refused_db.stderr
    assert "The password in REDIS_URL is still the placeholder" in refused_redis.stderr


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_every_compose_service_is_hardened(name):
    service = SERVICES[name]

    assert service.get("read_only") is True, name
    assert "/tmp" in service.get("tmpfs", []), name
    assert service.get("cap_drop") == ["ALL"], name
    assert "no-new-privileges:true" in service.get("security_opt", []), name
    assert not service.get("cap_add"), name
    assert not service.get("privileged"), name


def test_redis_asks_for_a_password_and_evicts_least_recently_used_keys():
    command = SERVICES["redis"]["command"]
    password = command[command.index("--requirepass") + 1]

    assert password.startswith("${REDIS_PASSWORD:?")
    assert command[command.index("--maxmemory") + 1]
    assert command[command.index("--maxmemory-policy") + 1] == "allkeys-lru"
    for name, service in SERVICES.items():
        url = service.get("environment", {}).get("REDIS_URL")
        if url:
            assert url.startswith("redis://:${REDIS_PASSWORD:?"), name


def test_the_image_keeps_its_code_read_only_for_the_app_user():
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    stages = [i for i, line in enumerate(lines) if line.startswith("FROM ")]
    # The image `docker build .` makes is the last stage; it may build on an earlier one
    # (FROM app AS runtime): what it runs is that stage's lines and its own.
    last = lines[stages[-1] :]
    base = last[0].split()[1]
    runtime = last
    for start, end in zip(stages, [*stages[1:], len(lines)], strict=True):
        if lines[start].endswith(f" AS {base}"):
            runtime = lines[start:end] + last

    assert [line for line in runtime if line.startswith("USER ")][-1] == "USER app"
    assert not any(line.startswith("COPY") and "--chown" in line for line in runtime)
    chowns = [line for line in runtime if "chown" in line]
    assert chowns == ["&& chown app:app /app/var \\"]
    assert "ENV TMPDIR=/tmp" in runtime


def test_make_run_needs_no_mail_server_and_says_where_mail_goes():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile[makefile.index("\nrun:") : makefile.index("\ndev:")]

    assert "EMAIL_HOST" not in run.split("echo")[0]
    assert "Mail (password resets) is printed in this terminal" in run


def test_the_privacy_page_says_how_long_the_task_queue_keeps_a_message(client):
    """The queue holds a reset message (address and link) until it is pruned: the privacy page
    must promise no less than housekeeping does, in compose and in the README's cron line."""
    days = {int(n) for n in re.findall(r"prune_db_task_results --min-age-days (\d+)", COMPOSE_TEXT)}
    days |= {
        int(n)
        for n in re.findall(
            r"prune_db_task_results --min-age-days (\d+)", (ROOT / "README.md").read_text()
        )
    }
    assert days == {1}
    page = client.get("/privacy/").content.decode()
    assert page.count("deleted a day later") + page.count("cleared from it a day later") == 2
