# Family Budget — the commands a newcomer needs. Only Python 3.11+ and Node 20+ are assumed;
# everything else is installed into the repository (.tools/, backend/.venv, infrastructure/.venv,
# frontend/node_modules).

PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(CURDIR)/$(TOOLS)/bin/uv
BACKEND := backend
FRONTEND := frontend
# uv uses the interpreter the newcomer already has, never a downloaded one.
export UV_PYTHON := $(shell command -v $(PYTHON))
export UV_PYTHON_DOWNLOADS := never
export UV_NO_PROGRESS := 1

HOST ?= 127.0.0.1
# PORT: the API; WEB_PORT: the web app, which forwards /api/v1/* to the API.
PORT ?= 8000
WEB_PORT ?= 3000

# Next.js builds into NEXT_DIST_DIR (next.config.ts reads it), so several builds can share a checkout.
NEXT_DIST_DIR ?= .next
export NEXT_DIST_DIR
export NEXT_TELEMETRY_DISABLED := 1
WEB_INSTALLED := $(FRONTEND)/node_modules/.installed-stamp
WEB_BUILT := $(FRONTEND)/$(NEXT_DIST_DIR)/.build-stamp
# What the production build is made from: a change to any of these triggers a new build.
WEB_BUILD_INPUTS := src public scripts next.config.ts postcss.config.mjs tsconfig.json package.json \
	package-lock.json
# End-to-end tests drive Debian's chromium (no browser download).
CHROMIUM_PATH ?= /usr/bin/chromium
export CHROMIUM_PATH

.PHONY: help install install-web build-web api-client check-api-client run test test-backend \
	test-infra test-web test-e2e test-contract lint typecheck bench bench-import bench-web mutation clean

help:
	@echo "make run         install, build and migrate, then serve the web app on http://localhost:$(WEB_PORT)"
	@echo "                 and the API on http://localhost:$(PORT) (docs: /docs); SQLite in ./data"
	@echo "make test        install and run every check: lint, types, backend, infrastructure and web app"
	@echo "                 tests (the web app's end-to-end tests need Chromium: /usr/bin/chromium or CHROMIUM_PATH)"
	@echo "make test-web    only the web app: API client freshness, formatting, types, lint, unit tests, build,"
	@echo "                 end-to-end"
	@echo "make test-contract  schemathesis against the API over HTTP as two users (every check, stateful"
	@echo "                 links, fixed seed, about 75 s); the API must answer what its OpenAPI schema says"
	@echo "make api-client  regenerate frontend/openapi.json and the typed client after an API change"
	@echo "make bench       benchmark the API on the local PostgreSQL (see docs/benchmarks.md)"
	@echo "make bench-import  import 1,000,000 transactions (CSV and OFX) into PostgreSQL and SQLite"
	@echo "                 (see docs/benchmarks.md)"
	@echo "make mutation    the household-filter probe, then mutmut over the money and tenant code"
	@echo "                 (slow: see docs/testing.md)"
	@echo "make bench-web   measure the web app in Chromium: first-load JS, transactions page load,"
	@echo "                 every page's time to content (desktop and phone)"
	@echo "make clean       remove installed tools, virtualenvs, node_modules, web builds and local data"

$(UV):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required")'
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

install: $(UV)
	cd $(BACKEND) && $(UV) sync --frozen --quiet

# Reinstalled only when the lock file changes; `npm ci` installs exactly what it lists.
$(WEB_INSTALLED): $(FRONTEND)/package-lock.json $(FRONTEND)/package.json
	@command -v node >/dev/null || { echo "Node 20+ is required (node is not on PATH)" >&2; exit 1; }
	@node -e 'const [major, minor] = process.versions.node.split(".").map(Number); if (major < 20 || (major === 20 && minor < 9)) { console.error(`Node 20.9+ is required, found ${process.version}`); process.exit(1); }'
	cd $(FRONTEND) && npm ci --no-audit --no-fund
	@touch $@

install-web: $(WEB_INSTALLED)
	@true

# The production build (next build + static assets into the standalone server), redone only when
# something it is made from is newer than the last successful build. A stamp taken before the build
# starts means a file saved during the build still counts as changed next time.
build-web: install-web
	@cd $(FRONTEND) && if [ -f $(NEXT_DIST_DIR)/.build-stamp ] && [ -f $(NEXT_DIST_DIR)/standalone/server.js ] \
		&& [ -z "$$(find $(WEB_BUILD_INPUTS) -newer $(NEXT_DIST_DIR)/.build-stamp -print -quit 2>/dev/null)" ]; then \
		echo "The web app build in $(FRONTEND)/$(NEXT_DIST_DIR) is up to date."; \
	else \
		started=$$(mktemp node_modules/.build-started.XXXXXX) && \
		npm run build && mv "$$started" $(NEXT_DIST_DIR)/.build-stamp; \
	fi

# After an API change: the schema the web app's typed client is generated from, then the client.
api-client: install install-web
	$(BACKEND)/.venv/bin/family-budget openapi -o $(FRONTEND)/openapi.json
	cd $(FRONTEND) && npm run --silent api:generate

check-api-client: install install-web
	@$(BACKEND)/.venv/bin/family-budget openapi | cmp -s - $(FRONTEND)/openapi.json || \
		{ echo "frontend/openapi.json is not what the API serves: run \`make api-client\`" >&2; exit 1; }
	@cd $(FRONTEND) && npm run --silent api:generate -- --check >/dev/null || \
		{ echo "frontend/src/api/schema.d.ts is stale: run \`make api-client\`" >&2; exit 1; }
	@echo "The API client is up to date."

run: install build-web
	$(BACKEND)/.venv/bin/family-budget migrate
	@HOST=$(HOST) PORT=$(PORT) WEB_PORT=$(WEB_PORT) $(PYTHON) scripts/run.py

lint: install
	cd $(BACKEND) && .venv/bin/ruff check . ../scripts && .venv/bin/ruff format --check . ../scripts

typecheck: install
	cd $(BACKEND) && .venv/bin/mypy

# The backend suite runs on every core (pytest-xdist); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
test-backend: install
	cd $(BACKEND) && .venv/bin/pytest -q -n $(PYTEST_WORKERS)

# The infrastructure tests run promtool and amtool over the monitoring configuration (Debian's
# prometheus and prometheus-alertmanager packages); without them those checks are skipped, and
# with CI=true they fail instead.
test-infra:
	@command -v promtool >/dev/null && command -v amtool >/dev/null || \
		echo "promtool/amtool not found: Prometheus and Alertmanager configuration checks SKIPPED (install Debian's prometheus and prometheus-alertmanager packages)"
	$(MAKE) -C infrastructure test

# The OpenAPI schema is the contract: schemathesis runs every check against a real server (SQLite in
# a temporary folder, no Redis) as two users, bounded in time and with a fixed seed.
test-contract: install
	$(BACKEND)/.venv/bin/python scripts/contract.py

test-web: check-api-client
	cd $(FRONTEND) && npm run --silent format:check
	cd $(FRONTEND) && npm run --silent typecheck
	cd $(FRONTEND) && npm run --silent lint
	cd $(FRONTEND) && npm run --silent test:unit
	$(MAKE) --no-print-directory build-web
	$(MAKE) --no-print-directory test-e2e

test-e2e: install build-web
	@if [ -x "$(CHROMIUM_PATH)" ]; then \
		cd $(FRONTEND) && npm run --silent test:e2e; \
	elif [ "$$CI" = "true" ]; then \
		echo "Chromium not found at $(CHROMIUM_PATH): end-to-end tests cannot run, and CI must run them" >&2; \
		exit 1; \
	else \
		echo "Chromium not found: end-to-end tests SKIPPED (install Debian's chromium package)"; \
	fi

test: lint typecheck test-backend test-contract test-infra test-web

bench: install
	$(BACKEND)/.venv/bin/python $(BACKEND)/bench/run.py

# 1,000,000 generated transactions as CSV and as OFX through the import service, on the local
# PostgreSQL (BENCH_DATABASE_SERVER) and on SQLite; one JSON line per 100,000-transaction batch.
bench-import: install
	bash $(BACKEND)/bench/import_run.sh

# Not part of `make test`: too slow for every commit. The household-filter probe first (every
# `.household_id ==` condition of the services replaced by an always-true one must fail a test),
# then mutmut over the files [tool.mutmut] in backend/pyproject.toml lists.
MUTMUT_CHILDREN ?= 2
mutation: $(UV)
	cd $(BACKEND) && $(UV) sync --frozen --quiet --group mutation
	cd $(BACKEND) && .venv/bin/python mutation/household_filters.py
	cd $(BACKEND) && .venv/bin/mutmut run --max-children $(MUTMUT_CHILDREN); \
		status=$$?; .venv/bin/mutmut results; exit $$status

bench-web: install build-web
	bash $(FRONTEND)/bench/run.sh

clean:
	rm -rf $(TOOLS) $(BACKEND)/.venv infrastructure/.venv infrastructure/.venv-checkov data
	rm -rf $(FRONTEND)/node_modules $(FRONTEND)/.next $(FRONTEND)/$(NEXT_DIST_DIR) \
		$(FRONTEND)/tsconfig.tsbuildinfo $(FRONTEND)/test-results $(FRONTEND)/playwright-report
