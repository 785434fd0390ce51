# Two commands for a newcomer (Python 3.11 and make are all they need):
#   make demo   set up .venv and run the pipeline on the bundled samples
#   make test   set up .venv, lint and run the whole test suite
PYTHON ?= python3
ODOO_PATH ?= /opt/odoo18
ODOO_PYTHON ?= $(ODOO_PATH)/venv/bin/python
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-odoo lint format bench clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/rcep-origin demo

test: $(STAMP) lint
	$(BIN)/python -m pytest -q

# The same tests inside Odoo 18's own environment (its pinned lxml, requests, ...), against
# a regular install of our packages there, as the addon uses them; then the addon's own tests
# (scripts/odoo-tests.sh). Says so in one line when there is no Odoo.
test-odoo:
	@if [ -x "$(ODOO_PYTHON)" ]; then \
		$(ODOO_PYTHON) -m pip install --quiet -c $(ODOO_PATH)/requirements.txt '.[test]' websocket-client && \
		$(ODOO_PYTHON) -m pip install --quiet --force-reinstall --no-deps . && \
		$(ODOO_PYTHON) -m pytest -q -p no:cacheprovider -p no:odoo tests && \
		ODOO_PATH=$(ODOO_PATH) ODOO_PYTHON=$(ODOO_PYTHON) bash scripts/odoo-tests.sh; \
	else \
		echo "No Odoo found at $(ODOO_PYTHON) (set ODOO_PATH or ODOO_PYTHON): Odoo tests skipped."; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_engine.py
	$(BIN)/python benchmarks/bench_declaration.py
	$(BIN)/python benchmarks/bench_remedies.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .hypothesis
