# The two commands of the README: `make run` and `make test`. Both create .venv themselves, from
# requirements-test.lock: exact versions, every file's hash checked. `make lock` renews the locks;
# `make test-latest` runs the suite on the newest versions pyproject.toml allows.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LOCK := requirements.lock
TEST_LOCK := requirements-test.lock
# The oldest Python that pyproject.toml's requires-python admits: the locks hold markers for it
# and every newer one.
MIN_PYTHON := 3.11
UV_VERSION := 0.13.9
LOCK_VENV := .venv-lock
LATEST_VENV := .venv-latest

.PHONY: run test bench soak lint venv lock test-latest clean

# A venv is made whole from the lock every time the lock changes, never patched: the same lock
# gives the same install. The project itself is built with the locked setuptools (no isolation).
$(STAMP): pyproject.toml $(TEST_LOCK)
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -qq --disable-pip-version-check --require-hashes -r $(TEST_LOCK)
	$(PY) -m pip install -qq --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(PY) -m bastion.cli.demo

# The suite runs on every core (pytest-xdist), a test file per worker so that a file's shared
# World (a real sshd and bastion) starts once; files go out in the order tests/conftest.py
# gives them (the longest first), not most tests first. `-m 'not slow'` takes in the install
# tests (the wheel in a new venv, the upgrade from the last release), which a plain `pytest`
# leaves out to stay quick while developing: in one run they are collected once and take a
# worker while the others run the rest (a second run after the rest took 80 s more). The
# bastion's modules are compiled once first: the suite starts `python -m bastion` over a
# hundred times, and where PYTHONDONTWRITEBYTECODE is set (containers, CI images) each start
# would compile every module again (about 1 s of CPU each). For the same reason pytest's
# rewriting of the test modules' asserts is written once first (tests/rewrite_cache.py), not by
# each worker (about 11 s of CPU a worker).
# One worker more than the cores: the end-to-end files spend most of their time waiting on real
# servers' timers and handshakes (test_interactive_gate alone: 150 s wall, 46 s of CPU), so on 2
# cores a third worker took the suite from 454 s to 370 s. A fourth took it from 314 s to 294 s,
# but the load it adds made the product's own timers run out (a 3 s wait for an echo): tests
# that pass on a quiet machine failed. Tables of rows are one test each (tests/rows.py): an item
# costs xdist ~10 ms of CPU.
WORKERS ?= $(shell $(PYTHON) -c "import os; print(len(os.sched_getaffinity(0)) + 1)")
test: $(STAMP)
	$(PY) -m ruff check bastion certs tui tests bench
	$(PY) -m compileall -q bastion certs tui
	$(PY) tests/rewrite_cache.py
	$(PY) -m pytest -q -n $(WORKERS) --dist loadfile --no-loadscope-reorder -m 'not slow'

bench: $(STAMP)
	$(PY) -m bench.run

soak: $(STAMP)
	$(PY) -m bench.soak

lint: $(STAMP)
	$(PY) -m ruff check bastion certs tui tests bench

# Renew both locks from pyproject.toml (dependencies, the test extra and the build backend).
# Pins that still fit are kept, so adding a dependency moves nothing else; UPGRADE=1 takes the
# newest versions the ranges allow (run `make test-latest` first). requirements.lock is the
# runtime subset, constrained to the same versions.
lock:
	test -x $(LOCK_VENV)/bin/uv || { $(PYTHON) -m venv $(LOCK_VENV) && \
		$(LOCK_VENV)/bin/python -m pip install -q uv==$(UV_VERSION); }
	$(PYTHON) -c 'import tomllib; print(*tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"], sep="\n")' \
		> $(LOCK_VENV)/build-requires.in
	$(LOCK_VENV)/bin/uv pip compile --quiet --universal --python-version $(MIN_PYTHON) \
		--generate-hashes $(if $(UPGRADE),--upgrade) --custom-compile-command 'make lock' \
		--extra test pyproject.toml $(LOCK_VENV)/build-requires.in -o $(TEST_LOCK)
	$(LOCK_VENV)/bin/uv pip compile --quiet --universal --python-version $(MIN_PYTHON) \
		--generate-hashes --custom-compile-command 'make lock' -c $(TEST_LOCK) \
		pyproject.toml $(LOCK_VENV)/build-requires.in -o $(LOCK)

# Not in CI: the newest versions pyproject.toml allows, in a venv of their own, so drift shows
# here before users see it. Run it before `make lock UPGRADE=1` and when a dependency releases.
test-latest:
	rm -rf $(LATEST_VENV)
	$(PYTHON) -m venv $(LATEST_VENV)
	$(LATEST_VENV)/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(LATEST_VENV)/bin/python -m pip install -q --disable-pip-version-check \
		--upgrade --upgrade-strategy eager -e '.[test]'
	$(LATEST_VENV)/bin/python -m pip list --disable-pip-version-check --format=freeze --exclude-editable
	$(LATEST_VENV)/bin/python -m ruff check bastion certs tui tests bench
	$(LATEST_VENV)/bin/python -m pytest -q

clean:
	rm -rf $(VENV) $(LOCK_VENV) $(LATEST_VENV) var
