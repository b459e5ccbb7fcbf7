# Tadamon: the two quick-start commands (make run, make test) and a few helpers.
# Each target sets up what it needs: the virtual environment, the packages, the warehouse.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test bench ui dropbox warehouse-stop clean-data install

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/tadamon run

test: $(STAMP)
	$(BIN)/python -m pytest

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
