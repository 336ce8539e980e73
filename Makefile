# The two commands of the README: `make run` and `make test`. Both create .venv themselves.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench soak lint venv clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(PY) -m bastion.demo

test: $(STAMP)
	$(PY) -m ruff check bastion certs tui tests bench
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) -m bench.run

soak: $(STAMP)
	$(PY) -m bench.soak

lint: $(STAMP)
	$(PY) -m ruff check bastion certs tui tests bench

clean:
	rm -rf $(VENV) var
