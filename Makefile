# dlquiz: `make run` serves the product, `make test` checks it. Both set up what is missing first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed

.PHONY: setup system-packages run test test-postgres lint bench clean

setup: system-packages $(STAMP)

system-packages:
	@bash scripts/system-packages.sh

# Re-installs only when a requirements file changed.
$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $(STAMP)

run: setup
	@bash scripts/run.sh

# Typed code: the pure grading core, the exercises and the services (pyproject.toml [tool.mypy]).
MYPY_PATHS := grader exercises dlquiz/coding/services.py dlquiz/coding/grading.py \
	dlquiz/coding/tasks.py dlquiz/coding/notify.py dlquiz/quiz/services.py dlquiz/core/sweeps.py \
	dlquiz/gunicorn_conf.py dlquiz/similarity/services.py dlquiz/similarity/selectors.py \
	dlquiz/similarity/tasks.py dlquiz/similarity/views.py dlquiz/lti/services.py dlquiz/lti/tasks.py \
	dlquiz/lti/views.py dlquiz/lti/receivers.py dlquiz/core/backup.py dlquiz/courses/services.py \
	dlquiz/courses/selectors.py dlquiz/courses/api.py dlquiz/courses/views.py dlquiz/courses/forms.py \
	dlquiz/courses/receivers.py dlquiz/courses/signals.py dlquiz/quiz/signals.py \
	dlquiz/similarity/admin.py dlquiz/similarity/models.py

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy $(MYPY_PATHS)

test: lint
	$(VENV)/bin/pytest

# Every suite that touches the database, again on a private PostgreSQL server
# (scripts/postgres.sh), which listens beyond loopback so that a test's network-namespace worker
# host reaches it. The browser suite, the sandbox and the exercise packages do not depend on
# the database and run once, in `test`.
PG_SUITES ?= tests/api tests/coding tests/quiz tests/security tests/chaos tests/integration \
	tests/courses tests/similarity tests/lti tests/accounts tests/ops tests/core tests/content

test-postgres: setup
	PG_LISTEN='*' PG_FSYNC=off bash scripts/postgres.sh run -- $(VENV)/bin/pytest $(PG_SUITES)

bench: setup
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache .mypy_cache
