# The README's two commands: `make demo` and `make test`. Everything else supports them.
# `make demo` serves the way production does (gunicorn, DEBUG off); `make dev` is the reloading
# development server with DEBUG on.
SHELL := /bin/bash
# The newest Python 3.11+ on the machine; `make PYTHON=/path/to/python3.12 demo` chooses another.
# (Each is run, not just looked up: version-manager shims exist for versions that are absent.)
PYTHON ?= $(firstword $(shell for p in python3.13 python3.12 python3.11 python3; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && echo $$p; done) python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export CAREBRIDGE_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo dev test lint assets install install-dev lock bench clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Carebridge needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Runtime dependencies, pinned by constraints.txt so two installs give the same set.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

build/static/app.css: node_modules/.package-lock.json assets/scss/app.scss assets/js/app.mjs scripts/build-assets.mjs
	node scripts/build-assets.mjs

assets: build/static/app.css

# Regenerate the pins after changing dependencies in pyproject.toml.
lock: | $(BIN)/python
	rm -rf .venv-lock && $(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --upgrade pip
	.venv-lock/bin/pip install --quiet -e '.[dev]'
	.venv-lock/bin/pip freeze --exclude-editable | grep -v '^-e' > constraints.txt
	rm -rf .venv-lock

# The demo switch (CAREBRIDGE_DEMO, in carebridge/settings.py) keeps DEBUG off but serves plain
# HTTP on loopback; static files are collected into the data directory for WhiteNoise.
demo: install assets
	DEBUG=false CAREBRIDGE_DEMO=true $(BIN)/carebridge migrate --noinput
	DEBUG=false CAREBRIDGE_DEMO=true $(BIN)/carebridge collectstatic --noinput --verbosity 0
	DEBUG=false CAREBRIDGE_DEMO=true $(BIN)/carebridge seed_demo
	PORT=$(PORT) scripts/run-demo.sh

dev: install assets
	DEBUG=true $(BIN)/carebridge migrate --noinput
	DEBUG=true $(BIN)/carebridge seed_demo
	PORT=$(PORT) scripts/run-demo.sh --dev

test: install-dev assets
	scripts/run-tests.sh

lint: install-dev assets
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy carebridge
	$(BIN)/lint-imports
	$(BIN)/carebridge makemigrations --check --dry-run
	$(BIN)/carebridge check

bench: install-dev assets
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) node_modules build var
