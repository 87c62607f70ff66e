# Two commands for a newcomer: `make run` and `make test`. Both bootstrap .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATASETS ?= ../shared/datasets
# make bench BENCH_PAGES=1000: sample size and interleaved rounds (fastest kept) of the speed benchmark.
BENCH_PAGES ?= 300
BENCH_ROUNDS ?= 2

.PHONY: install run test eval bench golden lint clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/scraper clean --sample

test: install
	$(BIN)/python -m pytest

eval: install
	$(BIN)/python tools/evaluate.py --datasets $(DATASETS) --worst 10 --markdown docs/accuracy.md --json out/eval/figures.json

bench: install
	$(BIN)/python tools/benchmark.py --datasets $(DATASETS) --pages $(BENCH_PAGES) --rounds $(BENCH_ROUNDS) --profile

golden: install
	$(BIN)/python -m tests.regenerate_golden

lint: install
	$(BIN)/ruff check scraper tests
	$(BIN)/mypy scraper

clean-venv:
	rm -rf $(VENV)
