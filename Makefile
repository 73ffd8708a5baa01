# Everything a fresh machine needs runs from here; see README.md.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
DEMO   ?= demo

.PHONY: install system-packages test demo masters bench load clean

install: $(STAMP)

$(STAMP): setup.cfg setup.py pyproject.toml staffrec/_biff.c
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	tools/install-build-packages $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@# Without the compiled reader the install still counts, but is tried again by the next make.
	@if $(BIN)/python -c 'import staffrec._biff' 2>/dev/null; then touch $(STAMP); else \
	  echo "staffrec: warning: the compiled .xls reader was not built (see tools/install-build-packages); .xls files are read more slowly" >&2; fi

system-packages:
	tools/install-system-packages

test: install system-packages
	$(BIN)/python -m pytest

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	$(BIN)/python -m bench

# The load test (bench/README.md): 16 clients for 60 s against the portal under waitress, then the store
# checked. Options through LOAD_ARGS, e.g. make load LOAD_ARGS="--clients 4 --seconds 10".
load: install
	$(BIN)/python -m bench.load $(LOAD_ARGS)

masters: install
	$(BIN)/staffrec masters --out templates_xls

# Builds the demo region into $(DEMO)/ (rebuilt from scratch) and serves the portal on 127.0.0.1 (port $PORT, default 5000).
demo: install
	$(BIN)/python -m portal.demo --out $(DEMO)

clean:
	rm -rf $(VENV) $(DEMO) *.egg-info .pytest_cache build staffrec/*.so
