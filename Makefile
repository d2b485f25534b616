# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8080

.PHONY: run test lint bench clean soak

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed ## serve the bundled example rules and cassettes
	$(VENV)/bin/mockgem serve --port $(PORT) --rules mockgem/examples/rules.yaml --cassette-dir cassettes

test: $(VENV)/.installed lint ## the whole suite, as CI runs it, then the example project's tests
	$(PY) -m pytest -q
	cd examples/pytest && $(abspath $(PY)) -m pytest -q

soak: $(VENV)/.installed ## the hardening tests at full size (fuzz, mixed-SDK soak, recording load, kill -9); numbers in soak-report.jsonl
	rm -f soak-report.jsonl
	MOCKGEM_SOAK=1 MOCKGEM_REPORT=$(abspath soak-report.jsonl) $(PY) -m pytest -q -o timeout=3600 tests/hardening
	cat soak-report.jsonl

lint: $(VENV)/.installed ## layer contract and types
	$(VENV)/bin/lint-imports
	$(PY) -m mypy

clean:
	rm -rf $(VENV) build *.egg-info

bench: $(VENV)/.installed ## throughput as a ratio of a bare aiohttp server's
	$(PY) tests/benchmarks/bench_server.py
