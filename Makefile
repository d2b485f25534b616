# `make run` serves the bundled examples; `make test` runs what CI runs; `make help` lists every target.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8080

.PHONY: help run test lint bench bench-smoke clean

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

lint: $(VENV)/.installed ## layer contract and types
	$(VENV)/bin/lint-imports
	$(PY) -m mypy

clean: ## remove the virtualenv and build output
	rm -rf $(VENV) build dist *.egg-info artifacts

bench: $(VENV)/.installed ## throughput, lookup scale and cold start against a bare aiohttp server: bench/results.md
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m bench

bench-smoke: $(VENV)/.installed ## the benchmark in seconds, to prove it runs (CI); writes nothing
	$(PY) -m bench --smoke
