# SPBE Dashboard: developer commands. `make` (or `make help`) lists them.
#
# Variables you may override on the command line, e.g. `make run PORT=8765`:
#   PYTHON        interpreter that creates the venv (default: python3.11, else python3)
#   HOST, PORT    where `make run` serves (default 127.0.0.1:8000)
#   DATABASE_URL  PostgreSQL for `make test` (default postgres://postgres@127.0.0.1:5432/spbe)
#   REDIS_URL     Redis for `make test` (default redis://127.0.0.1:6379/0)
#   PYTEST_ARGS   extra pytest arguments, e.g. PYTEST_ARGS="tests/opd -x -k visible"

.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV ?= .venv
BIN := $(VENV)/bin
# Touched after a successful install; pyproject.toml newer than it means "re-install".
STAMP := $(VENV)/.installed

HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

TEST_DATABASE_URL := $(or $(DATABASE_URL),postgres://postgres@127.0.0.1:5432/spbe)
TEST_REDIS_URL := $(or $(REDIS_URL),redis://127.0.0.1:6379/0)
# Only ever used by the test suite and the tooling targets; never deploy with it.
TEST_SECRET_KEY := test-only-secret-key-do-not-use-in-production

# The demo: SQLite file db.sqlite3, DEBUG on, Celery tasks run in-process.
RUN_ENV := env -u DATABASE_URL -u REDIS_URL -u CACHE_URL -u CELERY_TASK_ALWAYS_EAGER DEBUG=1 \
	EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend
# The test suite: PostgreSQL + Redis.
TEST_ENV := env DATABASE_URL='$(TEST_DATABASE_URL)' REDIS_URL='$(TEST_REDIS_URL)' \
	SECRET_KEY='$(TEST_SECRET_KEY)'
# Commands that need the settings but no real database (makemigrations, makemessages).
TOOL_ENV := env -u REDIS_URL DATABASE_URL=sqlite://:memory: SECRET_KEY='$(TEST_SECRET_KEY)'

MANAGE := $(BIN)/python manage.py

.PHONY: help venv run test check-services lint format migrations-check messages ci \
	check-deploy

# `manage.py check --deploy` as production runs it: DEBUG off, a long random key, the
# HTTPS defaults on. Only the settings are loaded (no database, no Redis needed).
DEPLOY_CHECK_ENV := env -u REDIS_URL -u SECURE_SSL_REDIRECT -u SESSION_COOKIE_SECURE \
	-u CSRF_COOKIE_SECURE -u SECURE_HSTS_SECONDS -u DEBUG DATABASE_URL=sqlite://:memory: \
	ALLOWED_HOSTS=spbe.example.go.id \
	SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')"

help: ## Show this list of targets
	@echo "SPBE Dashboard. Usage: make <target> [VARIABLE=value ...]"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-18s %s\n", $$1, $$2}' \
		$(firstword $(MAKEFILE_LIST))
	@echo
	@echo "Variables: PYTHON, HOST, PORT, DATABASE_URL, REDIS_URL, PYTEST_ARGS (see Makefile)."

venv: $(STAMP) ## Create .venv and pip install -e ".[dev]" (again when pyproject.toml changed)

$(STAMP): pyproject.toml
	@if [ -x "$(BIN)/python" ] && "$(BIN)/python" -c \
		'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then \
		echo "Using existing $(VENV) ($$("$(BIN)/python" --version))"; \
	else \
		if [ -z "$(PYTHON)" ] || ! command -v "$(PYTHON)" >/dev/null 2>&1; then \
			echo "error: no Python found (PYTHON='$(PYTHON)'): put python3.11 on PATH" \
				"or pass PYTHON=/path/to/python3.11." >&2; \
			exit 1; \
		fi; \
		if ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then \
			echo "error: $(PYTHON) is $$("$(PYTHON)" --version 2>&1); this project needs" \
				"Python 3.11 (Django 5.2). Install python3.11 or pass PYTHON=/path/to/python3.11." >&2; \
			exit 1; \
		fi; \
		echo "Creating $(VENV) with $(PYTHON) ($$("$(PYTHON)" --version))"; \
		rm -rf "$(VENV)"; \
		"$(PYTHON)" -m venv "$(VENV)"; \
	fi
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch "$(STAMP)"

run: venv ## Demo on SQLite at http://HOST:PORT (migrate, seed_demo, runserver; DEBUG=1)
	$(RUN_ENV) $(MANAGE) migrate --noinput
	$(RUN_ENV) $(MANAGE) seed_demo
	@echo "Serving the demo at http://$(HOST):$(PORT)/ (Ctrl-C stops)."
	$(RUN_ENV) $(MANAGE) runserver $(HOST):$(PORT)

check-services: venv ## Check that PostgreSQL (DATABASE_URL) and Redis (REDIS_URL) answer
	@$(TEST_ENV) $(BIN)/python scripts/check_services.py

test: check-services ## Whole test suite with pytest on PostgreSQL + Redis (PYTEST_ARGS=...)
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

lint: venv ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv ## Fix what ruff can fix and format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

migrations-check: venv ## Fail when a model change has no migration (makemigrations --check)
	$(TOOL_ENV) $(MANAGE) makemigrations --check --dry-run

messages: venv ## Update locale/id .po from the sources and compile the .mo (needs gettext)
	$(TOOL_ENV) $(MANAGE) makemessages -l id --no-obsolete \
		--ignore=.venv --ignore=static --ignore=staticfiles --ignore=media --ignore=build \
		--ignore=tests --ignore=docs --ignore=scripts
	@# compilemessages skips a .mo that is newer than its .po: always rebuild it.
	rm -f locale/id/LC_MESSAGES/django.mo
	$(TOOL_ENV) $(MANAGE) compilemessages -l id --ignore=.venv --ignore=staticfiles

check-deploy: venv ## manage.py check --deploy with production settings (must print no issues)
	$(DEPLOY_CHECK_ENV) $(MANAGE) check --deploy --fail-level WARNING

# The load test's own database (created and seeded with the demo data when missing) and
# Redis database; it serves on 127.0.0.1 only. LOAD_ARGS adds options, e.g. "--think 3".
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/spbe_load
LOAD_REDIS_URL ?= redis://127.0.0.1:6379/12
LOAD_ARGS ?=

.PHONY: load
load: venv ## Load test: gunicorn + worker on the demo data, 50 users for 60 s (LOAD_ARGS=...)
	env DATABASE_URL='$(LOAD_DATABASE_URL)' REDIS_URL='$(LOAD_REDIS_URL)' \
		SECRET_KEY='$(TEST_SECRET_KEY)' \
		$(BIN)/python scripts/load_test.py --prepare --start --workers 3 $(LOAD_ARGS)

CI_STAGES := lint migrations-check test

# Every stage runs even when an earlier one failed, so one CI run reports all problems;
# the exit status is non-zero when any stage failed.
ci: ## What CI runs: lint, migrations-check, test (all run; fails if any fails)
	@failed=""; \
	for stage in $(CI_STAGES); do \
		echo; echo "--- make $$stage"; \
		$(MAKE) --no-print-directory $$stage || failed="$$failed $$stage"; \
	done; \
	echo; \
	if [ -n "$$failed" ]; then echo "make ci: FAILED:$$failed" >&2; exit 1; fi; \
	echo "make ci: passed ($(CI_STAGES))"
