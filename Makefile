# Encore: `make run` serves the app, `make test` runs every check. Both set themselves up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install tools run run-https cert test pytest lint format docs screenshots bench clean translations catalogs
CERT_DIR := instance/certs

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Encore needs Python 3.11 or newer; try make PYTHON=python3.12")'
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): $(BIN)/python requirements/base.txt requirements/embedded.txt requirements/dev.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $@

install: $(INSTALLED) ## Create .venv and install everything (done by run and test too)

run: $(INSTALLED) catalogs ## Serve the app at http://127.0.0.1:5000 with embedded MongoDB, Redis and a worker
	$(BIN)/python -m app.runner

run-https: $(INSTALLED) catalogs ## Like run, over https://127.0.0.1:5000 (certificate from make cert, else adhoc)
	@if [ -f $(CERT_DIR)/cert.pem ]; then \
	  WEB_TLS_CERT=$(CERT_DIR)/cert.pem WEB_TLS_KEY=$(CERT_DIR)/key.pem $(BIN)/python -m app.runner; \
	else \
	  WEB_TLS_CERT=adhoc $(BIN)/python -m app.runner; \
	fi

cert: ## Make a lasting self-signed certificate in instance/certs/ for make run-https
	mkdir -p $(CERT_DIR)
	openssl req -x509 -newkey rsa:4096 -nodes -days 365 \
	  -keyout $(CERT_DIR)/key.pem -out $(CERT_DIR)/cert.pem \
	  -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"

test: $(INSTALLED) tools lint docs pytest ## Lint, build the docs, run the whole test suite

tools: ## Install Debian's chromium and nginx for the browser and proxy tests when missing (needs root)
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$$missing nginx-light"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing$$missing for the browser and proxy tests..."; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "WARNING:$$missing missing and cannot be installed here: the tests that need them will be SKIPPED."; \
	  fi; \
	fi

pytest: $(INSTALLED) catalogs ## Run the test suite only (private servers are started and stopped)
	$(BIN)/python -m pytest

translations: $(INSTALLED) ## Extract the marked strings, update every language's catalog, compile them
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext -k t -c "Translators:" --sort-by-file \
	  --project Encore --copyright-holder "Encore" -o app/translations/messages.pot .
	$(BIN)/pybabel -q update -i app/translations/messages.pot -d app/translations --ignore-obsolete --ignore-pot-creation-date
	$(BIN)/python -m app.i18n.compile --force

catalogs: $(INSTALLED) ## Compile the translation catalogs (.po to .mo) that are out of date
	$(BIN)/python -m app.i18n.compile

lint: $(INSTALLED) ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED) ## Apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

docs: $(INSTALLED) ## Build the Sphinx docs; any warning fails
	$(BIN)/sphinx-build -E -W --keep-going -q -b html docs docs/_build/html

screenshots: $(INSTALLED) tools ## Take the docs' screenshots of the main pages (docs/_static/screenshots/)
	$(BIN)/python -m pytest tests/e2e/screenshots.py

bench: $(INSTALLED) ## Storage, memory, library-page, load and fault runs on private servers (figures in docs/)
	$(BIN)/python -m bench.storage_throughput --mib 50 --repeats 5
	$(BIN)/python -m bench.upload_memory --mib 200 --uploads 2
	$(BIN)/python -m bench.library_page --sizes 1000,10000,100000
	$(BIN)/python -m bench.load --members 20 --seconds 20
	$(BIN)/python -m bench.faults --members 10 --seconds 25
	$(BIN)/python -m bench.live --uploads 50 --clients 1000

clean: ## Remove the virtualenv and build output (instance/ data is kept)
	rm -rf $(VENV) docs/_build .pytest_cache .ruff_cache
