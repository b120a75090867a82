# The two commands of README.md: `make demo` and `make test`. Both set up what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint bench clean

# No bytecode for every file of every package (half of the 60 s this took): Python writes it
# for the modules a command imports, the first time it imports them.
$(BIN)/storefront: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --no-compile -e ".[test]"
	touch $@

demo: $(BIN)/storefront
	PYTHONDONTWRITEBYTECODE= $(BIN)/storefront demo

# Bytecode is kept even where the environment turns it off (demo and test): each server,
# worker and command the tests start would compile the shop's modules again, and pytest its
# rewritten tests; the venv is installed without it.
test: $(BIN)/storefront
	bash scripts/install-system-deps
	$(BIN)/pip install --quiet --no-deps --no-build-isolation ./examples/free-gift
	$(BIN)/ruff check .
	PYTHONDONTWRITEBYTECODE= $(BIN)/pytest -n 2

lint: $(BIN)/storefront
	$(BIN)/ruff check .

bench: $(BIN)/storefront
	$(BIN)/python bench/bench_pages.py

clean:
	rm -rf $(VENV) instance test-artifacts
