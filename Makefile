# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8080
FLOOR_VENV ?= .venv-floor
# The tests the floor run takes: the server and its resources through google-genai and openai.
FLOOR_TESTS := tests/server tests/protocol tests/resources tests/sources/test_rules.py \
	tests/clients/test_genai_native.py tests/clients/test_openai_compat.py tests/test_embedded.py

.PHONY: run test test-floor lint bench clean

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

# The lowest versions pyproject.toml allows (uv's lowest-direct resolution), in a venv of their own.
$(FLOOR_VENV)/.installed: pyproject.toml
	rm -rf $(FLOOR_VENV)
	$(PYTHON) -m venv $(FLOOR_VENV)
	$(FLOOR_VENV)/bin/python -m pip install --quiet uv
	$(FLOOR_VENV)/bin/uv pip install --quiet --native-tls --python $(FLOOR_VENV)/bin/python --resolution lowest-direct -e '.[test]'
	touch $@

test-floor: $(FLOOR_VENV)/.installed ## a quick part of the suite on the declared lowest versions
	$(FLOOR_VENV)/bin/python -m pytest -q -p no:xdist $(FLOOR_TESTS)

lint: $(VENV)/.installed ## layer contract and types
	$(VENV)/bin/lint-imports
	$(PY) -m mypy

clean:
	rm -rf $(VENV) $(FLOOR_VENV) build *.egg-info tests/matrix/.venvs tests/matrix/node/node_modules

bench: $(VENV)/.installed ## throughput as a ratio of a bare aiohttp server's
	$(PY) tests/benchmarks/bench_server.py
