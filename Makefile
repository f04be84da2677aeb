# Each target installs what it needs into .venv first, so any of them works on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install lock dev test lint fmt schema bench bench-quick bench-fanout bench-worker

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# uv installs exactly what uv.lock records; only `make lock` changes it.
UV_VERSION := 0.13.9
UV         := $(BIN)/uv
export UV_PROJECT_ENVIRONMENT := $(VENV)
export UV_PYTHON_DOWNLOADS := never

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --extra dev --quiet
	@touch $@

install: $(STAMP) ## Create .venv and install the locked dependencies with the dev tools

lock: | $(UV) ## Upgrade every dependency deliberately: refresh uv.lock, install it, run the tests
	$(UV) lock --upgrade
	$(UV) sync --frozen --extra dev
	@touch $(STAMP)
	$(BIN)/pytest

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
	$(BIN)/python -m benchmarks.api --size bench --processes 2 --duration 10
	$(BIN)/python -m benchmarks.api --size bench --mode cached --duration 10
	$(BIN)/python -m benchmarks.bench_worker

bench-quick: $(STAMP) ## The same on the demo dataset with short runs (under 5 minutes)
	$(BIN)/python -m benchmarks.api --quick
	$(BIN)/python -m benchmarks.api --quick --mode cached
	$(BIN)/python -m benchmarks.bench_worker --events 50

bench-fanout: $(STAMP) ## One new episode to 10,000 subscribers: rows, pushes (fake Expo), e-mails (moto)
	$(BIN)/python -m benchmarks.bench_fanout

bench-worker: $(STAMP) ## The worker alone: comicissue.created with 10 stories (benchmarks/bench_worker.py)
	$(BIN)/python -m benchmarks.bench_worker
