# Encore: `make run` serves the app, `make test` runs every check. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test pytest lint format docs clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Encore needs Python 3.11 or newer; try make PYTHON=python3.12")'
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): $(BIN)/python requirements/base.txt requirements/embedded.txt requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $@

install: $(INSTALLED) ## Create .venv and install everything (done by run and test too)

run: $(INSTALLED) ## Serve the app at http://127.0.0.1:5000 with embedded MongoDB, Redis and a worker
	$(BIN)/python -m app.runner

test: $(INSTALLED) lint docs pytest ## Lint, build the docs, run the whole test suite

pytest: $(INSTALLED) ## Run the test suite only (private servers are started and stopped)
	$(BIN)/python -m pytest

lint: $(INSTALLED) ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

docs: $(INSTALLED) ## Build the Sphinx docs; any warning fails
	$(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html

clean: ## Remove the virtualenv and build output (instance/ data is kept)
	rm -rf $(VENV) docs/_build .pytest_cache .ruff_cache
