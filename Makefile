# Time Series Labeler. `make run` and `make test` are the whole set-up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run install install-dev test test-embedded test-services lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): requirements.txt constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(STAMP)-dev: requirements-dev.txt $(STAMP)
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

install: $(STAMP)

install-dev: $(STAMP)-dev

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py ensure_admin
	$(BIN)/python manage.py load_demo
	PORT=$(PORT) $(BIN)/python manage.py serve

# The whole suite on the embedded setup, then the storage-dependent tests again on
# PostgreSQL + Redis (started by the tests themselves).
test: install-dev test-embedded test-services

test-embedded:
	$(BIN)/pytest

test-services:
	$(BIN)/pytest --services=postgres-redis tests/setup tests/api tests/working_state \
		tests/labelstudio tests/ui/test_dash_contract.py

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run

bench: install-dev
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) var
