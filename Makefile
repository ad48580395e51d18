# Comptoir developer commands. `make run` starts the whole platform on 127.0.0.1,
# `make test` runs the test suite (it starts its own services), `make lint` checks style/types.
SHELL := /bin/bash
VENV ?= .venv
PYTHON := $(VENV)/bin/python
TEST_TIMEOUT ?= 180
PYTEST_ARGS ?=
TYPED_PACKAGES := comptoir api workflows activities storefront admin_ui devstack demo

.DEFAULT_GOAL := help
.PHONY: help setup run test lint

help:
	@echo "make setup  create .venv, install the project and the Debian libraries it needs"
	@echo "make run    start the whole platform (URLs and demo logins are printed; Ctrl-C stops it)"
	@echo "make test   ruff, mypy, then the test suite (PYTEST_ARGS='-k name' to narrow it)"
	@echo "make lint   ruff + mypy"

setup:
	@scripts/setup.sh

run: setup
	$(PYTHON) -m devstack.run

# Lint first (seconds), then the suite. pytest exits with 5 when it collected no test:
# that is a failure too, said out loud.
test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy $(TYPED_PACKAGES)
	@status=0; $(PYTHON) -m pytest --timeout=$(TEST_TIMEOUT) $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; \
	exit $$status

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy $(TYPED_PACKAGES)
