# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
export FLASK_APP := housing_swap

.PHONY: run test test-cluster lint attack lighthouse install services-up services-down seed-city bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

## Run the app with demo data on the embedded defaults (SQLite + SQL search).
run: $(INSTALLED)
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed --scale small
	$(BIN)/flask demo photos
	$(BIN)/flask match run
	$(BIN)/flask acquisitions expire-offers
	@echo "Serving on http://127.0.0.1:5000 (gunicorn, 2 workers × 4 threads) with a job worker beside it. Stop with Ctrl-C."
	$(BIN)/flask jobs worker & trap 'kill $$! 2>/dev/null' EXIT INT TERM; \
	$(BIN)/gunicorn -c gunicorn.conf.py 'housing_swap:create_app()'

## Run the whole test suite (servers are used when HOUSING_SWAP_TEST_* variables name them).
## The browser journeys need Chromium and axe-core: installed here on first use (a warning if not possible).
## Two pytest-xdist workers (the machines have two cores), whole files to a worker; TEST_WORKERS=0 runs in one process.
TEST_WORKERS ?= 2
test: $(INSTALLED)
	-bash scripts/browser_setup.sh
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

## The cross-machine tests, against a cluster on 127.0.0.1 (two app machines, a worker, two
## Elasticsearch nodes) that scripts/cluster.sh starts on the services of scripts/services.sh.
test-cluster: $(INSTALLED)
	bash scripts/services.sh up >/dev/null
	set -e; cluster_env=$$(bash scripts/cluster.sh up); eval "$$cluster_env"; \
	  trap 'bash scripts/cluster.sh down' EXIT; \
	  $(BIN)/python -m pytest -p no:cacheprovider tests/cluster || { bash scripts/cluster.sh logs; exit 1; }

## Static checks: ruff (pyflakes, bugbear, pyupgrade, simplify, pytest style, import order), the
## layer contracts (import-linter), mypy held to its baseline, djlint on templates, and bandit
## (fails on high-severity findings).
lint: $(INSTALLED)
	$(BIN)/ruff check housing_swap tests scripts migrations gunicorn.conf.py
	$(BIN)/lint-imports
	$(BIN)/python scripts/mypy_gate.py
	$(BIN)/djlint templates --lint
	$(BIN)/bandit --quiet --recursive housing_swap --severity-level high

services-up:
	bash scripts/services.sh up

services-down:
	bash scripts/services.sh down

## The city-scale demo set (about 200,000 listings); takes minutes.
seed-city: $(INSTALLED)
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed --scale city

## API fuzzing (schemathesis) as every persona against a scratch instance on 127.0.0.1 (also in CI).
attack: $(INSTALLED)
	bash scripts/attack_checks.sh

## City-scale benchmarks into bench/results.json (SCALE=small for a quick check); docs/performance.md.
SCALE ?= city
BENCH_PG ?= postgresql://housing_swap:housing_swap_dev_only@127.0.0.1:5432/housing_swap
BENCH_ES ?= http://127.0.0.1:9200
bench: $(INSTALLED)
	@command -v wrk >/dev/null 2>&1 || apt-get install -y -q wrk >/dev/null 2>&1 || echo "[bench] wrk unavailable: HTTP figures will be skipped"
	@if bash scripts/services.sh up >/dev/null; then \
	  HOUSING_SWAP_BENCH_POSTGRES_URL=$(BENCH_PG) HOUSING_SWAP_BENCH_ELASTICSEARCH_URL=$(BENCH_ES) \
	    $(BIN)/python -m scripts.bench --scale $(SCALE); \
	else \
	  echo "[bench] PostgreSQL/Elasticsearch did not start: their figures will be skipped"; \
	  $(BIN)/python -m scripts.bench --scale $(SCALE); \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info

## Lighthouse (mobile) on the home, search, listing, project and community pages of a scratch
## demo instance: performance and accessibility 100, best practices and SEO >= 95.
lighthouse: $(INSTALLED)
	bash scripts/lighthouse.sh
