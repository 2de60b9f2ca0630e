# Arkenos developer commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV = $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/uv/bin/uv)
RUN := $(UV) run --frozen

.PHONY: help up down dev test lint fmt crds openapi bench uv sync postgres tools media-deps chart-sync chart-lint

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

up: ## Bring the platform up on a local kind cluster with the Helm chart
	@hack/up.sh

down: ## Delete the local kind cluster `make up` made
	@hack/down.sh

dev: sync postgres media-deps tools frontend ## The platform as local processes, no Docker (control plane with kwok, PostgreSQL, LiveKit and SIP, S3, API, operator, a worker, the dashboard); Ctrl-C stops it
	$(RUN) arkenos-dev

test: sync lint postgres media-deps tools frontend ## Install what the tests need (real servers built or reused, the dashboard built), lint, and run every test
	$(RUN) pytest -n 2 --dist loadgroup
	$(MAKE) frontend-run

lint: sync ## ruff, formatting, mypy, import contracts, CRD drift
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy crds/src operator/src api/src agent-runtime/src hack/devstack/src
	$(RUN) lint-imports
	$(RUN) python -m arkenos_crds.generate crds --check
	$(RUN) python hack/chart_sync.py --check

fmt: sync ## Format and autofix
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

crds: sync ## Regenerate crds/*.yaml from the resource model (and the chart's copies)
	$(RUN) python -m arkenos_crds.generate crds
	$(RUN) python hack/chart_sync.py

openapi: sync ## Regenerate api/openapi.json from the API app
	$(RUN) arkenos-api openapi

chart-sync: ## Copy the CRDs and the operator's RBAC into charts/arkenos
	$(RUN) python hack/chart_sync.py

chart-lint: sync ## helm lint --strict and the chart's template tests (helm built from hack/tools/helm)
	$(RUN) pytest tests/chart -q

bench: sync postgres media-deps tools ## Run every benchmark; figures print and land in bench-results/
	$(RUN) python -m tests.bench

uv:
	@command -v $(UV) >/dev/null 2>&1 || hack/install-uv.sh

# --compile-bytecode: with PYTHONDONTWRITEBYTECODE set (as here) nothing else writes .pyc
# files, and every process start (the jobs worker's: ~11 s of CPU) compiled its imports again.
sync: uv
	$(UV) sync --frozen --compile-bytecode

postgres:
	@hack/install-postgres.sh

tools: sync media-deps ## Build the real servers from their pinned Go modules (cached by version)
	$(RUN) arkenos-tools

media-deps:
	@hack/install-media-deps.sh
.PHONY: frontend frontend-client frontend-test frontend-run

frontend: ## Install the dashboard's npm dependencies, lint it (eslint) and make its production build
	cd frontend && nice -n 10 npm install --no-audit --no-fund
	cd frontend && nice -n 10 npm run lint
	cd frontend && nice -n 10 npm run build

frontend-client: ## Regenerate the dashboard's typed API client from api/openapi.json
	cd frontend && npm run gen:api

frontend-test: sync postgres frontend frontend-run ## Dashboard: vitest for lib/, Playwright in Chromium against the real API

frontend-run: # the dashboard's runners on the build `make frontend` made
	@command -v chromium >/dev/null 2>&1 || (apt-get update && apt-get install -y chromium)
	cd frontend && UV=$(UV) nice -n 10 node scripts/run-tests.mjs
