# Détente — the two Quick-start commands are `make demo` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
OUT ?= reports

.PHONY: setup demo test lint typecheck pytest docs bench clean

setup:
	@scripts/setup.sh

## Set up, then assess the bundled example proposals: summary table + reports in ./reports
demo: setup
	$(BIN)/detente assess examples --out $(OUT) --format json --format md --format html

## Set up (incl. Chromium), then ruff, mypy --strict on src, and the whole pytest suite
test:
	@scripts/setup.sh --test
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/pytest -q

lint:
	$(BIN)/ruff check src tests bench && $(BIN)/ruff format --check src tests bench

typecheck:
	$(BIN)/mypy

docs:
	$(BIN)/detente framework export --format md --out docs/framework.md
	$(BIN)/detente packs export --format md --out docs/packs.md
	$(BIN)/python -m detente.cli.docs > docs/cli.md
	$(BIN)/detente schema proposal > docs/schema/proposal.schema.json
	$(BIN)/detente schema assessment > docs/schema/assessment.schema.json
	$(BIN)/python -m detente.assessment.schema docs/proposals.md

bench:
	$(BIN)/python bench/bench_assess.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache $(OUT)
