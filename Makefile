# Jingxun (警训). `make demo` and `make test` are all a newcomer needs (README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: install lock check-wheels demo test e2e lint format messages clean

install: $(VENV)/.installed

# Installs exactly the lock (requirements.lock: every transitive dependency, pinned, with its
# hashes), so that a server installs what CI tested. Reinstalled whenever the lock changes; a
# venv cut short (no pip in it) is made again rather than trusted.
$(VENV)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "Jingxun needs Python 3.10 or newer; run: make PYTHON=python3.11 ...")'
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	touch $@

# For maintainers, after changing a pin in pyproject.toml (the source): resolve the lock again,
# one set of versions for Python 3.10 and 3.11 alike, with the hashes of every file of each.
UV_VERSION := 0.13.9
lock:
	$(BIN)/uv --version 2>/dev/null | grep -q "$(UV_VERSION)" || $(BIN)/python -m pip install --quiet uv==$(UV_VERSION)
	$(BIN)/uv pip compile pyproject.toml --extra test --universal --fork-strategy fewest \
	  --python-version 3.10 --generate-hashes --no-header --quiet -o requirements.lock

# Every locked release has a wheel for an ARM64 server (manylinux2014_aarch64) on Python 3.10
# and 3.11: nothing to compile there (.ci/run).
check-wheels:
	.ci/check-wheels

demo: install
	DJANGO_DEBUG=true $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=true LOG_LEVEL=WARNING $(BIN)/python manage.py seed_demo
	@echo "Jingxun demo: http://127.0.0.1:$(PORT)/  (Ctrl-C to stop; the logins follow the server's start)"
	@DJANGO_DEBUG=true $(BIN)/python manage.py serve_demo 127.0.0.1:$(PORT)

# Lint and every test that needs no external server or browser, one process per core
# (pytest-xdist). The integration tests skip without PostgreSQL and Redis (.ci/run's lane 2).
test: lint
	$(BIN)/pytest -m "not e2e" -n auto --dist loadgroup

# The browser tests in Debian's Chromium and the LibreOffice conversions (.ci/run's lane 3).
e2e: install
	$(BIN)/pytest tests/e2e

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# For maintainers (needs GNU gettext): refresh locale/ after changing translated strings.
# The compiled .mo is committed, so a fresh clone needs no gettext.
messages: install
	DJANGO_DEBUG=true $(BIN)/python manage.py makemessages --locale zh_Hans --no-wrap --no-location --ignore '.venv/*' --ignore 'static/vendor/*' --ignore 'tests/*' --ignore 'bench/*'
	DJANGO_DEBUG=true $(BIN)/python manage.py compilemessages --locale zh_Hans

clean:
	rm -rf $(VENV) staticfiles
