# Family Budget — the commands a newcomer needs. Only Python 3.11+ and Node 20+ are assumed;
# everything else is installed into the repository (.tools/, backend/.venv, infrastructure/.venv).

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(CURDIR)/$(TOOLS)/bin/uv
BACKEND := backend
# uv uses the interpreter the newcomer already has, never a downloaded one.
export UV_PYTHON := $(shell command -v $(PYTHON))
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1

HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help install run test test-backend test-infra lint typecheck bench clean

help:
	@echo "make run      install, migrate and serve the API on http://localhost:$(PORT) (SQLite in ./data)"
	@echo "make test     install and run every check: lint, types, backend tests, infrastructure tests"
	@echo "make bench    benchmark the API on the local PostgreSQL (see docs/benchmarks.md)"
	@echo "make clean    remove installed tools, virtualenvs and local data"

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	cd $(BACKEND) && $(UV) sync --frozen --quiet

run: install
	$(BACKEND)/.venv/bin/family-budget migrate
	$(BACKEND)/.venv/bin/family-budget serve --host $(HOST) --port $(PORT)

lint: install
	cd $(BACKEND) && .venv/bin/ruff check . && .venv/bin/ruff format --check .

typecheck: install
	cd $(BACKEND) && .venv/bin/mypy

test-backend: install
	cd $(BACKEND) && .venv/bin/pytest -q

test-infra:
	$(MAKE) -C infrastructure test

test: lint typecheck test-backend test-infra

bench: $(UV)
	cd $(BACKEND) && $(UV) sync --frozen --quiet --group bench
	bash $(BACKEND)/bench/run.sh

clean:
	rm -rf $(TOOLS) $(BACKEND)/.venv infrastructure/.venv data
