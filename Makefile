# Two commands for a fresh machine: `make demo` and `make test`. Both create the virtual environment first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# The sdv.databroker.v1 stubs: generated from the vendored .proto files (by `pip install` too, through setup.py).
SDV_PROTOS := $(wildcard src/homebound/adapters/kuksa/proto/sdv/databroker/v1/*.proto)
SDV_STUBS := src/homebound/adapters/kuksa/sdv_stubs/broker_pb2.py

.PHONY: demo test lint bench clean help browser stubs mutation

help:
	@echo "make demo   - set up and run the live demo: a car drives home, the house reacts (web page on :8321)"
	@echo "make test   - set up and run the whole test suite (lint, types, tests)"
	@echo "make bench  - run the benchmarks (JSON lines, also saved to benchmarks/results.jsonl)"
	@echo "make mutation - mutation testing of the hub, validation, safety, zone tracking and the recorder (mutmut)"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Homebound needs Python 3.11, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -qq --upgrade pip
	$(BIN)/python -m pip install -qq -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

$(SDV_STUBS): $(SDV_PROTOS) tools/generate_sdv_stubs.py | $(STAMP)
	$(BIN)/python tools/generate_sdv_stubs.py
	touch $@

stubs: $(SDV_STUBS)

demo: $(STAMP) $(SDV_STUBS)
	$(BIN)/homebound demo

# The browser test drives Debian's Chromium; install it when we can (root with apt), else that test says why it skips.
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium for the browser test"; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi

lint: $(STAMP) $(SDV_STUBS)
	$(BIN)/ruff check src tests benchmarks tools setup.py
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

test: $(STAMP) lint browser
	$(BIN)/pytest

bench: $(STAMP) $(SDV_STUBS)
	$(BIN)/python benchmarks/run.py

# Modules and tests: [tool.mutmut] in pyproject.toml. Hypothesis runs derandomized, so a mutant is killed or not the
# same way every run. Ends with the surviving mutants; `.venv/bin/mutmut show <name>` prints one's diff.
mutation: $(STAMP) $(SDV_STUBS)
	rm -rf mutants
	HYPOTHESIS_PROFILE=mutation $(BIN)/mutmut run --max-children $(or $(MUTATION_JOBS),2)
	@echo "surviving mutants:"
	@$(BIN)/mutmut results

clean:
	rm -rf $(VENV) .venv-side .pytest_cache .mypy_cache .ruff_cache .hypothesis mutants homebound.db homebound.db-*
	rm -f src/homebound/adapters/kuksa/sdv_stubs/*_pb2*
