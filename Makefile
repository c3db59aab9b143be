# Pilote — the two commands: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test check bench install install-dev clean

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 est requis ($(PYTHON) introuvable)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# A stamp file per requirements set: reinstall only when the lock changes.
$(VENV)/.installed: requirements.txt | $(PY)
	$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	DEBUG=$${DEBUG:-1} $(PY) manage.py migrate --no-input
	DEBUG=$${DEBUG:-1} $(PY) manage.py load_demo
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

# The whole suite: the tests without a browser on TEST_WORKERS processes (pytest-xdist; each
# has its own test database), then the browser tests alone, so that Chromium and its live
# server never compete with another worker for the CPU. `make test PYTEST_ARGS=…` runs just
# what you name, in one process.
TEST_WORKERS ?= 2
test: install-dev
ifeq ($(strip $(PYTEST_ARGS)),)
	$(PY) -m pytest -n $(TEST_WORKERS) --ignore=tests/e2e
	$(PY) -m pytest tests/e2e
else
	$(PY) -m pytest $(PYTEST_ARGS)
endif

check: install-dev
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check --fail-level WARNING

bench: install-dev
	$(PY) -m bench

clean:
	rm -rf $(VENV) .pytest_cache staticfiles
