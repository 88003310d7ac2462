# Works on a fresh machine with only python3 and pip: the venv is created and filled on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test demo lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python main.py

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

demo: $(STAMP)
	$(BIN)/python -m devtools.demo

bench: $(STAMP)
	$(BIN)/python -m bench.analytics_bench
	$(BIN)/python -m bench.scheduler_bench
	$(BIN)/python -m bench.tap_bench

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
