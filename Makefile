# policy-targets: every target sets up .venv itself (python3 -m venv + pip) when it is missing
# or when pyproject.toml changed since the last install.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help setup data test reports lab bench clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@touch $(STAMP)

setup: $(STAMP) ## create .venv and install the pinned dependencies

data: $(STAMP) ## rebuild data/processed/ from data/raw/ (verifies document hashes first)
	$(PY) -m analysis.build

test: $(STAMP) ## run the test suite (pytest)
	$(PY) -m pytest

reports: data ## the main job: build the data, then the reports
	@echo "make reports: data/processed/ is built; notebooks and HTML reports are not yet part of the suite."

lab: $(STAMP) ## start JupyterLab on notebooks/ with the project's environment
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

bench: $(STAMP) ## benchmark the vectorised engine against a naive loop on a 1.1 M-observation panel (writes reports/bench.json)
	$(PY) -m analysis.bench

clean: ## remove generated reports (keeps .venv and data)
	rm -rf reports/*.html reports/*.ipynb
