# Two commands do everything on a fresh machine: `make demo` and `make test` (README.md).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_WORKERS ?= 2
# worksteal: a worker that finishes early takes tests queued for the other (a few tests take minutes);
# the slowest tests are listed so a CI log shows where the time goes.
PYTEST_PARALLEL = -n $(PYTEST_WORKERS) --dist worksteal --durations=15

.PHONY: install demo test lint test-sqlite test-postgres test-browser chromium poppler messages screenshots clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PY) >/dev/null 2>&1 || { echo "Python 3.11+ is required ($(PY) not found)"; exit 1; }
	@test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/kopiena compilemessages --ignore=.venv -v0 || true
	@touch $(STAMP)

demo: install
	$(BIN)/kopiena demo --serve

lint: install
	$(BIN)/ruff check kopiena tests bench scripts
	$(BIN)/ruff format --check kopiena tests bench scripts

test: lint test-sqlite test-postgres test-browser

test-sqlite: install
	@echo "== tests on SQLite =="
	@# File databases (one per xdist worker), not the in-memory shared cache: tests that run a worker or clock
	@# in a thread get "database schema is locked" from shared-cache SQLite instead of WAL's waiting. Same speed.
	@mkdir -p var
	KOPIENA_DATABASE_URL=sqlite:///var/test.sqlite3 KOPIENA_TEST_DB_NAME=$(CURDIR)/var/test-sqlite.sqlite3 \
		$(BIN)/pytest -q -m "not browser" $(PYTEST_PARALLEL) -p no:cacheprovider

test-postgres: install
	@echo "== tests on PostgreSQL ($(PG_URL)) =="
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_URL)'.replace('postgres://','postgresql://'), connect_timeout=3).close()" 2>/dev/null; then \
		KOPIENA_DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -m "not browser" $(PYTEST_PARALLEL) -p no:cacheprovider; \
	elif [ -n "$$CI" ]; then \
		echo "PostgreSQL at $(PG_URL) does not answer, and CI is set: failing."; exit 1; \
	else \
		echo "############################################################"; \
		echo "## SKIPPED: PostgreSQL at $(PG_URL) does not answer.       ##"; \
		echo "## The PostgreSQL half of the suite did NOT run.            ##"; \
		echo "############################################################"; \
	fi

test-browser: install chromium poppler
	@echo "== browser tests (Debian chromium via Playwright) =="
	@# A file database, not the in-memory shared cache: the live server, the worker and the clock run in threads
	@# and shared-cache SQLite answers "table is locked" at once instead of waiting like WAL does.
	@mkdir -p var
	KOPIENA_DATABASE_URL=sqlite:///var/browser.sqlite3 KOPIENA_TEST_DB_NAME=$(CURDIR)/var/test-browser.sqlite3 \
		$(BIN)/pytest -q -m browser -p no:cacheprovider

# Optional: every main page at 1440 and 390 px, light and dark, into docs/screenshots/ (a throwaway
# demo database in var/screenshots/, removed afterwards).
screenshots: install chromium
	$(BIN)/python scripts/screenshots.py

chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# pdftoppm renders a client report's first PDF page to PNG in tests/browser/test_home_reports.py.
poppler:
	@test -x /usr/bin/pdftoppm || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }

messages: install
	cd kopiena && ../$(BIN)/kopiena makemessages -l lv -l ru --ignore=migrations -v0 && ../$(BIN)/kopiena compilemessages -v0

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
