# Two commands on a machine with only Python 3.11+:  make run  and  make test.
# Both install the exact versions in requirements*.lock (hash-checked); `make lock` upgrades them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run test venv dev-venv lock migrations-check clean-state

# The locks pin every package (with its hashes) for Python 3.11+ on any platform, so a fresh
# machine installs what the tests ran with, not whatever is newest that day. The project itself
# goes in without its dependencies: they all came from the lock. Installing it also builds the
# C parts (the CRF's recurrences, the tokeniser) when a C compiler is there (and goes on without them when not).
$(VENV)/.installed: requirements.lock pyproject.toml annotations/suggest/_crf.c annotations/suggest/_segment.c annotations/suggest/_stances.c
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.lock
	touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

# Re-resolve both locks from the ranges in pyproject.toml: `make lock` takes the newest versions
# allowed; `make lock LOCK_UPGRADE=` keeps current pins and only adds what pyproject.toml gained.
# The dev lock is bound to the runtime one, so both install the same versions of what they share.
LOCK_UPGRADE ?= --upgrade
LOCK_ARGS := --universal --python-version 3.11 --generate-hashes --quiet $(LOCK_UPGRADE)
lock:
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet "uv>=0.5"
	$(VENV)/bin/uv pip compile pyproject.toml $(LOCK_ARGS) -o requirements.lock
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev -c requirements.lock $(LOCK_ARGS) -o requirements-dev.lock

# The site on http://127.0.0.1:8000 with the example article, a Celery worker and
# (when DATABASE_URL is unset) the embedded PostgreSQL. Ctrl-C stops it all.
run: $(VENV)/.installed
	DEBUG=$${DEBUG:-1} $(PY) manage.py runstack

# The whole suite, on DATABASE_URL when set, else on the embedded PostgreSQL.
test: $(VENV)/.installed-dev
	@command -v chromium >/dev/null 2>&1 || echo "NOTE: no Chromium found: the browser tests will be skipped, or fail with CI=true (apt-get install chromium)"
	$(PY) -m pytest $(PYTEST_ARGS)

migrations-check: $(VENV)/.installed
	$(PY) manage.py makemigrations --check --dry-run
