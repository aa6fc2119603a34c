# Jeugdregie: make demo | make test
#
#   make demo                   install (if needed), migrate, load the demo region, serve on
#                               http://127.0.0.1:8000  (HOST=... PORT=... to change)
#   make test                   install (if needed) and run the test suite
#                               (PYTEST_ARGS="-k ijw -x" for extra pytest arguments; the tests run
#                                on every core (pytest-xdist), PYTEST_WORKERS=0 runs them in one process;
#                                DATABASE_URL=postgres://... to test on PostgreSQL, default SQLite in var/)
#
# Helpers: make lint | typecheck | lock | bootstrap | clean

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV   := .venv
# Test workers (pytest-xdist): one per core by default; 0 = no workers, all tests in this process.
PYTEST_WORKERS ?= auto
BIN    := $(VENV)/bin
PYTHON := $(BIN)/python

# `make lock` resolves pyproject.toml (runtime + extra `dev`) for Python 3.11 on every platform.
LOCK_FILE := requirements/lock.txt
LOCK_ARGS := pyproject.toml --extra dev --generate-hashes --universal --python-version 3.11 \
             --quiet -o $(LOCK_FILE) $(if $(UPGRADE),--upgrade)

.PHONY: help demo test lint typecheck lock bootstrap clean

help:
	@sed -n '1,/^$$/p' $(firstword $(MAKEFILE_LIST)) | sed 's/^# \{0,1\}//'

bootstrap:
	@bash scripts/bootstrap.sh

demo: bootstrap
	$(BIN)/jeugdregie demo $(if $(HOST),--host $(HOST)) $(if $(PORT),--port $(PORT))

test: bootstrap
	$(PYTHON) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: bootstrap
	@rc=0; \
	echo "+ ruff check ."; $(BIN)/ruff check . || rc=1; \
	echo "+ ruff format --check ."; $(BIN)/ruff format --check . || rc=1; \
	exit $$rc

typecheck: bootstrap
	$(BIN)/mypy

# Regenerate the hash-pinned lock file from pyproject.toml. Keeps current pins where they still
# satisfy pyproject.toml; `make lock UPGRADE=1` moves everything to the newest allowed versions.
# Uses uv from .venv (it is a dev dependency), else uv on PATH, else a private copy in var/.
lock:
	@uv=$(BIN)/uv; \
	if [ ! -x "$$uv" ]; then uv="$$(command -v uv || true)"; fi; \
	if [ -z "$$uv" ]; then \
		echo "lock: installing uv into var/uv-venv"; \
		python3.11 -m venv var/uv-venv && var/uv-venv/bin/python -m pip install -q uv; \
		uv=var/uv-venv/bin/uv; \
	fi; \
	echo "+ uv pip compile $(LOCK_ARGS)"; \
	"$$uv" pip compile $(LOCK_ARGS)

# Removes the virtualenv, caches and build output; keeps var/ (demo database and data).
clean:
	rm -rf $(VENV) $(VENV).lock build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
	find . -path ./var -prune -o -type d -name __pycache__ -prune -exec rm -rf {} +
