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

.PHONY: help install run dev test lint fmt bench bench-scale proxy-config clean editor manage

help:
	@echo "make run    serve the site with gunicorn on http://127.0.0.1:$(PORT)/"
	@echo "make dev    Django's development server with DEBUG on"
	@echo "make test   the whole suite on PostgreSQL, browser tests included"
	@echo "make lint   ruff check and format check"
	@echo "make fmt    format the code"
	@echo "make bench  measure page speed (see scripts/bench.py)"
	@echo "make bench-scale  search and chapter speed at 1x, 10x, 100x the content"
	@echo "make editor NAME=… [EMAIL=…]   make an editor account"
	@echo "make manage ARGS=\"…\"          any manage.py command with make run's settings"
	@echo "make editor NAME=maya [EMAIL=maya@example.com]  an editor account (asks a password)"

$(STAMP): pyproject.toml
	@python=$$(scripts/find-python) || exit 1; \
	  [ -x $(PY) ] || { echo "Creating $(VENV) with $$python"; "$$python" -m venv $(VENV); }
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.1"
	$(PY) -m pip install --quiet --disable-pip-version-check . --group dev
	@touch $@

install: $(STAMP)

var/secret_key:
	@mkdir -p var
	@$(PY) -c "import secrets; print(secrets.token_urlsafe(64))" > $@
	@chmod 600 $@

run: $(STAMP) var/secret_key
	@$(RUN_ENV) $(PY) manage.py migrate --noinput
	@$(RUN_ENV) $(PY) manage.py collectstatic --noinput --verbosity 0
	@$(RUN_ENV) $(PY) manage.py load_guide
	@echo ""; echo "  Secure Base is running at http://127.0.0.1:$(PORT)/  (Ctrl+C to stop)"; echo ""
	@$(RUN_ENV) exec $(VENV)/bin/gunicorn --config config/gunicorn.conf.py config.wsgi

dev: $(STAMP)
	@mkdir -p var
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py load_guide
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(STAMP)
	@DATABASE_URL=$(DATABASE_URL_TEST) $(PY) scripts/check-postgres
	@mkdir -p .cache/tmp
	DATABASE_URL=$(DATABASE_URL_TEST) TMPDIR=$(CURDIR)/.cache/tmp $(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

editor: $(STAMP) var/secret_key
	@test -n "$(NAME)" || { echo "Usage: make editor NAME=username [EMAIL=address]"; exit 2; }
	@$(RUN_ENV) $(PY) manage.py migrate --noinput --verbosity 0
	@$(RUN_ENV) $(PY) manage.py add_editor "$(NAME)" $(if $(EMAIL),--email "$(EMAIL)") \
		$(if $(EDITOR_PASSWORD),--no-input)

# Any management command with make run's settings, e.g. make manage ARGS="createsuperuser".
manage: $(STAMP) var/secret_key
	@$(RUN_ENV) $(PY) manage.py $(ARGS)

bench: $(STAMP) var/secret_key
	@scripts/ensure-tools nginx wrk
	$(PY) scripts/bench.py

bench-scale: $(STAMP) var/secret_key
	@scripts/ensure-tools wrk
	$(PY) scripts/bench_scale.py

# nginx's copy of the cookies that bypass the page caches, from PAGE_CACHE_BYPASS_COOKIES.
proxy-config: $(STAMP)
	DEBUG=1 $(PY) manage.py proxy_config

clean:
	rm -rf $(VENV) staticfiles .cache .pytest_cache .ruff_cache
