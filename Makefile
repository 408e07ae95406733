# Developer entry points: make run | test | lint | bench | clean. See /work/shared/DESIGN.md ("Runs").

SHELL := /bin/bash
# The interpreter of .venv: the first of these that can create a virtualenv, Debian's own python3.11 first. Debian
# links the interpreter into its executable; pyenv's default build loads libpython3.11.so and spends about 20 % more
# CPU on the same request (BENCHMARKS.md, "Machine"). Evaluated on every use, so `make test` picks Debian's once
# install-test-deps.sh has installed python3.11-venv. Set PYTHON=... to choose another.
PYTHON_CANDIDATES := /usr/bin/python3.11 python3.11 python3
PYTHON ?= $(shell for candidate in $(PYTHON_CANDIDATES); do \
	"$$candidate" -c 'import ensurepip, venv' >/dev/null 2>&1 && { command -v "$$candidate"; exit; }; \
	done; command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
SECRET_KEY_FILE := instance/secret_key
WITH_SECRET = EDMS_SECRET_KEY="$$(cat $(SECRET_KEY_FILE))"
# `make run` is the development configuration (e.g. confirmation codes delivered in the app without an SMS gateway).
DEV_CONFIG = EDMS_CONFIG="$${EDMS_CONFIG:-config/development.py}"

.PHONY: all help venv-run venv-dev run lint test test-deps bench clean

all: help

help:
	@echo 'make run        start the app on http://$(HOST):$(PORT) with the embedded SQLite database and demo data'
	@echo 'make test       install test packages if missing, lint, full suite on PostgreSQL+Redis, smoke on SQLite'
	@echo 'make lint       ruff check, ruff format --check, import-linter contracts'
	@echo 'make bench      benchmarks'
	@echo 'make clean      remove the virtualenv and caches (instance/ is kept)'

# --- virtualenv: dependencies are reinstalled only when a requirements file changes -----------------------------

$(BIN)/python:
	@test -n '$(PYTHON)' || { echo 'python3.11 or python3 is required' >&2; exit 1; }
	@'$(PYTHON)' -c 'import ensurepip, venv' 2>/dev/null || { \
		echo '$(PYTHON) cannot create virtualenvs: apt-get install python3-venv' >&2; exit 1; }
	'$(PYTHON)' -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.stamp-run: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# requirements-dev.txt includes requirements.txt, so a dev install satisfies the run stamp as well.
$(VENV)/.stamp-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.stamp-run

venv-run: $(VENV)/.stamp-run

venv-dev: $(VENV)/.stamp-dev

# --- run --------------------------------------------------------------------------------------------------------

$(SECRET_KEY_FILE):
	mkdir -p instance
	umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_hex(32))' > $@.tmp && mv $@.tmp $@

run: venv-run
	mkdir -p instance
	@$(MAKE) --no-print-directory $(SECRET_KEY_FILE)
	$(WITH_SECRET) $(DEV_CONFIG) $(BIN)/flask --app wsgi edms init
	$(WITH_SECRET) $(DEV_CONFIG) $(BIN)/flask --app wsgi run --host $(HOST) --port $(PORT)

# --- quality ----------------------------------------------------------------------------------------------------

lint: venv-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

test-deps:
	PYTHON='$(PYTHON)' bash scripts/install-test-deps.sh

# pytest-xdist processes for the full suite: one per core, at most 4 (each starts its own PostgreSQL and Redis and,
# for the browser tests, Chromium). `--dist loadfile` keeps a file's tests, and its module fixtures, in one process.
TEST_JOBS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); [ "$$n" -gt 4 ] && n=4; echo $$n)

# Steps run in this order even under make -j: packages, virtualenv, lint, full suite, SQLite smoke run.
test:
	@$(MAKE) --no-print-directory test-deps
	@$(MAKE) --no-print-directory venv-dev
	@$(MAKE) --no-print-directory lint
	$(BIN)/pytest -q -n $(TEST_JOBS) --dist loadfile
	EDMS_TEST_DATABASE=sqlite $(BIN)/pytest -q -m smoke

bench:
	@echo 'see scripts/bench/README.md'

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .import_linter_cache build dist *.egg-info
	find . -path ./.git -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
