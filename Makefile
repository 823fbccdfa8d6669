# Thin wrappers; each target creates .venv on first use.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8501
# OFFLINE=1: serve the seed and the archive only; no background refresh from the live sources.
OFFLINE ?=

.PHONY: run test etl bench lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

run: $(VENV)/.installed
	@$(PY) -m etl ensure
	$(if $(OFFLINE),@echo "OFFLINE=1: no background refresh",@$(PY) -m etl background)
	$(PY) -m streamlit run dashboard/app.py --server.port $(PORT) --server.headless true --browser.gatherUsageStats false

test: $(VENV)/.installed
	$(PY) -m pytest -q $(PYTEST_ARGS)

etl: $(VENV)/.installed
	$(PY) -m etl run

# make bench BENCH_ROWS=200000 for a quick look; the report goes to bench/out/report.json
bench: $(VENV)/.installed
	$(PY) bench/run_all.py --rows $(or $(BENCH_ROWS),10000000) $(BENCH_ARGS)

lint: $(VENV)/.installed
	$(PY) -m ruff check etl dashboard tests bench

clean:
	rm -rf $(VENV) data/warehouse.duckdb data/raw
