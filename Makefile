# kemitraan-assess: `make demo` and `make test` do all the set-up themselves.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.kemitraan-installed
OUT    ?= demo-output
PYTEST_ARGS ?=

.PHONY: demo test setup system-deps test-deps lint typecheck bench clean help

help:
	@echo "make demo   set up .venv, run the whole pipeline on the bundled demo survey into $(OUT)/"
	@echo "make test   set up .venv, check the code (make lint), run the test suite"
	@echo "make lint   ruff;  make typecheck  mypy (installed on demand)"
	@echo "make bench  run the benchmarks in benchmarks/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-installs only when the project metadata changes: a second `make` is quick.
$(STAMP): pyproject.toml setup.py | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,dask]'
	@touch $@

system-deps:
	@sh scripts/system-deps.sh

test-deps:
	@sh scripts/system-deps.sh test

setup: system-deps $(STAMP)

demo: setup
	@rm -rf $(OUT)
	$(BIN)/kemitraan-assess demo --out $(OUT)

test: setup test-deps lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# the code's rules (pyproject.toml [tool.ruff]: lint rules, 100 columns) and its formatting
lint: setup
	$(BIN)/python -m ruff check kemitraan_assess tests benchmarks scripts setup.py
	$(BIN)/python -m ruff format --check kemitraan_assess tests benchmarks scripts setup.py

# mypy and the stubs it needs are installed on demand: not needed to use or test the project
typecheck: setup
	$(BIN)/python -m pip install --quiet --disable-pip-version-check mypy pandas-stubs types-PyYAML
	$(BIN)/python -m mypy kemitraan_assess

bench: setup
	$(BIN)/python benchmarks/bench_ingest_score.py
	$(BIN)/python benchmarks/bench_reliability.py
	$(BIN)/python benchmarks/bench_reports.py

clean:
	rm -rf $(VENV) $(OUT) build dist *.egg-info .pytest_cache
