# Each target installs what it needs into .venv first, so any of them works on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install dev test lint fmt schema bench bench-quick

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(STAMP) ## Create .venv and install the project with its dev tools

dev: $(STAMP) ## Run the API and the worker on the embedded stack (PostgreSQL, Redis, moto)
	$(BIN)/inkverse dev

test: $(STAMP) ## Run the test suite against real PostgreSQL, Redis and moto
	$(BIN)/pytest

lint: $(STAMP) ## ruff (lint + format check) and mypy --strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: $(STAMP) ## Format and auto-fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

schema: $(STAMP) ## Print the GraphQL SDL
	@$(BIN)/inkverse graphql-schema

bench: $(STAMP) ## Benchmarks: API under load (2,000-series dataset), then the worker (CPU-heavy)
	$(BIN)/python -m benchmarks.api --size bench --profile slowest
	$(BIN)/python -m benchmarks.api --size bench --mode cached --duration 10
	$(BIN)/python -m benchmarks.bench_worker

bench-quick: $(STAMP) ## The same on the demo dataset with short runs (under 5 minutes)
	$(BIN)/python -m benchmarks.api --quick
	$(BIN)/python -m benchmarks.api --quick --mode cached
	$(BIN)/python -m benchmarks.bench_worker --events 50
