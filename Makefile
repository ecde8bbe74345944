# The two commands of the README: `make demo` and `make test`. Both set up what is missing.
VENV := .venv
BIN := $(VENV)/bin

.PHONY: setup setup-browser setup-node demo test test-js lint format serve bench-assign clean-db

setup:
	@bash scripts/setup.sh

# The page tests drive Debian's chromium; installed (with a Chinese font) when missing.
setup-browser:
	@bash scripts/setup.sh --browser

# The pages' pure scripts are tested by Node's own runner (tests/js/); Debian's nodejs.
setup-node:
	@bash scripts/setup.sh --node

demo: setup
	$(BIN)/gridgis demo

serve: setup
	$(BIN)/gridgis serve

test: setup setup-browser setup-node test-js
	$(BIN)/pytest -q

test-js:
	node --test --test-reporter=dot tests/js/*.test.mjs

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy gis layers api maps data
	$(BIN)/python scripts/check_sizes.py

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean-db:
	-$(BIN)/gridgis db down
	rm -rf .gridgis
