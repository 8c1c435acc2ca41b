# SKP Cascade — the two set-up commands are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
HOST ?= 127.0.0.1
PORT ?= 5000
DEMO_SIZE ?= small
DEMO_SEED ?= 1

.PHONY: demo test install serve lint format bench migration e2e clean-demo

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

## make demo: install, migrate a local SQLite database, build the demo regency, serve the app.
demo: $(STAMP)
	$(BIN)/skp db upgrade
	@if [ ! -f instance/.demo-$(DEMO_SIZE)-$(DEMO_SEED) ]; then \
		$(BIN)/skp demo --size $(DEMO_SIZE) --seed $(DEMO_SEED) --reset && \
		touch instance/.demo-$(DEMO_SIZE)-$(DEMO_SEED); \
	else \
		echo "Demo regency already built (rm instance/.demo-* to rebuild)."; \
		echo "Akun demo: lihat README (bagian Akun demo)."; \
	fi
	@echo "SKP Cascade berjalan di http://$(HOST):$(PORT)"
	$(BIN)/gunicorn --workers 2 --threads 4 --timeout 120 --bind $(HOST):$(PORT) 'skp_app:create_app()'

serve: $(STAMP)
	$(BIN)/gunicorn --workers 2 --threads 4 --timeout 120 --bind $(HOST):$(PORT) 'skp_app:create_app()'

## make test: install with the dev extras and run the whole suite (SQLite; PostgreSQL too when
## SKP_TEST_DATABASE_URL is set).
test: $(STAMP)
	$(BIN)/pytest -p no:cacheprovider -n 2
	@if [ -n "$$SKP_TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$SKP_TEST_DATABASE_URL) =="; \
		SKP_TEST_DB=postgres $(BIN)/pytest -p no:cacheprovider -n 2 -m "not e2e"; \
	fi

e2e: $(STAMP)
	$(BIN)/pytest -m e2e

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	@for f in benchmarks/bench_*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

## make migration: regenerate the initial Alembic revision from the models (before the first release).
migration: $(STAMP)
	rm -f migrations/versions/*.py /tmp/skp-migration.db
	DATABASE_URL=sqlite:////tmp/skp-migration.db $(BIN)/skp db migrate -m "initial schema" --rev-id 0001
	rm -f /tmp/skp-migration.db

clean-demo:
	rm -f instance/skp.db instance/skp.db-wal instance/skp.db-shm instance/.demo-*
