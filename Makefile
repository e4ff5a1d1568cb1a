# dossier-usager — developer commands. `make run` and `make test` are the two that matter.
#
# Every step is skipped when its inputs did not change (stamp files), so a second
# `make run` starts in a few seconds.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
ARGS   ?=
BENCH_USAGERS ?= 100000
BENCH_SQLITE_USAGERS ?= 10000

# Stamps: the install is redone only when pyproject.toml (or the lockfile) is newer.
STAMP_BASE := $(VENV)/.stamp-install
STAMP_DEV  := $(VENV)/.stamp-install-dev
STAMP_NPM  := node_modules/.stamp-npm-ci
APP_JS     := src/dui/ui/static/ui/build/app.js
MANIFEST   := var/static/staticfiles.json

ASSET_SOURCES  := $(shell find src/dui/ui/assets -type f 2>/dev/null)
STATIC_SOURCES := $(shell find src/dui -path '*/static/*' -type f -not -path '*/static/ui/build/*' 2>/dev/null)

# mypy covers the core: the one policy, the journal, and every services/access module
# (tests and migrations excluded).
MYPY_TARGETS := src/dui/comptes/policy.py src/dui/audit \
	$(filter-out src/dui/audit/%,$(wildcard src/dui/*/services.py src/dui/*/access.py))
MYPY_FLAGS := --exclude '/(tests|migrations)/'

LINT_TARGETS := src tests tools conftest.py manage.py

.PHONY: run test test-sqlite test-pg lint format e2e bench simulators migrations-check \
	clean install install-dev assets static

# --- installation ----------------------------------------------------------------------

$(PY):
	@echo "==> Création de l'environnement Python ($(PYTHON)) dans $(VENV)/"
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP_BASE): pyproject.toml | $(PY)
	@echo "==> Installation du projet (pip install -e .)"
	$(PY) -m pip install --quiet -e .
	@touch $@

$(STAMP_DEV): pyproject.toml | $(PY)
	@echo "==> Installation du projet et des outils de développement (pip install -e .[dev])"
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@ $(STAMP_BASE)

$(STAMP_NPM): package-lock.json
	@echo "==> Installation des paquets front-end (npm ci)"
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(APP_JS): $(STAMP_NPM) $(ASSET_SOURCES) package.json
	@echo "==> Construction des fichiers front-end (npm run build)"
	npm run --silent build
	@touch $@

$(MANIFEST): $(APP_JS) $(STATIC_SOURCES) $(STAMP_BASE)
	@echo "==> Collecte des fichiers statiques"
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@touch $@

install: $(STAMP_BASE)
install-dev: $(STAMP_DEV)
assets: $(APP_JS)
static: $(MANIFEST)

# --- the two commands --------------------------------------------------------------------

run: $(STAMP_BASE) $(MANIFEST)
	@DUI_DEMO=1 $(PY) manage.py migrate --noinput --verbosity 0
	@DUI_DEMO=1 $(PY) manage.py demo --if-empty --skip-checks
	@echo
	@DUI_DEMO=1 $(PY) manage.py demo_codes --logins --skip-checks
	@echo "Codes à usage unique du moment : $(PY) manage.py demo_codes"
	@echo
	DUI_DEMO=1 $(PY) manage.py serve --host $(HOST) --port $(PORT)

test: $(STAMP_DEV) $(APP_JS)
	$(PY) tools/testrun.py $(ARGS)

test-sqlite: $(STAMP_DEV) $(APP_JS)
	$(PY) tools/testrun.py --db=sqlite $(ARGS)

test-pg: $(STAMP_DEV)
	$(PY) tools/testrun.py --db=postgresql $(ARGS)

e2e: $(STAMP_DEV) $(APP_JS)
	$(PY) -m pytest -m e2e tests/e2e $(ARGS)

# --- quality -----------------------------------------------------------------------------

# Runs every check, then fails if any failed.
lint: $(STAMP_DEV)
	@status=0; \
	echo "==> ruff check"; $(PY) -m ruff check $(LINT_TARGETS) || status=1; \
	echo "==> ruff format --check"; $(PY) -m ruff format --check $(LINT_TARGETS) || status=1; \
	echo "==> mypy (cœur)"; $(PY) -m mypy $(MYPY_FLAGS) $(MYPY_TARGETS) || status=1; \
	echo "==> migrations"; $(MAKE) --no-print-directory migrations-check || status=1; \
	exit $$status

format: $(STAMP_DEV)
	$(PY) -m ruff format $(LINT_TARGETS)
	$(PY) -m ruff check --fix $(LINT_TARGETS)

migrations-check: $(STAMP_BASE)
	DUI_DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run

# --- the rest ----------------------------------------------------------------------------

# Demo generator, name search and duplicate check timings (docs/performance.md), on a
# throwaway PostgreSQL cluster with BENCH_USAGERS persons; on SQLite with
# BENCH_SQLITE_USAGERS when no PostgreSQL server is installed.
bench: $(STAMP_BASE)
	$(PY) bench/run.py --usagers $(BENCH_USAGERS) --sqlite-usagers $(BENCH_SQLITE_USAGERS) $(ARGS)

# Every `manage.py simulate_*` command (one per national service), on loopback, until Ctrl-C.
simulators: $(STAMP_BASE)
	@sims=$$($(PY) manage.py help --commands | grep '^simulate_' || true); \
	if [ -z "$$sims" ]; then echo "Aucun simulateur de service externe n'existe encore."; exit 0; fi; \
	pids=""; for sim in $$sims; do $(PY) manage.py $$sim & pids="$$pids $$!"; done; \
	trap 'kill $$pids 2>/dev/null; wait' INT TERM; wait

# Removes what the commands above build; keeps the database and secrets under var/.
clean:
	rm -rf $(VENV) node_modules src/dui/ui/static/ui/build var/static var/bench \
		test-artifacts .mypy_cache .ruff_cache .pytest_cache build src/*.egg-info
	find . -name __pycache__ -type d -not -path './node_modules/*' -prune -exec rm -rf {} +
