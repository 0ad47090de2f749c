# Set-up and checks; the same targets run locally and in CI (.ci/run).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint bench soak audit clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/hashpower brief --html briefing.html

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_store.py
	$(BIN)/python benchmarks/bench_economics.py
	$(BIN)/python benchmarks/bench_network.py
	$(BIN)/python benchmarks/bench_security.py
	$(BIN)/python benchmarks/bench_pivot.py
	$(BIN)/python benchmarks/bench_sim.py
	$(BIN)/python benchmarks/bench_api.py
	$(BIN)/python benchmarks/bench_edges.py
	$(BIN)/python benchmarks/bench_backtest.py

# needs the internet (the vulnerability databases); the lock is requirements.lock
audit: $(STAMP)
	$(BIN)/python -m pip install --quiet pip-audit
	$(BIN)/pip-audit -r requirements.lock

soak: $(STAMP)
	HASHPOWER_LOAD_SECONDS=60 $(BIN)/python -m pytest -q -s tests/test_load.py
	HASHPOWER_SOAK=1 $(BIN)/python -m pytest -q tests/test_reliability2.py -k "kill or readers"

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info
