# Roundtable: `make run` (demo server) and `make test` (the whole suite). GNU make.
#
# Every step is idempotent: the virtualenv is created once, Python packages are
# installed again only when a requirements file changed (stamp .venv/.installed),
# npm packages only when package.json / package-lock.json changed, and
# static/vendor/ is rebuilt from node_modules only when node_modules changed.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
VENDOR := static/vendor
VENDOR_STAMP := $(VENDOR)/.installed
CHROMIUM := /usr/bin/chromium
# The CLI runs unpatched and quiet (wsgi.py only monkey-patches for eventlet).
FLASK := SOCKETIO_ASYNC_MODE=threading $(BIN)/flask --app wsgi
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: help run demo-reset setup deps vendor translations chromium test test-sqlite test-pg lint lint-py lint-js bench run-cluster stop-cluster migrate-check clean distclean

help:
	@echo "make run            set up, migrate, seed the demo, serve on http://$${HOST:-127.0.0.1}:$${PORT:-5000}"
	@echo "make demo-reset     empty the dev database and seed the demo afresh (its live session ahead again)"
	@echo "make test           set up, then the test suite on SQLite (and PostgreSQL under CI=true or TEST_PG=1)"
	@echo "make lint           ruff over the Python (lint-py) and eslint over static/js (lint-js)"
	@echo "make migrate-check  fail if the models and the migrations differ"
	@echo "make bench          benchmarks, quick (BENCH=full for the full run; bench/README.md)"
	@echo "make run-cluster    PostgreSQL + Redis + one eventlet worker per core, sharing :8080"
	@echo "make stop-cluster   stop what run-cluster started"
	@echo "make clean          remove generated files (keeps .venv and the dev database)"
	@echo "make distclean      clean, plus .venv and instance/"

# --- set-up -----------------------------------------------------------------------------
$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 not found (python3.11 or python3)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(PY_STAMP): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --disable-pip-version-check -qq -r requirements-dev.txt
	touch $@

$(NODE_STAMP): package.json $(wildcard package-lock.json)
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; \
	else npm install --no-audit --no-fund; fi
	touch $@

# The same layout the templates expect; built in a scratch folder and swapped in.
$(VENDOR_STAMP): $(NODE_STAMP)
	rm -rf $(VENDOR).tmp
	mkdir -p $(VENDOR).tmp/bootstrap $(VENDOR).tmp/bootstrap-icons $(VENDOR).tmp/socket.io $(VENDOR).tmp/axe-core \
	  $(VENDOR).tmp/text-expander $(VENDOR).tmp/relative-time
	cp -R node_modules/bootstrap/dist/css node_modules/bootstrap/dist/js $(VENDOR).tmp/bootstrap/
	cp -R node_modules/bootstrap-icons/font/. $(VENDOR).tmp/bootstrap-icons/
	cp node_modules/socket.io-client/dist/socket.io.min.js node_modules/socket.io-client/dist/socket.io.min.js.map $(VENDOR).tmp/socket.io/
	cp node_modules/axe-core/axe.min.js $(VENDOR).tmp/axe-core/
	cp node_modules/@github/text-expander-element/dist/bundle.js $(VENDOR).tmp/text-expander/
	cp node_modules/@github/relative-time-element/dist/bundle.js $(VENDOR).tmp/relative-time/
	touch $(VENDOR).tmp/.installed
	rm -rf $(VENDOR) && mv $(VENDOR).tmp $(VENDOR)

# Translation catalogues: .po files are committed, .mo files compiled here (never committed).
TRANSLATIONS := community/translations
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po))
$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po $(PY_STAMP)
	$(BIN)/pybabel -q compile -f -i $< -o $@

deps: $(PY_STAMP)
vendor: $(VENDOR_STAMP)
translations: $(MO_FILES)
setup: deps vendor translations

# Debian's chromium for the browser tests (never `playwright install`: no browser downloads here).
chromium:
	@if [ -x $(CHROMIUM) ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; } || true; \
	fi; \
	if [ ! -x $(CHROMIUM) ]; then \
	  echo "*** $(CHROMIUM) is missing and could not be installed (needs root and apt-get: apt-get install -y chromium)."; \
	  echo "*** Browser tests will be skipped (and fail under CI=true)."; \
	fi

# --- run ------------------------------------------------------------------------------
# seed-demo creates what is missing and tells the demo's story only when it created the demo.
run: setup
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(BIN)/python wsgi.py

# Everything in the database goes (stop `make run` first: its open pages would show stale state).
demo-reset: setup
	$(FLASK) db upgrade
	$(FLASK) seed-demo --reset --yes

# --- tests ------------------------------------------------------------------------------
# Three passes at once, each with its own log, printed one after the other:
# - the browser tests on SQLite (`-m e2e`): they mostly wait on browsers and the server, so
#   they run beside the others rather than after them;
# - everything else on SQLite, the tests of real servers on their own files included (they
#   mostly wait too; with them the two SQLite passes take about as long as each other);
# - under CI=true (or TEST_PG=1) everything but the browser and server tests on PostgreSQL.
# Lint first (ruff + eslint, seconds): a finding fails the run before the suite starts.
test: setup chromium lint
	@start=$$(date +%s); rc=0; pg_pid=; pg_log=$$(mktemp); e2e_log=$$(mktemp); \
	if [ "$${CI:-}" = true ] || [ "$${TEST_PG:-}" = 1 ]; then \
	  $(MAKE) --no-print-directory test-pg > "$$pg_log" 2>&1 & pg_pid=$$!; \
	else \
	  echo "== PostgreSQL run skipped (TEST_PG=1 or CI=true runs the suite again on $(PG_TEST_URL))"; \
	fi; \
	$(BIN)/pytest -q -p no:cacheprovider -m e2e $(PYTEST_ARGS) > "$$e2e_log" 2>&1 & e2e_pid=$$!; \
	echo "== tests on SQLite (the browser tests run beside them; their output follows)"; \
	$(BIN)/pytest -q -m "not e2e" $(PYTEST_ARGS) || rc=$$?; \
	e2e_rc=0; wait $$e2e_pid || e2e_rc=$$?; \
	echo "== browser tests on SQLite"; cat "$$e2e_log"; \
	if [ $$rc = 0 ]; then rc=$$e2e_rc; fi; \
	if [ -n "$$pg_pid" ]; then \
	  pg_rc=0; wait $$pg_pid || pg_rc=$$?; \
	  cat "$$pg_log"; \
	  if [ $$rc = 0 ]; then rc=$$pg_rc; fi; \
	fi; \
	rm -f "$$pg_log" "$$e2e_log"; \
	echo "== make test took $$(( $$(date +%s) - start )) s (exit code $$rc)"; \
	exit $$rc

test-sqlite: setup chromium
	$(BIN)/pytest -q $(PYTEST_ARGS)

# The browser and server tests run once, in the SQLite pass; this pass checks the database layer.
test-pg: setup
	@if ! $(BIN)/python -c "import sys, psycopg2; psycopg2.connect(sys.argv[1].replace('+psycopg2', '')).close()" "$(PG_TEST_URL)" 2>/dev/null; then \
	  echo "*** PostgreSQL is not reachable at $(PG_TEST_URL) (set PG_TEST_URL)."; \
	  if [ "$${CI:-}" = true ]; then exit 1; fi; \
	  echo "*** Skipping the PostgreSQL run."; exit 0; \
	fi; \
	echo "== tests on PostgreSQL ($(PG_TEST_URL))"; \
	TEST_DATABASE_URL="$(PG_TEST_URL)" $(BIN)/pytest -q -p no:cacheprovider -m "not e2e and not server" $(PYTEST_ARGS)

# --- lint -------------------------------------------------------------------------------
# Rules in pyproject.toml ([tool.ruff]); `$(BIN)/ruff check --fix .` fixes what it safely can.
lint: lint-py lint-js

lint-py: deps
	$(BIN)/ruff check .

# eslint (a devDependency in package.json) over our own scripts; eslint.config.mjs says how.
lint-js: $(NODE_STAMP)
	node_modules/.bin/eslint --max-warnings 0 static/js eslint.config.mjs

# Benchmarks (never part of `make test`): a reduced quick run by default, BENCH=full for
# the full one; BENCH_ONLY=fanout,pages,data,idle,stall,soak picks some. See bench/README.md.
BENCH ?= quick
bench: setup
	$(BIN)/python bench/run.py --mode $(BENCH) $(if $(BENCH_ONLY),--only $(BENCH_ONLY),)

# --- the production shape on this machine ---------------------------------------------------
# PostgreSQL (database roundtable_cluster), Redis, one eventlet worker per core, all
# listening on 127.0.0.1:8080 (SO_REUSEPORT, websocket only). CLUSTER_ARGS="--front nginx":
# workers on 127.0.0.1:5101.. behind nginx (Debian's, installed when missing) on :8080.
# deploy/cluster.py --help for ports, database and channel.
CLUSTER_ARGS ?=
run-cluster: setup
	$(BIN)/python deploy/cluster.py start $(CLUSTER_ARGS)

stop-cluster:
	@if [ -x $(BIN)/python ]; then $(BIN)/python deploy/cluster.py stop $(CLUSTER_ARGS); \
	else python3 deploy/cluster.py stop $(CLUSTER_ARGS); fi

# Upgrade a scratch database to head, then ask Alembic whether the models differ from it.
migrate-check: deps
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	export DATABASE_URL="sqlite:///$$tmp/check.db"; \
	$(FLASK) db upgrade >/dev/null 2>&1 || { $(FLASK) db upgrade; exit 1; }; \
	$(FLASK) db check

# --- cleaning ---------------------------------------------------------------------------
clean:
	rm -rf $(VENDOR) $(VENDOR).tmp node_modules test-artifacts .pytest_cache bench/out
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) instance
