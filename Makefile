# Two commands matter: `make run` and `make test`. Everything else is a step they share.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
export PORT  # the portal's links in emails follow it (config.DevelopmentConfig.BASE_URL)
STAMP := .make
GOVUK := node_modules/govuk-frontend/dist/govuk

.PHONY: run test setup assets database demo worker lint format browser clean bench bench-smoke bench-returns bench-spreadsheet

run: setup database demo  ## set up, load demo data and start the portal on http://127.0.0.1:$(PORT)
	$(BIN)/flask --app wsgi demo logins
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

# Parallel pytest-xdist workers, each with its own database; 0 runs the suite in one process. On PostgreSQL a worker
# spends part of each test waiting for the server, and a third worker uses that time (on two cores: 10 minutes to 9).
TEST_WORKERS ?= $(if $(DATABASE_URL),3,2)

# Python keeps compiled modules, and pytest its rewritten test modules, in __pycache__ even where the environment
# asks it not to (PYTHONDONTWRITEBYTECODE): each worker, and each process a test starts, would compile them all again
# (collecting the suite takes 19 s of processor time that way, 8 s from the cache).
# With --dist worksteal a worker that runs out of tests takes half of what another has left, rather than waiting
# while the other works through a batch of browser tests it was handed earlier (on SQLite one worker sat idle for the
# last 73 s of 369).
test: setup browser  ## set up and run the whole test suite
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

setup: $(STAMP)/python $(STAMP)/npm assets

$(STAMP)/python: pyproject.toml
	@mkdir -p $(STAMP)
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed (set PYTHON=/path/to/python3.11)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

$(STAMP)/npm: package.json package-lock.json
	@mkdir -p $(STAMP)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: $(STAMP)/npm
	@mkdir -p static/vendor/govuk-frontend
	cp -R $(GOVUK)/assets/fonts $(GOVUK)/assets/images $(GOVUK)/assets/manifest.json static/
	cp $(GOVUK)/govuk-frontend.min.css $(GOVUK)/govuk-frontend.min.js static/vendor/govuk-frontend/
	@mkdir -p static/vendor/leaflet
	cp -R node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images static/vendor/leaflet/

database: setup  ## apply migrations and load the London reference data
	$(BIN)/flask --app wsgi db upgrade
	$(BIN)/flask --app wsgi reference load

demo: database  ## load the demo organisations and users and the published LCPF formula (idempotent)
	$(BIN)/flask --app wsgi demo load
	$(BIN)/flask --app wsgi lcpf load
	$(BIN)/flask --app wsgi demo lcpf-consultation

worker: setup  ## start an rq worker (needs REDIS_URL)
	$(BIN)/flask --app wsgi worker

browser:  ## make sure Chromium's headless shell is installed for the browser tests
	@command -v chromium-headless-shell >/dev/null || scripts/install-chromium

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup  ## load London x10 into DATABASE_URL (PostgreSQL) and drive the portal and a hello ceiling with wrk
	$(BIN)/python -m bench.run --scale 10 $(BENCH_ARGS)

bench-smoke: setup  ## the same at scale 1 on SQLite, 2 s a measurement (about a minute; CI runs it)
	$(BIN)/python -m bench.run --smoke --label smoke

bench-returns: setup  ## fifty people saving and double-submitting returns for a minute (DATABASE_URL PostgreSQL, REDIS_URL)
	$(BIN)/python -m bench.returns_under_load --users 50 --seconds 60 $(BENCH_ARGS)

bench-spreadsheet: setup  ## check a quarterly returns file of every borough's projects (9,240 rows) and time it
	$(BIN)/python -m bench.returns_spreadsheet $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules $(STAMP) .mypy_cache static/fonts static/images static/manifest.json static/vendor
