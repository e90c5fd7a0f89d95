# Every entry point of tfopt_docs. `make html` and `make test` are all a
# fresh clone needs; each target first creates .venv from the lock file.

PYTHON     ?= python3
VENV       := .venv
BIN        := $(VENV)/bin
BUILD      := _build
# Pages are read (and executed) and examples run on every core, by one process
# more than there are cores: a page often waits (its kernel starting or ending,
# the worker processes it starts), and the extra one fills those waits.
JOBS       ?= $(shell $(PYTHON) -c "import os; print(os.cpu_count() + 1)")
SPHINXOPTS ?= -n -W --keep-going -j $(JOBS)
PORT       ?= 8000
# Build without executing anything: no gallery example, no notebook (so no lexer names and no glued values either).
NOEXEC     := -D plot_gallery=0 -D nb_execution_mode=off -D suppress_warnings=myst-nb.lexer,mystnb.glue

# The languages, in conf.py's order (its site_languages; the source language
# first), and those translated from it.
LANGUAGES    := $(shell $(PYTHON) docs/_ext/site_languages.py)
TRANSLATIONS := $(wordlist 2,$(words $(LANGUAGES)),$(LANGUAGES))
# A language code, also by its first part: zh -> zh_CN.
language = $(or $(filter $(1),$(LANGUAGES)),$(firstword $(filter $(1)_%,$(LANGUAGES))),$(error no language $(1) in conf.py's site_languages: $(LANGUAGES)))

# One sphinx-build per language: own doctrees, shared execution caches.
sphinx = $(BIN)/sphinx-build -b $(1) -c . -d $(BUILD)/doctrees/$(2) -D language=$(2) $(SPHINXOPTS) docs $(3)

.PHONY: help install lint html html-noplot gettext update-po doctest test unit site-test check-robust race-rates dist check-downloads bench screenshots serve livehtml lock clean

help:
	@echo "make html       build every language ($(LANGUAGES)) into $(BUILD)/html/<language>"
	@echo "make test       everything CI checks (build, doctests, unit and site tests)"
	@echo "other targets:  install lint html-<language> (e.g. html-$(firstword $(LANGUAGES))) html-noplot gettext update-po"
	@echo "                doctest unit site-test"
	@echo "                check-robust race-rates dist check-downloads bench screenshots serve livehtml lock clean"

$(VENV)/.installed: requirements/lock.txt requirements/tf-keras.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements/lock.txt
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements/tf-keras.txt
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

install: $(VENV)/.installed

# The source language first: the translations then find every notebook and
# example already executed in the shared caches.
html: install
	@set -e; for language in $(LANGUAGES); do $(MAKE) --no-print-directory html-$$language; done

# One language: html-en, html-zh_CN (or html-zh).
html-%: install
	$(call sphinx,html,$(call language,$*),$(BUILD)/html/$(call language,$*))

# Prose and layout preview: nothing executed (the matplotlib and scikit-learn
# convention), into its own folders so the executed build stays as it is.
html-noplot: install
	$(BIN)/sphinx-build -b html -c . -d $(BUILD)/noplot/doctrees $(NOEXEC) \
		$(filter-out -W,$(SPHINXOPTS)) docs $(BUILD)/noplot/html

# Message catalogs (.pot), one per page, extracted afresh from the sources.
# Outputs are not translated, so nothing needs to execute (same messages).
gettext: install
	$(BIN)/sphinx-build -b gettext -c . -d $(BUILD)/doctrees/gettext $(NOEXEC) -j auto docs $(BUILD)/gettext

# Refresh locale/<language> from the sources; then translate what is new or fuzzy.
update-po: gettext
	$(BIN)/sphinx-intl update -p $(BUILD)/gettext $(foreach language,$(TRANSLATIONS),-l $(language)) -d locale -w 0

# The pages' doctests, under Sphinx's own runner (pytest runs them too); they
# need no executed cell, so nothing executes.
doctest: install
	$(BIN)/sphinx-build -b doctest -c . -d $(BUILD)/doctrees/doctest $(NOEXEC) -q docs $(BUILD)/doctest

unit: install
	$(BIN)/pytest -m "not site"

site-test: install
	$(BIN)/pytest -m site

# Formatter, linter and type checker (ruff: see pyproject.toml for what it covers).
lint: install
	$(BIN)/ruff check
	$(BIN)/ruff format --check
	$(BIN)/mypy

test: install
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory html
	$(MAKE) --no-print-directory doctest
	$(BIN)/pytest
	$(MAKE) --no-print-directory check-downloads
	$(MAKE) --no-print-directory check-robust

# Every page, example and doctest again with oneDNN flipped on one core, with
# shifted seeds, and repeated (determinism); see tools/check_robust.py.
check-robust: install
	$(BIN)/python tools/check_robust.py

# The optimizer races' learning rates, chosen again by the rule their examples state.
race-rates: install
	$(BIN)/python tools/race_rates.py

# The package as readers install it: wheel and sdist in $(BUILD)/dist, checked.
# (The html build also puts the wheel there, and on the site.)
dist: install
	rm -rf $(BUILD)/dist
	$(BIN)/python -m build --no-isolation --outdir $(BUILD)/dist .
	$(BIN)/twine check --strict $(BUILD)/dist/*
	$(BIN)/check-wheel-contents $(BUILD)/dist/*.whl

# Every .py and .ipynb the built site offers, run in a fresh venv that has only
# the lock's pins and the wheel the site serves (needs `make html` first).
check-downloads: install
	$(BIN)/python tools/check_downloads.py

# What a build costs, then how fast the pages' trainings run (ratios, one run each).
bench: install
	$(BIN)/python benchmarks/build_times.py
	$(BIN)/python benchmarks/training_speed.py

# Full-page screenshots of the key pages, both languages, desktop and phone (after `make html`).
screenshots: install
	$(BIN)/python tests/site/screenshots.py $(BUILD)/screenshots

serve:
	@echo "Serving $(BUILD)/html on http://127.0.0.1:$(PORT)/"
	$(PYTHON) -m http.server --bind 127.0.0.1 --directory $(BUILD)/html $(PORT)

livehtml: install
	$(BIN)/sphinx-autobuild -c . -d $(BUILD)/doctrees/en -D language=en docs $(BUILD)/html/en \
		--watch src --watch examples --ignore "docs/auto_examples/*" --port $(PORT)

# Re-resolve the pinned versions (needs the package index).
lock: install
	$(BIN)/pip-compile --quiet --extra test --strip-extras --no-emit-index-url --no-emit-find-links \
		--output-file requirements/lock.txt pyproject.toml

clean:
	rm -rf $(BUILD) docs/auto_examples
	find locale -name '*.mo' -delete
