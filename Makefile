# calc4ml autograder. `make demo` and `make test` set up everything they need on first use.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSIGNMENTS := $(sort $(notdir $(patsubst %/assignment.toml,%,$(wildcard assignments/*/assignment.toml))))

.PHONY: demo test verify release samples lint bench system-deps clean

LOCK := autograder/gradescope-requirements.txt

# The grader's own packages at the versions Gradescope installs (the lock, without its hashes as pip's
# constraints), so the tests run what students are graded with, on any day; dev tools resolve freely.
$(STAMP): pyproject.toml $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || \
	  { echo "Python 3.11 is required (found $$($(PYTHON) --version)); set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	sed -n 's/^\([A-Za-z0-9._-]*==[^ ]*\).*/\1/p' $(LOCK) > $(VENV)/constraints.txt
	$(BIN)/python -m pip install --quiet -c $(VENV)/constraints.txt -e '.[dask,dev]'
	touch $(STAMP)

# Debian tools: bubblewrap for the sandbox, chromium for the browser test; installed when missing
# and we are root, otherwise explained.
system-deps:
	@missing=""; command -v bwrap >/dev/null || missing="$$missing bubblewrap"; \
	  [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      echo "installing$$missing"; (apt-get update -qq || true) && \
	      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	    else echo "missing Debian packages:$$missing (sudo apt-get install$$missing)"; exit 1; fi; fi

demo: $(STAMP) system-deps
	@for a in $(ASSIGNMENTS); do echo "== $$a"; \
	  $(BIN)/autograder grade $$a tests/samples/$$a/ --workers 2 --json out/demo-$$a.json || exit 1; done

# Two pytest workers, one test file each at a time (its module fixtures built once): the suites that
# grade in a pool of their own overlap with the single-process tests (measured: 10 min against 15).
test: $(STAMP) system-deps
	$(BIN)/python -m pytest -n 2 --dist loadfile --junitxml=out/junit/tests.xml

verify: $(STAMP) system-deps
	$(BIN)/autograder verify $(ASSIGNMENTS) --workers 2

release: $(STAMP)
	$(BIN)/autograder release $(ASSIGNMENTS)
	for a in $(ASSIGNMENTS); do \
	  $(BIN)/autograder samples $$a $$(for d in samples redteam badinput; do \
	    [ -f tests/$$d/$$a/samples.toml ] && echo --folder tests/$$d/$$a; done) || exit 1; done

lint: $(STAMP)
	$(BIN)/ruff check autograder tests assignments solutions bench
	$(BIN)/mypy

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .ruff_cache

# Benchmarks (not part of the tests): our grader against nbgrader autograde, and what isolation costs.
bench: $(STAMP) system-deps
	$(BIN)/python bench/batch.py
	$(BIN)/python bench/isolation.py
