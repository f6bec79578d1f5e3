# Everything the project needs is installed by these targets into .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run test lint hooks selfcheck report clean bench browser wrk

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## make run: emulator + contract suites + a short bounded load run, written to reports/<run-id>/
run: $(STAMP)
	$(BIN)/webex-harness run

## make test: the checks of `make lint`, then the project's own tests and the contract suites against the emulator
test: lint browser
	$(BIN)/python -m pytest -n 2 -q

## make lint: ruff (rules and formatting) and mypy (strict on the library packages; pyproject.toml [tool.mypy])
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m mypy

## make hooks: run the checks of `make lint` before every commit (.pre-commit-config.yaml)
hooks: $(STAMP)
	$(BIN)/pre-commit install

selfcheck: $(STAMP)
	$(BIN)/webex-harness selfcheck

## make report: the allure HTML report of the latest run (needs the allure tool: npm install -g allure-commandline)
report: $(STAMP)
	$(BIN)/webex-harness report --allure

## make browser: headless Chromium, which the summary.html test renders the report in (skipped without it)
browser:
	@command -v chromium >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium) \
		|| echo "warning: could not install chromium (apt-get failed); the summary.html browser test will be skipped"

## make bench: the speed benchmarks of docs/performance.md, each printing its Markdown (minutes; run on a quiet machine)
bench: $(STAMP) wrk
	$(BIN)/python bench/generators.py --markdown
	$(BIN)/python bench/emulator_throughput.py --markdown
	$(BIN)/python bench/locust_overhead.py --markdown
	$(BIN)/python bench/contract_time.py --markdown
	$(BIN)/python bench/emulator_growth.py --markdown
	$(BIN)/python bench/compare_rates.py --markdown

## make wrk: the HTTP load generator bench/emulator_throughput.py drives (Debian package wrk)
wrk:
	@command -v wrk >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y wrk) \
		|| (echo "error: wrk is missing and apt-get could not install it: install wrk (apt-get install wrk," \
		"or build https://github.com/wg/wrk) and re-run make bench" >&2; exit 1)

clean:
	rm -rf $(VENV) reports/*/ .pytest_cache
