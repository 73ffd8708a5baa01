# Everything a fresh machine needs runs from here; see README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   ?= demo

.PHONY: install system-packages test demo masters clean

install: $(STAMP)

$(STAMP): setup.cfg pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

system-packages:
	tools/install-system-packages

test: install system-packages
	$(BIN)/python -m pytest

masters: install
	$(BIN)/staffrec masters --out templates_xls

demo: install
	$(BIN)/staffrec demo --out $(DEMO)

clean:
	rm -rf $(VENV) $(DEMO) *.egg-info .pytest_cache
