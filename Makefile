# 三社 Sanshe — the two commands of the README.
#
#   make demo   install everything, migrate the SQLite database, seed the demo district
#               海曙区 and serve it at http://$(SANSHE_HOST):$(SANSHE_PORT) (default 127.0.0.1:8000)
#   make test   install what the tests need (Debian's chromium and postgresql too),
#               then ruff, mypy and import-linter beside the whole pytest suite
#
# Set-up steps are skipped when already done (see scripts/setup.sh).

SHELL := /bin/bash
VENV := .venv
SANSHE := $(VENV)/bin/sanshe
PYTHON := $(VENV)/bin/python

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# Python keeps each module it compiles (__pycache__) for the next process. An environment that
# says not to (PYTHONDONTWRITEBYTECODE, set in some CI images) makes every process of the test
# run — each xdist worker, each live server, each `sanshe` command — compile the project, the
# tests and pytest's assertion rewrites again: about 0.7 s of CPU per process.
unexport PYTHONDONTWRITEBYTECODE

.PHONY: help demo test setup setup-test migrate seed serve lint typecheck imports pytest crawl fuzz clean-demo

help:
	@sed -n '2,9p' Makefile | sed 's/^# \{0,1\}//'

setup:
	@scripts/setup.sh

setup-test:
	@scripts/setup.sh --test

# Recipes, not prerequisites, so the steps keep their order even under `make -j`.
demo:
	@scripts/setup.sh
	$(SANSHE) db upgrade
	$(SANSHE) demo
	$(SANSHE) run

# The static checks run beside pytest, not before it: they use one CPU for about a minute,
# while pytest's workers start their PostgreSQL servers and templates. A failing check
# still fails `make test` (after pytest ends).
test:
	@scripts/setup.sh --test
	$(MAKE) --no-print-directory -j 4 lint typecheck imports pytest

migrate:
	$(SANSHE) db upgrade

seed:
	$(SANSHE) demo

serve:
	$(SANSHE) run

lint:
	$(VENV)/bin/ruff check core plugins tests scripts migrations

typecheck:
	$(VENV)/bin/mypy

imports:
	$(VENV)/bin/lint-imports

# In parallel on every CPU (pytest-xdist; each worker has its own PostgreSQL server and templates).
# Tests of one module that share a module-scoped fixture (a live server, a browser) stay on one
# worker (--dist loadgroup, core.testing.plugin groups them). `make pytest PYTEST_WORKERS=0` runs serially.
PYTEST_WORKERS ?= auto
pytest:
	$(PYTHON) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The page crawl alone: every demo role, every page, in Chromium (docs/crawl.md).
crawl:
	@scripts/setup.sh --test
	$(PYTHON) -m pytest -m crawl -s

# Start the demo again from nothing (deletes var/sanshe.db, keeps var/secret_key).
clean-demo:
	rm -f var/sanshe.db var/sanshe.db-wal var/sanshe.db-shm

# Fuzz every API operation with schemathesis (also part of `make pytest`; docs/security.md).
fuzz:
	$(PYTHON) -m pytest -m fuzz -s
