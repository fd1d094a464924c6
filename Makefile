# The two commands a newcomer needs: `make demo` and `make test`.
# Everything they need is installed from here: a virtualenv with the package and its
# dev extra (Python 3.11+, with Debian's venv support installed if missing), and influxd
# (Debian's `influxdb` package) when it is not on PATH. The tests and the demo start their
# own throwaway influxd; no system service is used.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test docs lint format typecheck unit integration influxd venv clean bench

venv: $(STAMP)

$(STAMP): pyproject.toml
	@scripts/ensure-python.sh $(PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

influxd:
	@scripts/ensure-influxd.sh

demo: venv influxd
	$(BIN)/python examples/trades.py

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check influxorm influxorm_pytest tests examples
	$(BIN)/lint-imports

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format influxorm influxorm_pytest tests examples

typecheck: venv
	$(BIN)/mypy

unit: venv
	$(BIN)/pytest tests/unit

integration: venv influxd
	$(BIN)/pytest tests/integration

# Checks first (fast, no server), then the whole suite against throwaway influxd servers.
test: venv influxd lint typecheck
	$(BIN)/pytest

# The documentation site, from docs/ and the docstrings, into site/ (no warnings allowed).
# Its examples run in the test suite (tests/docs) against a throwaway influxd.
docs: venv
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

# Benchmarks against the other Python clients (not part of `make test`): their own
# environment with the `fast` extra and aioinflux, influxdb, influxdb-client; one table.
# `make bench ARGS=--quick` runs each case once.
BENCH_VENV  := .bench-venv
BENCH_STAMP := $(BENCH_VENV)/.installed

$(BENCH_STAMP): pyproject.toml
	@scripts/ensure-python.sh $(PYTHON)
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e '.[fast]' aioinflux influxdb influxdb-client
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP) influxd
	$(BENCH_VENV)/bin/python benchmarks/run.py $(ARGS)

clean:
	rm -rf site $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
