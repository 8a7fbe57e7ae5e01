# The two commands of the README. Both set everything up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/mailbot demo --home demo-home

# The whole suite on SQLite and, side by side, again on PostgreSQL, where each test gets a
# database of its own on a throwaway server (tests/both_databases.sh, tests/conftest.py).
test: $(STAMP)
	tests/both_databases.sh $(BIN)/python

lint: $(STAMP)
	$(BIN)/ruff check mailbot tests bench
	$(BIN)/mypy mailbot

bench: $(STAMP)
	for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) demo-home var .pytest_cache
