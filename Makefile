# CareerKB — every task a developer or CI needs. `make run` and `make test` are all a
# fresh machine needs; both build .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
WORKERS ?= 3
PYTEST_ARGS ?= -n auto

.PHONY: run setup serve test test-browser lint format bench bench-markdown eval loadtest model clean

# Rebuilt only when the declared dependencies or the lock change. A failed install
# removes the half-made venv so the next call starts clean instead of trusting it.
$(VENV): pyproject.toml requirements.lock
	@$(PYTHON) -m venv $(VENV) \
	  && $(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e ".[test]" \
	  && touch $(VENV) \
	  || { rm -rf $(VENV); echo "Installing into $(VENV) failed (see above)."; exit 1; }

setup: $(VENV)
	@$(BIN)/python manage.py migrate --noinput -v0
	@$(BIN)/python manage.py load_demo --if-empty
	@$(BIN)/python manage.py rebuild_index --if-missing

run: setup
	@echo "CareerKB is at http://$(HOST):$(PORT)/  (demo log-in: demo / careerkb-demo)"
	@$(BIN)/python manage.py runserver $(HOST):$(PORT)

serve: $(VENV)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput -v0
	$(BIN)/gunicorn kb.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile -

test: $(VENV)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-browser: $(VENV)
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
	rm -rf $(VENV) var .pytest_cache .ruff_cache
