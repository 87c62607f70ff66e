# Two commands for a newcomer: `make run` and `make test`. Both bootstrap .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATASETS ?= ../shared/datasets
# make bench BENCH_PAGES=1000: sample size and interleaved rounds (fastest kept) of the speed benchmark.
BENCH_PAGES ?= 300
BENCH_ROUNDS ?= 2

.PHONY: install browser run test eval rivals bench golden lint clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/scraper clean --sample

# The one system package the suite needs: the --explain test opens its report in headless
# Chromium. Installed from the distribution's packages when missing (Debian/Ubuntu, as root).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	{ apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || \
	echo "make: could not install chromium; the --explain rendering test will fail" >&2

test: install browser
	$(BIN)/python -m pytest

eval: install
	$(BIN)/python tools/evaluate.py --datasets $(DATASETS) --worst 10 --markdown docs/accuracy.md --json out/eval/figures.json

# The rivals (readability-lxml, newspaper4k) live in a virtualenv of their own: their
# dependencies never touch the product's. `make rivals` makes it on first use.
RIVALS_VENV := .venv-rivals
RIVALS := 'readability-lxml>=0.8' 'newspaper4k>=0.9'

$(RIVALS_VENV)/.installed:
	$(PYTHON) -m venv $(RIVALS_VENV)
	$(RIVALS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(RIVALS_VENV)/bin/python -m pip install --quiet $(RIVALS)
	touch $@

rivals: install $(RIVALS_VENV)/.installed
	$(BIN)/python tools/rivals.py --datasets $(DATASETS) --rivals-python $(RIVALS_VENV)/bin/python --markdown docs/rivals.md --json out/eval/rivals.json

bench: install
	$(BIN)/python tools/benchmark.py --datasets $(DATASETS) --pages $(BENCH_PAGES) --rounds $(BENCH_ROUNDS) --profile

golden: install
	$(BIN)/python -m tests.regenerate_golden

lint: install
	$(BIN)/ruff check scraper tests
	$(BIN)/mypy scraper

clean-venv:
	rm -rf $(VENV) $(RIVALS_VENV)
