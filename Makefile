# policy-targets: every target sets up .venv itself (python3 -m venv + pip) when it is missing
# or when pyproject.toml or requirements.lock changed since the last install.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
# numpy asks the kernel to back each large array with huge pages; where the kernel then compacts memory on every
# such page fault (/sys/kernel/mm/transparent_hugepage/defrag = madvise, a common default), a national panel pays
# seconds of system time for it: 3-4 s of a 12 s engine run on this project's VM (benchmarks/engine.py records
# the setting). Off for every target; numpy's own switch, the arrays and results are the same.
export NUMPY_MADVISE_HUGEPAGE := 0

.DEFAULT_GOAL := help
.PHONY: help setup data spec test reports reports-under-lock reports-locked reports-invalid lab lint lock bench bench-reports bench-tests clean FORCE

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

# requirements.lock: every package the pins of pyproject.toml (runtime and the dev extra) resolve to, at one
# version each; the project itself is installed on top of it without resolving again
$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e '.[dev]'
	$(PY) -m analysis.reports.kernel
	@touch $(STAMP)

setup: $(STAMP) ## create .venv and install requirements.lock and the project (with its dev extra)

lock: $(STAMP) ## re-resolve requirements.lock from the pins of pyproject.toml (after changing one)
	$(VENV)/bin/pip-compile --quiet --extra dev --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements.lock pyproject.toml

# One lock for everything that writes (data/processed/, reports/): .policy-targets.lock at the project root,
# where `make clean` does not reach. analysis/core/lock.py holds it (flock; an O_EXCL file where flock is missing);
# a run that finds it taken says for whom it waits, waits at most LOCK_WAIT seconds, then exits 75.
# Values given on the command line (SOURCE, FORCE, LOCK_WAIT) are taken as literal text ($(value …)), never expanded
# by make or seen by a shell: they reach the programs through the environment, which check them.
LOCK_WAIT ?= 7200
override LOCK_WAIT := $(value LOCK_WAIT)
override SOURCE := $(value SOURCE)
override FORCE := $(value FORCE)
export LOCK_WAIT SOURCE FORCE
LOCKED = $(PYTHON) -m analysis.core.lock

data: $(STAMP) ## rebuild data/processed/ from data/raw/ (verifies document hashes first; takes the lock itself)
	$(PY) -m analysis.build

spec: $(STAMP) ## write a draft data/raw/specs/<SOURCE>.yml for a registered document (FORCE=1 overwrites)
	@$(PY) -m analysis.ingest.draft_spec --from-make

test: $(STAMP) ## run the test suite (pytest: three workers on two cores, as many tests wait on a subprocess; idle ones steal work)
	$(PY) -m pytest -n 3 --dist worksteal

lint: $(STAMP) ## check style, import order and likely bugs (ruff; configuration in pyproject.toml)
	$(VENV)/bin/ruff check .

# ---- reports: reports.yml → reports/<name>.html + reports/index.html (analysis/reports/) ----
# Make tracks what each report depends on: its notebook, its own entry of reports.yml (a stamp the runner
# rewrites only when that entry changes), data/processed/, data/raw/ and the analysis/ sources. A rerun
# with nothing changed does nothing. The rule of an out-of-date report only queues it (reports/.build/NAME.queued);
# then one process runs the queue and writes the index, with as many workers as make's -j, each keeping one kernel
# for its reports (analysis/reports/batch.py): `make -j2 reports` runs two notebooks at a time.
# The lock (above) makes an overlapping run wait for the one in progress instead of corrupting it.
REPORTS_BUILD := reports/.build
REPORTS_MK := $(REPORTS_BUILD)/reports.mk
DATA_BUILT := $(REPORTS_BUILD)/data.built
# data/raw/ is tracked through one listing (path, size, time of each file) that reports-under-lock rewrites only
# when it changes: a file name with a space, `$$(` or `:` never reaches make. The processed files are those of
# the published set with plain names (a stray file is not part of the set).
RAW_LISTING := $(REPORTS_BUILD)/raw.listing
PROCESSED_CSV := $(addprefix data/processed/,$(shell ls data/processed 2>/dev/null | grep -E '^[A-Za-z0-9_.-]+\.csv$$'))
ANALYSIS_SRC := $(wildcard analysis/*.py analysis/*/*.py analysis/reports/templates/*.j2)
REPORT_DEPS := $(PROCESSED_CSV) $(RAW_LISTING) $(ANALYSIS_SRC) $(STAMP)
reports: $(STAMP) ## the main job: build the data, then every report of reports.yml and reports/index.html
	@mkdir -p $(REPORTS_BUILD)
	@$(LOCKED) --name "make reports" -- $(MAKE) --no-print-directory reports-under-lock; rc=$$?; \
	if [ $$rc -eq 75 ]; then echo "make reports: nothing done (LOCK_WAIT=$$LOCK_WAIT s passed)" >&2; \
	elif [ $$rc -ne 0 ]; then echo "make reports: failed (see above); the last good reports are kept; reports/index.html lists the problems" >&2; fi; exit $$rc

# under the lock: delete what an interrupted run left (temporary files); bring the data and the make rules of the
# runs up to date (independent: at the same time under -j2); build what is out of date, keep going past a failed
# report (-k), and after any failure write the index with the failures, then exit non-zero
reports-under-lock:
	@rm -f reports/.*.tmp reports/.*.ipynb reports/fonts/.*.tmp reports/.build/.*.tmp reports/.build/*.queued
	@mkdir -p $(REPORTS_BUILD)
	@find data/raw -type f -not -name '.*' -printf '%P\t%s\t%T@\n' 2>/dev/null | LC_ALL=C sort >$(REPORTS_BUILD)/.raw.listing.tmp; \
	if cmp -s $(REPORTS_BUILD)/.raw.listing.tmp $(RAW_LISTING); then rm -f $(REPORTS_BUILD)/.raw.listing.tmp; \
	else mv -f $(REPORTS_BUILD)/.raw.listing.tmp $(RAW_LISTING); fi
	@if [ -e $(REPORTS_MK) ] && [ "$$(head -n -1 $(REPORTS_MK) | sha256sum | cut -c1-64)" != "$$(tail -n 1 $(REPORTS_MK) | sed -n 's/^# sha256 //p')" ]; then \
		echo "make reports: $(REPORTS_MK) is not as \`python -m analysis.reports makefile\` wrote it; writing it again" >&2; rm -f $(REPORTS_MK); fi
	@{ $(MAKE) --no-print-directory -k $(DATA_BUILT) $(REPORTS_MK) && $(MAKE) --no-print-directory -k reports-locked; } \
		|| { $(PY) -m analysis.reports index >/dev/null; exit 1; }

ifneq ($(filter reports-locked,$(MAKECMDGOALS)),)
include $(REPORTS_MK)
endif

reports-locked: $(DATA_BUILT) reports/index.html
	@echo "make reports: $(words $(REPORT_HTML)) report(s) up to date, index: reports/index.html"

# the data step rewrites only the CSVs whose content changed, so reports rebuild only on real changes;
# an interrupted earlier update (its journal or temporary files in data/processed/) forces it to run
ifneq ($(wildcard data/processed/.publish-pending.json data/processed/.*.tmp),)
$(DATA_BUILT): FORCE
endif
# a published file that differs from the set's manifest (a hand edit, a merge conflict, a deleted row) is rebuilt
ifneq ($(filter $(DATA_BUILT),$(MAKECMDGOALS)),)
ifneq ($(shell cd data/processed 2>/dev/null && sha256sum --quiet --strict -c manifest.sha256 >/dev/null 2>&1 || echo changed),)
$(DATA_BUILT): FORCE
endif
endif
$(RAW_LISTING): ;
$(DATA_BUILT): $(RAW_LISTING) $(wildcard analysis/*.py analysis/*/*.py) $(STAMP)
	@mkdir -p $(@D)
	@if $(PY) -m analysis.build 2>$(REPORTS_BUILD)/data.log; then rm -f $(REPORTS_BUILD)/data.failed; \
	else cat $(REPORTS_BUILD)/data.log >&2; cp $(REPORTS_BUILD)/data.log $(REPORTS_BUILD)/data.failed; exit 1; fi
	@touch $@
$(PROCESSED_CSV): $(DATA_BUILT) ;
FORCE:

$(REPORTS_MK): reports.yml data/raw/sources.yml data/processed/progress.csv $(ANALYSIS_SRC) $(wildcard notebooks/*.ipynb) $(STAMP)
	@mkdir -p $(@D)
	@$(PY) -m analysis.reports makefile $@
	@touch $@

# the queued runs, then the index (one process: the index needs every run's record). A report's rule queues its run
# without touching its page, so make cannot see from the pages' times that the index is out of date: the recipe is
# always considered (FORCE) and runs when a run is queued, an input of the index changed ($?) or there is no index.
reports/index.html: $(REPORT_HTML) reports.yml data/raw/sources.yml $(ANALYSIS_SRC) FORCE
	@if ls $(REPORTS_BUILD)/*.queued >/dev/null 2>&1 || [ -n "$(filter-out FORCE,$?)" ] || [ ! -e $@ ]; then \
		$(PY) -m analysis.reports run --queued --index && touch $@; fi

bench-reports: $(STAMP) ## time `make reports` cold, no-op and after one notebook changed (writes reports/bench-reports.json)
	$(PY) benchmarks/make_reports.py

# the lab's configuration lives in .venv/etc/jupyter: custom.css there gives the browser the project's CJK font
# (python -m analysis.reports.kernel --lab-settings), so Chinese renders without system fonts. ARGS: more options,
# e.g. make lab ARGS="--no-browser --port 9999"
lab: $(STAMP) ## start JupyterLab on notebooks/ with the project's kernel and font (ARGS="--no-browser --port 9999")
	@$(PY) -m analysis.reports.kernel --lab-settings
	JUPYTER_CONFIG_DIR=$(abspath $(VENV))/etc/jupyter $(VENV)/bin/jupyter lab --notebook-dir=notebooks \
		--LabApp.custom_css=True --MappingKernelManager.default_kernel_name=policy-targets \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(ARGS)

bench-tests: $(STAMP) ## time `make test`: pytest's time, the whole run and the CPU of every process (writes reports/bench-tests.json)
	$(PY) benchmarks/suite_time.py

bench: $(STAMP) ## benchmark the vectorised engine against a naive loop on a 1.1 M-observation panel (writes reports/bench.json)
	$(PY) benchmarks/engine.py
	$(PY) benchmarks/actuals.py

clean: ## remove generated reports (keeps .venv, data and the lock; waits for a run in progress)
	@$(LOCKED) --name "make clean" -- rm -rf reports/*.html reports/*.ipynb reports/*.json reports/fonts reports/.build \
		reports/.*.ipynb reports/.*.tmp
