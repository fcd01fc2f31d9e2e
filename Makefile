# Two commands on a fresh machine with only Python and pip:
#   make simulate   set up, then drive a multi-channel order day through the real service
#   make test       set up, then run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: setup test simulate serve protos bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade pip
	$(BIN)/pip install -e '.[test]'
	touch $@

test: setup
	$(BIN)/python -m pytest

simulate: setup
	$(BIN)/oms simulate

serve: setup
	$(BIN)/oms serve

protos: setup
	$(BIN)/python -m protos.generate

bench: setup
	$(BIN)/python -m benchmarks.capture

clean:
	rm -rf $(VENV) .oms-data reports
