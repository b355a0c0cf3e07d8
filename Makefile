# Secure Base: the README's verbs. `make run` serves the site, `make test` runs the suite.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
DATABASE_URL_TEST ?= $(or $(DATABASE_URL),postgres:///secure_base)

# Chromium and Playwright keep their caches inside the checkout.
export XDG_CACHE_HOME := $(CURDIR)/.cache
export XDG_CONFIG_HOME := $(CURDIR)/.cache/config
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

# A production-like local run: DEBUG off, a secret generated once into var/ (git-ignored),
# plain HTTP on the loopback address.
RUN_ENV = DEBUG=0 HTTPS=0 SECRET_KEY="$$(cat var/secret_key)" \
	ALLOWED_HOSTS="$${ALLOWED_HOSTS:-127.0.0.1,localhost}" PORT=$(PORT)

.PHONY: help install lock run dev test lint fmt bench bench-scale proxy-config faults clean editor manage dump-guide

help:
	@echo "make run    serve the site with gunicorn on http://127.0.0.1:$(PORT)/"
	@echo "make dev    Django's development server with DEBUG on"
	@echo "make test   the whole suite on PostgreSQL, browser tests included"
	@echo "make lint   the pre-commit hooks: ruff, ruff format, djhtml, django-upgrade"
	@echo "make fmt    apply the hooks' fixes (formatting, template indents, upgrades)"
	@echo "make lock   update requirements/ from pyproject.toml (after changing a dependency)"
	@echo "make bench  measure page speed (see scripts/bench.py)"
	@echo "make bench-scale  search and chapter speed at 1x, 10x, 100x the content"
	@echo "make faults take the database and cache away under load (see scripts/faults.py)"
	@echo "make editor NAME=maya [EMAIL=maya@example.com]  an editor account (asks a password)"
	@echo "make manage ARGS=\"…\"          any manage.py command with make run's settings"
	@echo "make dump-guide  write the guide's content from the database to fixtures/guide.json"

# The locked build: exact versions with hashes, the same bytes on every machine, image and CI
# run. pyproject.toml keeps the ranges; `make lock` turns them into requirements/.
LOCK_DEV := requirements/lock-dev.txt
$(STAMP): pyproject.toml $(LOCK_DEV)
	@python=$$(scripts/find-python) || exit 1; \
	  [ -x $(PY) ] || { echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV); }
	@$(PY) scripts/check-lock
	$(PY) -m pip install --quiet --disable-pip-version-check --require-hashes -r $(LOCK_DEV)
	@touch $@

install: $(STAMP)

# uv (pinned in the dev group) resolves pyproject.toml into uv.lock, then writes the two
# pip-installable exports: lock.txt for the image, lock-dev.txt (with the dev tools) for make.
UV_EXPORT = $(VENV)/bin/uv export --quiet --locked --format requirements-txt --no-emit-project
lock:
	@[ -x $(VENV)/bin/uv ] || { [ -x $(PY) ] || "$$(scripts/find-python)" -m venv $(VENV); \
	  $(PY) -m pip install --quiet --disable-pip-version-check "$$(grep -o 'uv==[0-9.]*' pyproject.toml)"; }
	$(VENV)/bin/uv lock --python $(PY)
	$(UV_EXPORT) --no-dev -o requirements/lock.txt
	$(UV_EXPORT) --all-groups -o $(LOCK_DEV)

var/secret_key:
	@mkdir -p var
	@$(PY) -c "import secrets; print(secrets.token_urlsafe(64))" > $@
	@chmod 600 $@

run: $(STAMP) var/secret_key
	@$(RUN_ENV) $(PY) manage.py migrate --noinput
	@$(RUN_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	@$(RUN_ENV) $(PY) manage.py load_guide
	@echo ""; echo "  Secure Base is running at http://127.0.0.1:$(PORT)/  (Ctrl+C to stop)"
	@echo "  Mail (password resets) is printed in this terminal: no mail server is needed here."; echo ""
	@# gunicorn and the task worker (mail), started and stopped together.
	@$(RUN_ENV) exec $(PY) scripts/serve.py

dev: $(STAMP)
	@mkdir -p var
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_guide
	@DEBUG=1 $(PY) manage.py db_worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

# System tools the suite and the benchmark need: installed with apt-get when missing (as root
# on Debian), otherwise the command to run is printed. See scripts/setup-test-deps. nginx and
# wrk are here for the tests of the reverse proxy in front of gunicorn.
TEST_TOOLS ?= chromium postgresql redis nginx wrk
BENCH_TOOLS ?= postgresql redis nginx wrk
SETUP = PYTHON=$(PY) scripts/setup-test-deps

# Test processes, each with its own test database (pytest-xdist); a file's tests stay in one
# process. TEST_WORKERS=0 runs the suite in this process, as before.
TEST_WORKERS ?= 2
XDIST = -n $(TEST_WORKERS) --dist loadfile
# Each run makes its test databases afresh (--create-db) and leaves them when it ends
# (--reuse-db): dropping one at the end once found another session still open on it, and
# the next run replaces them anyway.
TEST_DB = --create-db --reuse-db

test: $(STAMP)
	@DATABASE_URL=$(DATABASE_URL_TEST) $(SETUP) $(TEST_TOOLS)
	@mkdir -p .cache/tmp
	DATABASE_URL=$(DATABASE_URL_TEST) TMPDIR=$(CURDIR)/.cache/tmp $(PY) -m pytest $(XDIST) $(TEST_DB) $(PYTEST_ARGS)

# The same hooks `pre-commit install` runs on every commit (.pre-commit-config.yaml).
lint: $(STAMP)
	$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure

# The hooks fix what they can on a first pass; a second pass reports anything left.
fmt: $(STAMP)
	@$(VENV)/bin/pre-commit run --all-files >/dev/null || $(VENV)/bin/pre-commit run --all-files

editor: $(STAMP) var/secret_key
	@test -n "$(NAME)" || { echo "Usage: make editor NAME=username [EMAIL=address]"; exit 2; }
	@$(RUN_ENV) $(PY) manage.py migrate --noinput --verbosity 0
	@$(RUN_ENV) $(PY) manage.py add_editor "$(NAME)" $(if $(EMAIL),--email "$(EMAIL)") \
		$(if $(EDITOR_PASSWORD),--no-input)

# Any management command with make run's settings, e.g. make manage ARGS="createsuperuser".
manage: $(STAMP) var/secret_key
	@$(RUN_ENV) $(PY) manage.py $(ARGS)

# The guide as editors left it in make run's database, written to fixtures/guide.json: every
# content type the guide app defines (guide/content.py), in the order load_guide reads them.
dump-guide: $(STAMP) var/secret_key
	@$(RUN_ENV) $(PY) manage.py dump_guide

bench: $(STAMP) var/secret_key
	@DATABASE_URL=$${DATABASE_URL:-postgres:///secure_base_bench} $(SETUP) $(BENCH_TOOLS)
	$(PY) scripts/bench.py $(BENCH_ARGS)

bench-scale: $(STAMP) var/secret_key
	@DATABASE_URL=$${DATABASE_URL:-postgres:///secure_base_bench} $(SETUP) postgresql wrk
	$(PY) scripts/bench_scale.py

# Takes PostgreSQL and Redis (its own, never the machine's) away under load; a few minutes.
faults: $(STAMP) var/secret_key
	$(PY) scripts/faults.py $(FAULTS_ARGS)

# nginx's copy of the cookies that bypass the page caches, from PAGE_CACHE_BYPASS_COOKIES.
proxy-config: $(STAMP)
	DEBUG=1 $(PY) manage.py proxy_config

clean:
	rm -rf $(VENV) staticfiles .cache .pytest_cache .ruff_cache
