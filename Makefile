# The two commands a newcomer needs: `make demo` and `make test`.
# Everything they need is installed from here: a virtualenv with the package and its
# dev extra, and influxd (Debian's `influxdb` package) when it is not on PATH.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint typecheck unit integration influxd venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
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
	$(BIN)/ruff format --check influxorm tests examples

typecheck: venv
	$(BIN)/mypy

unit: venv
	$(BIN)/pytest tests/unit

integration: venv influxd
	$(BIN)/pytest tests/integration

test: venv influxd lint typecheck
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
