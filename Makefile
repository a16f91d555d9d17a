# kkot: two commands do all the set-up.
#   make demo   install into .venv, build the demo marketplace once, serve it at http://127.0.0.1:8000
#   make test   install into .venv and run lint, layering contracts and the whole test suite
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.kkot-installed

.PHONY: demo test lint install serve chromium clean-demo

$(VENV)/bin/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PYTHON=/path/to/python3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install -q -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/kkot demo

serve: $(STAMP)
	$(VENV)/bin/kkot serve

# Debian's Chromium for the browser tests (never a downloaded browser). Skipped quietly without apt/root.
chromium:
	@{ command -v chromium && [ -d /usr/share/fonts/truetype/nanum ]; } >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    (apt-get install -y -q chromium fonts-nanum >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium fonts-nanum >/dev/null 2>&1)) \
	      || echo "note: could not install chromium; browser tests will be skipped"; \
	  else echo "note: chromium not installed; browser tests will be skipped"; fi; }

lint: $(STAMP)
	$(VENV)/bin/ruff check src $(wildcard bench)
	$(VENV)/bin/lint-imports

# KKOT_TEST_DATABASE_URL=postgres://... make test   runs the same suite on PostgreSQL.
test: $(STAMP) chromium lint
	KKOT_DATABASE_URL="$(KKOT_TEST_DATABASE_URL)" KKOT_VAR_DIR="$(CURDIR)/var/test" \
	  $(VENV)/bin/pytest -q $(PYTEST_ARGS)

clean-demo:
	rm -rf var/kkot.sqlite3* var/media var/huey.sqlite3* var/demo.json
