# `make run` serves the bundled examples; `make test` runs what CI runs; `make help` lists every target.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8080
FLOOR_VENV ?= .venv-floor
# The tests the floor run takes: the server and its resources through google-genai and openai.
FLOOR_TESTS := tests/server tests/protocol tests/resources tests/sources/test_rules.py \
	tests/clients/test_genai_native.py tests/clients/test_openai_compat.py tests/test_embedded.py

.PHONY: help run test test-floor lint bench bench-smoke clean soak

help: ## list the targets
	@grep -E '^[a-z][a-z.-]*:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | awk -F'\t' '{printf "  make %-8s %s\n", $$1, $$2}'

$(VENV)/.runtime: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime ## serve the bundled example cassette and rules on PORT (default 8080); installs the runtime only
	$(VENV)/bin/mockgem serve --port $(PORT) --example

test: $(VENV)/.installed lint ## the whole suite, as CI runs it, then the example project's tests
	$(PY) -m pytest -q
	cd examples/pytest && $(abspath $(PY)) -m pytest -q

# The lowest versions pyproject.toml allows (uv's lowest-direct resolution), in a venv of their own.
$(FLOOR_VENV)/.installed: pyproject.toml
	rm -rf $(FLOOR_VENV)
	$(PYTHON) -m venv $(FLOOR_VENV)
	$(FLOOR_VENV)/bin/python -m pip install --quiet uv
	$(FLOOR_VENV)/bin/uv pip install --quiet --native-tls --python $(FLOOR_VENV)/bin/python --resolution lowest-direct -e '.[test]'
	touch $@

test-floor: $(FLOOR_VENV)/.installed ## a quick part of the suite on the declared lowest versions
	$(FLOOR_VENV)/bin/python -m pytest -q -p no:xdist $(FLOOR_TESTS)

soak: $(VENV)/.installed ## the hardening tests at full size (fuzz, mixed-SDK soak, recording load, kill -9); numbers in soak-report.jsonl
	rm -f soak-report.jsonl
	MOCKGEM_SOAK=1 MOCKGEM_REPORT=$(abspath soak-report.jsonl) $(PY) -m pytest -q -o timeout=3600 tests/hardening
	cat soak-report.jsonl

lint: $(VENV)/.installed ## layer contract and types
	$(VENV)/bin/lint-imports
	$(PY) -m mypy

clean: ## remove the virtualenvs and build output
	rm -rf $(VENV) $(FLOOR_VENV) build dist *.egg-info artifacts tests/matrix/.venvs tests/matrix/node/node_modules

bench: $(VENV)/.installed ## throughput, lookup scale and cold start against a bare aiohttp server: bench/results.md
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m bench

bench-smoke: $(VENV)/.installed ## the benchmark in seconds, to prove it runs (CI); writes nothing
	$(PY) -m bench --smoke
