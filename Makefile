# priorauth: `make run` to try it, `make test` to prove it, `make bench` to measure it.
PYTHON ?= $(shell command -v python3.11 || command -v python3.12 || command -v python3.13 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test bench lint format install migrate demo clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit("priorauth needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet ".[dev]"
	@touch $@

install: $(VENV)/.installed

# Development defaults: DEBUG on, SQLite, the embedded Celery broker. Any of them can be overridden.
run: export DEBUG ?= 1
# Beat runs the override expiry every 30 s here (hourly by default) so you can watch it.
run: export PRIORAUTH_EXPIRY_INTERVAL_SECONDS ?= 30
run: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_policy --new-only policies/data/*.yaml
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "  priorauth is starting at http://$(HOST):$(PORT)/  (API docs: http://$(HOST):$(PORT)/api/v1/docs/)"
	@echo "  Sign in with a demo login above. Ctrl-C stops the web server, worker and beat."
	@echo
	HOST=$(HOST) PORT=$(PORT) $(BIN)/honcho start -f Procfile

test: install
	@bash scripts/test.sh

# Needs PostgreSQL (BENCH_DATABASE_URL); writes its numbers into docs/benchmarks.md.
bench: install
	$(BIN)/python -m benchmarks

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var db.sqlite3 db.sqlite3-* staticfiles tests/artifacts
