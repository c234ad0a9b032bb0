# rolecall: `make run` starts the demo (Procfile.demo), `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: run manage test lint schema bench clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# --no-compile: Python compiles each module when first imported, so only what is used
# is compiled (half the install's time: most of boto3's and moto's modules never are).
$(VENV)/.runtime: $(PY) requirements.txt
	$(PY) -m pip install --quiet --no-compile -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --no-compile -r requirements-dev.txt
	touch $@

# Any stop signal to make, or to its process group, stops everything run.py
# started (scripts/with_redis.py explains how).
run: $(VENV)/.runtime
	$(PY) scripts/with_redis.py -- $(PY) scripts/run.py

# `make manage ARGS=verify_audit`: a management command with the settings
# `make run` wrote to .env (the same as `.venv/bin/python manage.py verify_audit`).
manage: $(VENV)/.runtime
	$(PY) manage.py $(ARGS)

# The suite in PYTEST_WORKERS processes (pytest-xdist), a test file to each at a time
# (docs/testing.md says why); the 25 slowest steps are reported at the end.
PYTEST_WORKERS ?= 4

test: $(VENV)/.dev
	scripts/ensure_chromium.sh
	$(PY) scripts/with_redis.py -- $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadfile \
		--durations=25 $(PYTEST_ARGS)

# The REST API's OpenAPI document, generated without warnings and validated as
# OpenAPI 3 (CI runs it): var/openapi.yaml.
schema: $(VENV)/.dev
	mkdir -p var
	DJANGO_SETTINGS_MODULE=dashboard.settings_test $(PY) manage.py spectacular --validate --fail-on-warn --file var/openapi.yaml
	$(PY) -m openapi_spec_validator var/openapi.yaml

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

clean:
	rm -rf var/staticfiles var/screenshots .pytest_cache
