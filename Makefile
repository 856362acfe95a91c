# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
export FLASK_APP := housing_swap

.PHONY: run test lint install services-up services-down seed-city clean

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
	$(BIN)/flask match run
	$(BIN)/flask acquisitions expire-offers
	@echo "Serving on http://127.0.0.1:5000 (gunicorn, 2 workers). Stop with Ctrl-C."
	$(BIN)/gunicorn --workers 2 --bind 127.0.0.1:5000 --access-logfile - 'housing_swap:create_app()'

## Run the whole test suite (servers are used when HOUSING_SWAP_TEST_* variables name them).
test: $(INSTALLED)
	$(BIN)/python -m pytest

## Static checks: unused names, syntax errors, import order; bandit fails on high-severity findings.
lint: $(INSTALLED)
	$(BIN)/ruff check housing_swap tests scripts migrations
	$(BIN)/bandit --quiet --recursive housing_swap --severity-level high

services-up:
	bash scripts/services.sh up

services-down:
	bash scripts/services.sh down

## The city-scale demo set (about 200,000 listings); takes minutes.
seed-city: $(INSTALLED)
	$(BIN)/flask db upgrade
	$(BIN)/flask demo seed --scale city

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
