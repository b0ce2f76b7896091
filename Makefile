# The two commands of README.md: `make synth` (the main job) and `make test` (the quality gate, run by CI).
# Each installs what it needs first: a Python venv from requirements.lock and the pinned CDK CLI from
# package-lock.json. Both steps are skipped when their inputs have not changed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
# Debian's Chromium renders the review pack in the tests (headless, offline).
CHROMIUM := /usr/bin/chromium
NODE_STAMP := node_modules/.installed
# The benchmark's peers (checkov, cfn-lint), plots and profiler, kept out of the project's environment.
PEERS_VENV := bench/.venv-peers
PEERS_STAMP := $(PEERS_VENV)/.installed
ENVIRONMENTS := $(shell $(PYTHON) -c 'import json; print(" ".join(json.load(open("cdk.json"))["context"]["environments"]))')
# The review pack judges by the key-control setting the synthesis used: cdk.json's, read from there.
KEY_CONTROL := $(shell $(PYTHON) -c 'import json; print(json.load(open("cdk.json"))["context"].get("eu-residency:key-control", "any"))')

# No telemetry, no version check, no notices: nothing reaches out from a synth.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true
export CDK_DISABLE_VERSION_CHECK := true

.PHONY: synth test lint typecheck imports unit install lock clean docs bench

## The main job: synthesize every stack of every environment with every check into cdk.out/ENV/, and
## write the review pack for security into reports/ENV/, also (above all) when findings stop synthesis.
synth: install
	@status=0; for env in $(ENVIRONMENTS); do \
	  echo "== cdk synth -c env=$$env -> cdk.out/$$env"; \
	  npx --no-install cdk synth --quiet --no-notices -c env=$$env -o cdk.out/$$env || status=1; \
	  echo "== review pack -> reports/$$env"; \
	  $(VENV)/bin/eu-residency report cdk.out/$$env --out reports/$$env --key-control $(KEY_CONTROL) || status=1; \
	done; exit $$status

## The quality gate: lint, type checks, the direction of imports, tests.
test: lint typecheck imports unit

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

## The layers and forbidden imports of pyproject.toml's [tool.importlinter] contracts (docs/ARCHITECTURE.md).
imports: install
	$(VENV)/bin/lint-imports

unit: install $(CHROMIUM)
	$(VENV)/bin/pytest

install: $(PY_STAMP) $(NODE_STAMP)

$(PY_STAMP): requirements.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "make: Python 3.11 or newer is needed as $(PYTHON); set PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip==25.3
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "make: install Debian's chromium package (needed by the report tests)"; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "make: npm (Node.js 20 or newer) is needed for the CDK CLI"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

## Benchmarks (not part of test): bench/results.json, bench/RESULTS.md and its plots; about 15 minutes.
bench: install $(PEERS_STAMP)
	$(PY) -m bench.run

$(PEERS_STAMP): bench/requirements-peers.txt
	$(PYTHON) -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/python -m pip install --quiet --upgrade pip==25.3
	$(PEERS_VENV)/bin/python -m pip install --quiet -r bench/requirements-peers.txt
	touch $@

## Regenerate the rule catalogue from the rules' metadata.
docs: $(PY_STAMP)
	$(PY) -m eu_residency.rules.catalogue > docs/RULES.md

## Re-pin every Python package after changing pyproject.toml.
lock: $(PY_STAMP)
	$(PY) -m pip install --quiet -e '.[audit,cdk,dev]'
	{ echo "# Every Python package the project installs, pinned (pip freeze of the dev environment)."; \
	  echo "# Regenerate with: make lock"; \
	  $(PY) -m pip freeze --exclude-editable; } > requirements.lock

clean:
	rm -rf $(VENV) node_modules cdk.out reports .mypy_cache .ruff_cache .pytest_cache
