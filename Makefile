# Everything the project needs is installed by these targets into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint selfcheck report clean bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: emulator + contract suites + a short bounded load run, written to reports/<run-id>/
run: $(STAMP)
	$(BIN)/webex-harness run

## make test: the project's own tests and the contract suites against the emulator
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check .

selfcheck: $(STAMP)
	$(BIN)/webex-harness selfcheck

bench: $(STAMP)
	$(BIN)/python bench/generators.py

clean:
	rm -rf $(VENV) reports/*/ .pytest_cache
