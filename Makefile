# Tadamon: the two quick-start commands (make run, make test) and a few helpers.
# Each target sets up what it needs: the virtual environment, the packages, the warehouse.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench ui dropbox warehouse-stop clean-data install

# What `make lint` checks: Python with ruff (pyproject.toml), SQL with sqlfluff (.sqlfluff, .sqlfluffignore)
SQL_PATHS := dbt_project/models dbt_project/tests docs/bi orchestration/report/queries
# sqlfluff's parsing dominates the lint; on a shared 2-core machine 2 processes were slower than 1
SQLFLUFF_PROCESSES ?= 1
LINT_STAMP := $(VENV)/.linted
# A lint passed on these files is not repeated (CI's second `make test`): the stamp is older than
# any of them once one changes or is added. Folders are not inputs: running the tests writes
# __pycache__ into them, which would make every second run lint again.
LINT_INPUTS := pyproject.toml .sqlfluff .sqlfluffignore \
	$(shell find orchestration tests $(SQL_PATHS) dbt_project/macros \( -name '*.py' -o -name '*.sql' \) \
	        -not -path '*/__pycache__*' 2>/dev/null)

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/tadamon run

test: $(LINT_STAMP)
	$(BIN)/python -m pytest

# quiet when clean; otherwise each finding as file:line:column and its rule (all three tools run)
lint: $(STAMP)
	@status=0; \
	$(BIN)/ruff check --quiet --output-format concise . || status=1; \
	$(BIN)/ruff format --check --quiet . || status=1; \
	$(BIN)/sqlfluff lint --quiet --disable-progress-bar --processes $(SQLFLUFF_PROCESSES) $(SQL_PATHS) || status=1; \
	exit $$status
	@touch $(LINT_STAMP)

$(LINT_STAMP): $(STAMP) $(LINT_INPUTS)
	@$(MAKE) --no-print-directory lint

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,bench]'
	$(BIN)/tadamon bench

ui: $(STAMP)
	$(BIN)/tadamon ui

dropbox: $(STAMP)
	$(BIN)/tadamon dropbox

warehouse-stop: $(STAMP)
	$(BIN)/tadamon warehouse stop

clean-data:
	rm -rf data
