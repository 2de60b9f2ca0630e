# Arkenos developer commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV = $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/uv/bin/uv)
RUN := $(UV) run --frozen

.PHONY: help up dev test lint fmt crds openapi bench uv sync postgres tools

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

up: ## Bring the platform up on a local kind cluster with the Helm chart
	@hack/up.sh

dev: sync postgres tools ## The platform as local processes, no Docker (control plane with kwok, PostgreSQL, API, operator); Ctrl-C stops it
	$(RUN) arkenos-dev

test: sync postgres tools ## Install what the tests need (real servers built or reused) and run every test
	$(RUN) pytest

lint: sync ## ruff, formatting, mypy, import contracts, CRD drift
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) mypy crds/src operator/src api/src agent-runtime/src hack/devstack/src
	$(RUN) lint-imports
	$(RUN) python -m arkenos_crds.generate crds --check

fmt: sync ## Format and autofix
	$(RUN) ruff format .
	$(RUN) ruff check --fix .

crds: sync ## Regenerate crds/*.yaml from the resource model
	$(RUN) python -m arkenos_crds.generate crds

openapi: sync ## Regenerate api/openapi.json from the API app
	$(RUN) arkenos-api openapi

bench: sync postgres ## Run every benchmark; figures print and land in bench-results/
	$(RUN) python -m tests.bench

uv:
	@command -v $(UV) >/dev/null 2>&1 || hack/install-uv.sh

sync: uv
	$(UV) sync --frozen

postgres:
	@hack/install-postgres.sh

tools: sync ## Build the real servers from their pinned Go modules (cached by version)
	$(RUN) arkenos-tools
