# The two commands: `make run` serves the demo dashboard; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test lint benchmarks notebooks notebooks-html clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/stakeholder-graph demo

test: $(STAMP)
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy

# JupyterLab on the analyst notebooks, from the project's environment.
notebooks: $(STAMP)
	$(PY) -m pip install --quiet -e '.[notebooks]'
	$(VENV)/bin/jupyter lab notebooks/

# Rendered copies with their outputs in docs/notebooks/ (the test suite checks they are current).
notebooks-html: $(STAMP)
	$(PY) -m pip install --quiet -e '.[notebooks]'
	$(PY) tools/render_notebooks.py

benchmarks: $(STAMP)
	$(PY) -m benchmarks --quick --json benchmarks/latest.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
