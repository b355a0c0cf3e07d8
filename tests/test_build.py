"""The build as a newcomer meets it: locked dependencies, make's verbs, missing system tools."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.conf import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(settings.BASE_DIR)
LOCK = ROOT / "requirements" / "lock.txt"
LOCK_DEV = ROOT / "requirements" / "lock-dev.txt"
PINNED = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def locked(path: Path) -> dict[str, str]:
    """Name -> exact version of every package in an exported lock file."""
    versions = {}
    for line in path.read_text().splitlines():
        if match := PINNED.match(line):
            versions[canonicalize_name(match.group(1))] = match.group(2)
    return versions


def commands(text: str) -> list[str]:
    """Shell or Dockerfile commands with their backslash continuations joined."""
    return [" ".join(line.split()) for line in text.replace("\\\n", " ").splitlines()]


def make(*args: str) -> str:
    result = subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize(
    ("lock", "groups"), [(LOCK, []), (LOCK_DEV, ["dev"])], ids=["site", "site and dev tools"]
)
def test_every_dependency_in_pyproject_is_locked_at_a_version_its_range_allows(lock, groups):
    project = pyproject()
    wanted = project["project"]["dependencies"] + [
        entry for group in groups for entry in project["dependency-groups"][group]
    ]
    versions = locked(lock)

    for entry in wanted:
        requirement = Requirement(entry)
        name = canonicalize_name(requirement.name)
        assert name in versions, f"{entry} is not in {lock.name}: run `make lock`"
        assert requirement.specifier.contains(versions[name], prereleases=True), (
            f"{lock.name} has {name}=={versions[name]}, outside {entry}: run `make lock`"
        )


def test_the_image_locks_only_the_site_and_the_dev_lock_adds_only_the_dev_group():
    site, dev = locked(LOCK), locked(LOCK_DEV)

    assert "pytest" not in site and "ruff" not in site
    assert site.items() <= dev.items()  # the same versions of the site's packages everywhere


@pytest.mark.parametrize("lock", [LOCK, LOCK_DEV], ids=["lock.txt", "lock-dev.txt"])
def test_every_locked_package_carries_its_hashes(lock):
    text = lock.read_text().replace("\\\n", " ")
    entries = [line for line in text.splitlines() if PINNED.match(line)]

    assert len(entries) >= 10
    unhashed = [entry.split()[0] for entry in entries if "--hash=sha256:" not in entry]
    assert unhashed == []


def test_the_lock_is_what_uv_makes_from_pyproject_today():
    """uv.lock matches pyproject.toml, and both exports are uv's export of it, byte for byte."""
    uv = Path(sys.executable).parent / "uv"
    env = {**os.environ, "UV_OFFLINE": "1", "UV_NO_PROGRESS": "1"}
    check = subprocess.run(
        [uv, "lock", "--check", "--python", sys.executable],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.returncode == 0, f"uv.lock is out of date: run `make lock`\n{check.stderr}"
    for lock, options in ((LOCK, ["--no-dev"]), (LOCK_DEV, ["--all-groups"])):
        export = subprocess.run(
            [uv, "export", "--quiet", "--locked", "--format", "requirements-txt"]
            + ["--no-emit-project", *options],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert export.returncode == 0, export.stderr
        assert without_header(export.stdout) == without_header(lock.read_text()), (
            f"{lock.name} is stale: run `make lock`"
        )


def without_header(text: str) -> list[str]:
    """The export without uv's opening comment (which names the output file)."""
    lines = text.splitlines()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return lines


def test_the_image_installs_its_dependencies_from_the_lock_with_hashes():
    dockerfile = (ROOT / "Dockerfile").read_text()
    installs = [line for line in commands(dockerfile) if "pip install" in line]

    assert installs, "the image installs its dependencies"
    for line in installs:
        assert "--require-hashes" in line and "-r requirements/lock.txt" in line, line
    assert "COPY requirements/lock.txt" in dockerfile


def test_make_install_and_ci_install_from_the_dev_lock_with_hashes():
    steps = make("--always-make", "--dry-run", "install")
    installs = [line for line in steps.splitlines() if "pip install" in line]

    assert installs and all(
        "--require-hashes -r requirements/lock-dev.txt" in line for line in installs
    ), installs
    ci = (ROOT / ".ci" / "run").read_text()
    assert "pip install" not in ci  # CI installs through make, so from the same lock
    assert [line for line in commands(ci) if line.startswith("make ")] == ["make lint", "make test"]


def test_make_test_and_make_bench_set_up_their_system_tools_first():
    test_steps = make("--always-make", "--dry-run", "test", "STAMP=/dev/null").splitlines()
    bench_steps = make("--always-make", "--dry-run", "bench", "STAMP=/dev/null").splitlines()

    setup = next(i for i, line in enumerate(test_steps) if "scripts/setup-test-deps" in line)
    pytest_run = next(i for i, line in enumerate(test_steps) if "-m pytest" in line)
    assert setup < pytest_run
    assert {"chromium", "postgresql", "nginx", "wrk"} <= set(
        test_steps[setup].split("setup-test-deps")[1].split()
    )
    assert "wrk" in next(line for line in bench_steps if "setup-test-deps" in line).split()
    assert test_steps[-1].startswith("DATABASE_URL=")  # pytest's summary ends the output


def test_make_help_names_each_verb_once_and_each_is_a_target():
    lines = [line for line in make("help").splitlines() if line.startswith("make ")]
    verbs = [line.split()[1] for line in lines]

    assert len(verbs) == len(set(verbs)), verbs
    phony = re.search(r"^\.PHONY:(.*)$", (ROOT / "Makefile").read_text(), re.M).group(1).split()
    assert set(verbs) <= set(phony)
    assert {"run", "test", "lint", "fmt", "lock", "bench", "editor"} <= set(verbs)


def test_make_lint_runs_the_pre_commit_hooks_the_repository_declares():
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    hooks = re.findall(r"entry: (\S+)", config)

    assert "pre-commit run --all-files" in make("--always-make", "--dry-run", "lint")
    assert sorted(Path(hook).name for hook in hooks) == ["django-upgrade", "djhtml", "ruff", "ruff"]
    assert "django-upgrade --target-version 6.1" in config
    assert all(hook.startswith(".venv/bin/") for hook in hooks)  # the locked versions
    assert "repo: local" in config


class TestSetupOfSystemTools:
    """scripts/setup-test-deps: silent when a tool is here, a command to run when it can't help.

    These runs never install: they are either not root (as `nobody`) or say SETUP_INSTALL=0.
    """

    script = str(ROOT / "scripts" / "setup-test-deps")

    def run(self, *tools: str, as_nobody: bool = False, **env: str):
        prefix = []
        if as_nobody and os.geteuid() == 0:
            prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        return subprocess.run(
            [*prefix, self.script, *tools],
            env={**os.environ, "PYTHON": sys.executable, **env},
            capture_output=True,
            text=True,
            timeout=60,
        )

    def test_a_tool_that_is_here_passes_silently(self):
        result = self.run("chromium", CHROMIUM_PATH=shutil.which("sh"))

        assert (result.returncode, result.stdout, result.stderr) == (0, "", "")

    def test_without_root_a_missing_browser_stops_the_run_with_the_command_to_type(self):
        result = self.run("chromium", as_nobody=True, CHROMIUM_PATH="/nonexistent/chromium")

        assert result.returncode == 1
        assert "Chromium (at /nonexistent/chromium) is missing" in result.stderr
        assert "sudo apt-get install -y chromium fonts-dejavu-core" in result.stderr
        assert "Installing" not in result.stdout

    def test_asked_not_to_install_a_missing_tool_is_a_failure_with_the_command(self):
        result = self.run("chromium", SETUP_INSTALL="0", CHROMIUM_PATH="/nonexistent/chromium")

        assert result.returncode == 1
        assert "apt-get install -y chromium fonts-dejavu-core" in result.stderr
        assert "Installing" not in result.stdout

    def test_a_local_database_that_does_not_answer_gets_the_commands_to_set_one_up(self):
        result = self.run(
            "postgresql", SETUP_INSTALL="0", DATABASE_URL="postgres://127.0.0.1:1/secure_base"
        )

        assert result.returncode == 1
        assert "PostgreSQL does not answer at DATABASE_URL=postgres://127.0.0.1:1/" in (
            result.stderr
        )
        assert "apt-get install -y postgresql && " in result.stderr
        assert "service postgresql start && " in result.stderr
        assert "createuser --createdb" in result.stderr

    def test_a_database_elsewhere_is_never_installed_here_only_explained(self):
        result = self.run("postgresql", DATABASE_URL="postgres://app@db.invalid:5432/secure_base")

        assert result.returncode == 1
        assert "PostgreSQL is not reachable at DATABASE_URL=postgres://app@db.invalid" in (
            result.stderr
        )
        assert "Installing" not in result.stdout

    def test_the_database_the_suite_uses_answers(self):
        result = self.run("postgresql")

        assert (result.returncode, result.stderr) == (0, "")

    def test_an_unknown_tool_is_an_error_not_a_skip(self):
        result = self.run("chromium-nightly")

        assert result.returncode == 2
        assert "unknown tool 'chromium-nightly'" in result.stderr


def test_the_quiz_alone_runs_with_its_marker_scoring_included():
    """The README's quiz-only command: its pages, scoring and journey, nothing else."""
    collected = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-m", "quiz"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    files = {line.split("::")[0] for line in collected.splitlines() if "::" in line}

    assert files == {
        "tests/assessments/test_quiz_views.py",
        "tests/assessments/test_scoring.py",
        "tests/browser/test_quiz_journey.py",
    }
    assert 'PYTEST_ARGS="-m quiz"' in (ROOT / "README.md").read_text()


def test_the_readme_s_where_things_happen_table_points_at_real_files_and_functions():
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Where things happen")[1].split("\n## ")[0]
    rows = [line for line in table.splitlines() if line.startswith("| ") and "`" in line]

    assert len(rows) >= 10
    for row in rows:
        for path, names in re.findall(
            r"`([\w./-]+\.(?:py|html)|scripts/[\w-]+)`((?: `\w+`)*)", row
        ):
            assert (ROOT / path).is_file(), path
            text = (ROOT / path).read_text()
            for name in re.findall(r"`(\w+)`", names):
                assert re.search(rf"^\s*(def|class) {name}\b", text, re.M), f"{path}: {name}"
