# Katalog Bagi-Pakai: `make run` starts the demo catalog, `make test` runs the whole suite,
# `make test-fast` the suite without its slow system tests, `make lint` ruff and the layer contract.
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PORT ?= 5000
export CATALOG_DATA_DIR ?= $(CURDIR)/instance

.PHONY: install install-dev oidc-provider db run test test-fast lint bench bench-tiny loadtest clean

# The project itself goes in editable (no copy): the hooks' `catalog-hook` then runs the same
# code as the web process, and a `git pull` needs no reinstall.
$(VENV)/.installed: requirements.txt pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $@

install: $(VENV)/.installed

# Test and development tools (requirements-dev.txt) on top; `make run` never installs them.
$(VENV)/.installed-dev: $(VENV)/.installed requirements.txt requirements-dev.txt
	$(PY) -m pip install -q -r requirements.txt -r requirements-dev.txt
	touch $@

install-dev: $(VENV)/.installed-dev

# The real OpenID Connect provider (npm's oidc-provider) that the single sign-on tests start on
# loopback (tests/oidc/, marked slow), installed from its lock file; without npm, `make test` stops here.
tests/oidc/node_modules/.installed: tests/oidc/package.json tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error
	touch $@

oidc-provider: tests/oidc/node_modules/.installed

db: install
	$(FLASK) db upgrade
	CATALOG_ALLOW_LOCAL_REPOS=1 $(FLASK) catalog seed --demo

run: db
	@echo ""
	@echo "Katalog Bagi-Pakai: http://127.0.0.1:$(PORT)"
	@echo "Akun demo (hanya untuk demo):"
	@echo "  admin     admin@katalog.go.id               admin-demo-2026"
	@echo "  penerbit  penerbit@kepriprov.go.id          penerbit-demo-2026"
	@echo "  adopter   adopsi@tanjungpinangkota.go.id    adopsi-demo-2026"
	@echo "  auditor   auditor@kepriprov.go.id           auditor-demo-2026"
	@echo "  org_admin pengelola@tanjungpinangkota.go.id pengelola-demo-2026"
	@echo ""
	@trap 'kill 0' EXIT INT TERM; \
	CATALOG_ALLOW_LOCAL_REPOS=1 $(FLASK) catalog worker & \
	CATALOG_ALLOW_LOCAL_REPOS=1 $(VENV)/bin/gunicorn -c gunicorn.conf.py --workers 2 --worker-class gthread --threads 4 \
		--timeout 300 --bind 127.0.0.1:$(PORT) wsgi:app

# Two workers (pytest-xdist); tests sharing a resource (the browser's demo server, Redis) carry
# an xdist_group mark and run on one worker (--dist loadgroup).
# PYTEST_ARGS adds to the command line, e.g. PYTEST_ARGS="-x tests/web".
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=
test: install-dev oidc-provider
	$(PY) -m pytest -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The edit-test loop: everything but the tests marked slow (see pyproject.toml). Three workers on
# two cores: these tests wait on git processes and sockets about a third of the time (94 s with
# two workers, 82 s with three, same machine, same minute); the full suite keeps two, since its
# browser journeys and load smoke run against servers that need the CPU.
FAST_WORKERS ?= 3
test-fast: install-dev
	$(PY) -m pytest -n $(FAST_WORKERS) --dist loadgroup -m "not slow" $(PYTEST_ARGS)

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# National-scale benchmarks (not part of `make test`): data cached in bench/out, results in
# bench/out/results-full.md (see docs/performance.md). Needs ~2 GB free disk and ~15 min on 2 cores;
# wrk (apt-get install wrk) drives the page benchmark when installed; BENCH_PG_DSN adds the scale-out run.
BENCH_SIZE ?= full
bench: install
	$(PY) -m bench.run_all --size $(BENCH_SIZE)

bench-tiny: install
	$(PY) -m bench.run_all --size tiny

# Load test (not part of `make test`): gunicorn (4 gthread workers) and the worker on PostgreSQL
# at 127.0.0.1:5432 (database catalog_load, created and dropped), the demo seeded, 50 users for
# 5 minutes over loopback; then every acknowledged write is checked, audit-verify and fsck run.
# SQLite instead: LOAD_ARGS="--db sqlite". Report: docs/reliability.md.
LOAD_ARGS ?= --users 50 --duration 300
loadtest: install-dev
	$(PY) -m loadtest.run $(LOAD_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
