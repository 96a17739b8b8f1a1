# Tolk: `make run` serves the app and its worker; `make test` runs the whole suite.
# Both install what is missing first: Debian packages, the virtualenv, the app, the database.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TMP := .tmp
REDIS_PORT ?= 6390
# A free loopback port for the throw-away test PostgreSQL, so a server already running elsewhere never clashes.
PG_PORT ?= $(shell $(PYTHON) -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
HOST ?= 127.0.0.1
PORT ?= 5000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := apertium apertium-eng-spa apertium-eng-cat redis-server postgresql chromium python3-venv

export TOLK_REDIS_URL ?= redis://127.0.0.1:$(REDIS_PORT)/0

.PHONY: help run test system venv db demo redis redis-stop lint lock bench clean

help:
	@echo "make run    install what is missing, prepare the database, load demo data, serve on http://$(HOST):$(PORT)/"
	@echo "make test   install what is missing and run the whole test suite (SQLite and PostgreSQL)"
	@echo "make lint   ruff, mypy and the import contracts (lint-imports)"
	@echo "make lock   refresh uv.lock to the newest allowed releases, then run make test (see README: upgrading)"
	@echo "make bench  run the benchmarks in bench/ (figures: docs/performance.md; soak test: bench/soak.py)"

# Debian packages: installed only when one is missing, so a prepared machine skips apt entirely.
system:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; \
	fi

# Python dependencies come from uv.lock only (every package, with hashes): a fresh install gives the same
# packages on any later day. uv itself is pinned and installed into .tools/ with pip.
UV_VERSION := 0.13.9
UV := .tools/bin/uv
export UV_PYTHON_DOWNLOADS := never
# Bytecode compiled at install: faster start-up, and old packages' SyntaxWarnings (pysbd) are not raised at import.
export UV_COMPILE_BYTECODE := 1

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/python -m pip install -q uv==$(UV_VERSION)

$(VENV)/.installed: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --extra test --python $(PYTHON) || \
	  { echo "make: installing the locked dependencies failed (see above); 'make lock' refreshes uv.lock" >&2; exit 1; }
	@# Tolk's own bytecode too: with PYTHONDONTWRITEBYTECODE set, every command would compile it again.
	$(BIN)/python -m compileall -q tolk machinery glossaries lqa workflows
	touch $@

venv: system $(VENV)/.installed

db: venv
	@$(BIN)/tolk db upgrade || { echo "make: migrating the database failed (above). Check TOLK_DATABASE_URL," \
	  "or remove instance/ to start from an empty SQLite database." >&2; exit 1; }

demo: db
	@$(BIN)/tolk seed-demo || { echo "make: loading the demo data failed (above); nothing of it was kept." \
	  "Report it with the message above; 'make clean' starts again from scratch." >&2; exit 1; }

redis: system
	@mkdir -p $(TMP)/redis
	@$(BIN)/python -c "import redis,sys; redis.Redis(port=$(REDIS_PORT), socket_connect_timeout=0.5).ping()" 2>/dev/null || \
	  redis-server --bind 127.0.0.1 --port $(REDIS_PORT) --dir $(abspath $(TMP)/redis) --daemonize yes \
	    --pidfile $(abspath $(TMP)/redis/redis.pid) --logfile $(abspath $(TMP)/redis/redis.log) --appendonly yes

redis-stop:
	@[ -f $(TMP)/redis/redis.pid ] && kill $$(cat $(TMP)/redis/redis.pid) 2>/dev/null || true

run: demo
	@bash scripts/serve $(HOST) $(PORT) $(REDIS_PORT)

# The gate: lint, types, then the suite on SQLite (browser tests included) and again on a throw-away
# PostgreSQL server, with branch coverage of both runs reported at the end against the floor in pyproject.toml.
test: venv
	$(UV) lock --check --python $(PYTHON)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	@url=$$(scripts/postgres-dev start $(TMP)/pg-test $(PG_PORT)) && \
	  $(BIN)/pytest -p no:cacheprovider --cov --cov-report= --cov-fail-under=0 && \
	  echo "== again on PostgreSQL: database, API and workflow tests ==" && \
	  TOLK_TEST_DATABASE_URL=$$url $(BIN)/pytest -p no:cacheprovider -m "not browser" -q \
	    --cov --cov-append --cov-report=term:skip-covered; \
	  status=$$?; scripts/postgres-dev stop $(TMP)/pg-test; exit $$status

lint: venv
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

lock: | $(UV)
	@bash scripts/lock $(UV)

# Every figure of docs/performance.md with its goal, from one run (about 30 minutes on 2 cores with a BASELINE;
# run it on an idle machine). BASELINE=<git ref> also serves that commit under the same reply load, for a
# before/after: this checkout, the baseline twice, this checkout again (bench/bench_replies.py).
bench: venv
	@$(MAKE) --no-print-directory system APT_PACKAGES=valgrind  # bench_reply_instructions counts with callgrind
	@if [ -n "$(BASELINE)" ]; then rm -rf $(TMP)/bench-baseline && git worktree add -f --detach $(TMP)/bench-baseline $(BASELINE) \
	  && $(MAKE) -C $(TMP)/bench-baseline venv; fi
	$(BIN)/python bench/bench_cli.py
	$(BIN)/python bench/bench_round_trips.py
	$(BIN)/python bench/bench_replies.py --engine apertium $(if $(BASELINE),--baseline-root $(TMP)/bench-baseline)
	$(BIN)/python bench/bench_reply_instructions.py $(if $(BASELINE),--baseline-root $(TMP)/bench-baseline)
	$(BIN)/python bench/bench_routing.py --speed
	$(BIN)/python bench/bench_reply_history.py
	$(BIN)/python bench/bench_replies.py --engine deepl $(if $(BASELINE),--baseline-root $(TMP)/bench-baseline)
	$(BIN)/python bench/bench_replies.py --engine deepl --engine-latency 150
	$(BIN)/python bench/bench_web_memory.py
	$(BIN)/python bench/bench_tm_index.py
	$(BIN)/python bench/bench_kb_jobs.py
	$(BIN)/python bench/bench_kb_cost.py
	$(BIN)/python bench/bench_apertium.py
	$(BIN)/python bench/bench_pii.py
	$(BIN)/python bench/bench_imports.py
	$(BIN)/python bench/bench_glossary_search.py
	$(BIN)/python bench/bench_terms.py
	$(BIN)/python bench/bench_admin_pages.py

clean: redis-stop
	rm -rf $(TMP) instance $(VENV) .tools
