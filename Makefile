# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8080

.PHONY: run test lint bench bench-smoke clean

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

lint: $(VENV)/.installed ## layer contract and types
	$(VENV)/bin/lint-imports
	$(PY) -m mypy

clean:
	rm -rf $(VENV) build *.egg-info

bench: $(VENV)/.installed ## throughput, lookup scale and cold start against a bare aiohttp server: bench/results.md
	$(PY) -m pip install --quiet -e '.[bench]'
	$(PY) -m bench

bench-smoke: $(VENV)/.installed ## the benchmark in seconds, to prove it runs (CI); writes nothing
	$(PY) -m bench --smoke
