# Two commands on a machine with only Python 3.11+:  make run  and  make test.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test venv dev-venv migrations-check clean-state

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

# The site on http://127.0.0.1:8000 with the example article, a Celery worker and
# (when DATABASE_URL is unset) the embedded PostgreSQL. Ctrl-C stops it all.
run: $(VENV)/.installed
	DEBUG=$${DEBUG:-1} $(PY) manage.py runstack

# The whole suite, on DATABASE_URL when set, else on the embedded PostgreSQL.
test: $(VENV)/.installed-dev
	@command -v chromium >/dev/null 2>&1 || echo "NOTE: no Chromium found: the browser tests will be skipped (apt-get install chromium)"
	$(PY) -m pytest $(PYTEST_ARGS)

migrations-check: $(VENV)/.installed
	$(PY) manage.py makemigrations --check --dry-run
