# Two commands for a fresh clone: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
FLASK   = $(BIN)/flask --app tracker
HOST   ?= 127.0.0.1
PORT   ?= 5000

VENDOR  = tracker/static/vendor

.PHONY: run test machine install install-dev translations assets messages lint screenshots bench bench-quick bench-two-servers help

help:
	@echo "make run          install, migrate, load the campaign and demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test         install what the suite needs, run it whole; a missing part fails, never skips (PYTEST_ARGS=... for pytest)"
	@echo "make machine      install what the suite needs from the machine (apt-get), or name the command to run"
	@echo "make messages     extract strings and update the translation catalogues"
	@echo "make lint         ruff check, format check and import-linter's contracts"
	@echo "make screenshots  regenerate docs/screenshots/ in headless Chromium"
	@echo "make bench        seed 10k, 100k and 1M entries on SQLite and PostgreSQL, time the dashboard and its pages, load gunicorn with wrk, time the 100k-row export; write docs/performance.md (~10 min)"
	@echo "make bench-quick  the same at 10k and 100k with short runs, docs/performance.md left alone (~2.5 min)"
	@echo "make bench-two-servers  two gunicorn instances on one PostgreSQL under wrk; writes docs/deployment.md"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Front-end files come from the npm registry (package-lock.json) and are served by the app;
# only the built files are copied, into a git-ignored folder.
$(VENDOR)/echarts.min.js: package.json package-lock.json
	@$(PYTHON) tests/machine.py assets
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/echarts/dist/echarts.min.js $(VENDOR)/echarts.min.js

assets: $(VENDOR)/echarts.min.js

# Compiled catalogues are build output: made here, never committed.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d tracker/translations

messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -o tracker/translations/messages.pot .
	$(BIN)/pybabel update -i tracker/translations/messages.pot -d tracker/translations --no-fuzzy-matching

run: install translations assets
	$(FLASK) db upgrade
	$(FLASK) campaign load
	$(FLASK) demo --if-empty
	@echo
	@echo "  Tracker: http://$(HOST):$(PORT)   (Ctrl-C stops it; the data stays in instance/)"
	@echo
	$(FLASK) run --host $(HOST) --port $(PORT)

# What the suite needs from the machine (Chromium, a CJK font, poppler, Redis, Pango, HarfBuzz,
# npm) is listed once, in tests/machine.py: installed with apt-get as root or with passwordless
# sudo, else make stops before any test with the command to run. Redis is started on
# 127.0.0.1:6379 when nothing answers there. Under make test a missing part fails, never skips.
machine:
	@$(PYTHON) tests/machine.py

PYTEST_ARGS ?=
test: machine install-dev translations assets
	TRACKER_STRICT_TESTS=1 $(BIN)/pytest $(PYTEST_ARGS)

LINTED = tracker tests bench docs
lint: install-dev
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/lint-imports

screenshots: install-dev translations assets
	$(BIN)/python docs/make_screenshots.py

# Throwaway databases: SQLite in a temporary folder, PostgreSQL next to TRACKER_BENCH_DATABASE_URL
# (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres). Rewrites docs/performance.md.
# The web part needs wrk (apt-get install wrk); bench-two-servers also Redis (docs/deployment.md).
BENCH_ARGS ?=
BENCH_EXPORT_ARGS ?=
bench: install translations
	$(BIN)/python -m bench.dashboard $(BENCH_ARGS)
	$(BIN)/python -m bench.export $(BENCH_EXPORT_ARGS)

bench-quick: install translations
	$(BIN)/python -m bench.dashboard --quick $(BENCH_ARGS)
	$(BIN)/python -m bench.export --quick $(BENCH_EXPORT_ARGS)

bench-two-servers: install translations
	$(BIN)/python -m bench.web --two-servers $(BENCH_ARGS)
