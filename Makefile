# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint format bench install messages clean services-test

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[postgres,dev]'
	touch $(STAMP)

install: $(STAMP)

# Compiled catalogues are committed; this rebuilds them with Babel (pure Python, no gettext needed).
messages: $(STAMP)
	@for po in $$(find locale -name django.po); do $(BIN)/pybabel compile -i $$po -o $${po%.po}.mo || exit 1; done

# The public address (PLATFORM_BASE_URL) follows HOST and PORT unless it is set: QR codes, did:web and signed
# credentials must name the address this server is reached at (core/public_address.py).
run: export PLATFORM_DEV_HOST = $(HOST)
run: export PLATFORM_DEV_PORT = $(PORT)
run: $(STAMP) messages
	mkdir -p var
	$(BIN)/python manage.py migrate --noinput -v 0
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py public_address
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(STAMP) messages
	$(BIN)/pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy config core passports lca exporters

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format config core passports lca exporters tests bench

bench: $(STAMP)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
