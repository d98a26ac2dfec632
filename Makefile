# CareerKB — every task a developer or CI needs. `make run` and `make test` are all a
# fresh machine needs; both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
WORKERS ?= 3
PYTEST_ARGS ?= -n auto
BROWSER_JS := tests/browser/node_modules/.installed

.PHONY: run setup serve worker test test-browser lint format bench bench-markdown eval loadtest model clean

# Rebuilt only when the declared dependencies or the lock change. A failed install
# removes the half-made venv so the next call starts clean instead of trusting it.
$(VENV): pyproject.toml requirements.lock
	@echo "Installing CareerKB and its dependencies into $(VENV)…"
	@$(PYTHON) -m venv $(VENV) \
	  && $(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[test]" \
	  && touch $(VENV) \
	  || { rm -rf $(VENV); echo "Installing into $(VENV) failed (see above)."; exit 1; }

# Test-only JavaScript (axe-core, for the accessibility tests), installed from its lock only
# when the lock changes. Without npm or the registry those tests skip locally and fail in CI.
$(BROWSER_JS): tests/browser/package.json tests/browser/package-lock.json
	@echo "Installing the browser tests' JavaScript (npm ci in tests/browser)"
	@if ! command -v npm >/dev/null; then \
	  echo "npm not found: the accessibility tests cannot run."; \
	elif npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error \
	    --fetch-retries=1 --fetch-timeout=60000; then \
	  touch $@; \
	else \
	  echo "npm ci in tests/browser failed: the accessibility tests cannot run."; \
	fi

# KB_DEBUG is off unless asked for (a production that forgets it shows no tracebacks): the
# local targets ask for the development settings. KB_DEBUG=0 in the environment still wins.
run setup bench eval loadtest model: export KB_DEBUG ?= 1
# E-mails (printed by the worker) link to the server `make run` starts.
run: export KB_SITE_URL ?= http://$(HOST):$(PORT)

# Prints a line for each step it takes (migrating, loading the demo, indexing); nothing later.
setup: $(VENV)
	@$(BIN)/python manage.py setup_site

# The task worker (e-mails) runs in the background beside the server: Ctrl-C stops both.
run: setup
	@echo "CareerKB is at http://$(HOST):$(PORT)/  (demo log-in: demo / careerkb-demo)"
	@$(BIN)/python manage.py run_worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	  trap 'exit 130' INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST):$(PORT)

serve: $(VENV)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/gunicorn kb.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile -

# Production's worker, its own process beside gunicorn (README, "E-mail").
worker: $(VENV)
	$(BIN)/python manage.py run_worker

test: $(VENV) $(BROWSER_JS)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-browser: $(VENV) $(BROWSER_JS)
	$(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

lint: $(VENV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(VENV)
	$(BIN)/python manage.py bench_search $(BENCH_ARGS)

# Worst render time on a pathological corpus (target < 200 ms): BENCH_ARGS="--size 30000"
bench-markdown: $(VENV)
	$(BIN)/python manage.py bench_markdown $(BENCH_ARGS)

# Relevance on real duplicate questions (a benchmark, not a test): EVAL_ARGS="--engines whoosh"
eval: $(VENV)
	$(BIN)/python manage.py eval_search --data ../shared/eval/se-duplicates $(EVAL_ARGS)

# Re-export the shipped embedding model (kb/search/embedding_model/); needs the build-only
# `export` extra (torch CPU build, transformers, onnx), never the site.
model: $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test,export]"
	$(BIN)/python manage.py export_embedding_model

loadtest: $(VENV)
	$(BIN)/python manage.py loadtest $(LOADTEST_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache tests/browser/node_modules
