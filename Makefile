# Tuneline — one Makefile for the workspace. `make demo` and `make test` set everything up on first use.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.tuneline-installed
PACKAGES := libs/common libs/sdk services/intake services/data services/training services/evaluation services/registry services/monitoring
PYPROJECTS := pyproject.toml $(addsuffix /pyproject.toml,$(PACKAGES))
# Every package version is locked in uv.lock (the uv workspace in pyproject.toml); `make setup` installs exactly the
# lock, dev tools included (the `dev` dependency group). uv itself is bootstrapped into the venv with pip at the
# version the lock holds (a test checks the two agree), so nothing but Python 3.11 is needed beforehand.
UV_VERSION := 0.13.8
UV := $(VENV)/bin/uv
# torch's CPU build comes from the flat index in .wheels/ (pyproject.toml's `torch-cpu` index). It is a link to
# the wheel where this machine keeps one (pip's find-links here), else the official PyTorch CPU download; either
# way the file must have this sha256. torch from PyPI would be a multi-GB CUDA build.
TORCH_WHEEL := torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl
TORCH_SHA256 := 6746dbcbeb526eb61330b76b41ff1b4eb848951103a892eeb080dfa2b264667b
TORCH_URL := https://download.pytorch.org/whl/cpu/torch-2.13.0%2Bcpu-cp311-cp311-manylinux_2_28_x86_64.whl
LOCAL_WHEELS ?= /opt/wheels
TORCH_VERSION := 2.13.0
# CUDA machines: `make setup-gpu` puts torch's CUDA build of the same version (and its CUDA libraries) in place of
# the CPU build; every other package stays the lock's. CI and `make setup` never install a CUDA build.
TORCH_CUDA_INDEX_URL ?= https://download.pytorch.org/whl/cu128
GPU_MARK := $(VENV)/.tuneline-gpu
LOCK_ARGS ?=
PYTEST_ARGS ?=

.PHONY: setup setup-gpu lock console demo up down test test-unit test-integration test-slow test-e2e lint format typecheck bench catalogue clean

setup: $(STAMP) console/dist/index.html

# The web console: built from the committed lock file (npm ci). Its browser tests drive Debian's Chromium
# (Playwright cannot download its own browsers here); as root, setup installs it when it is missing.
CONSOLE_SOURCES := $(shell find console/src console/index.html console/vite.config.ts console/package-lock.json -type f 2>/dev/null)
console/node_modules/.package-lock.json: console/package-lock.json
	cd console && npm ci --no-audit --no-fund
	@touch $@

console/dist/index.html: console/node_modules/.package-lock.json $(CONSOLE_SOURCES)
	cd console && npm run build
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && { apt-get install -y chromium || { apt-get update && apt-get install -y chromium; }; }; } || \
		echo "Chromium is missing: as root, apt-get install -y chromium (the browser tests need it)"

$(STAMP): uv.lock $(PYPROJECTS) Makefile .wheels/$(TORCH_WHEEL) | $(UV)
	@rm -f $(GPU_MARK)
	$(UV) sync --locked
	@touch $(STAMP)

setup-gpu: setup
	@# --no-config: without the workspace's find-links, whose CPU wheel would win as the higher (local) version.
	$(UV) pip install --no-config --python $(PY) --index-url $(TORCH_CUDA_INDEX_URL) --reinstall-package torch \
		torch==$(TORCH_VERSION)
	@echo "$(TORCH_CUDA_INDEX_URL)" > $(GPU_MARK)

$(UV):
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	@# pip was only the bootstrap: the venv holds exactly the lock (a test compares them).
	$(UV) pip uninstall --quiet --python $(PY) pip

.wheels/$(TORCH_WHEEL):
	@mkdir -p .wheels
	@if [ -f "$(LOCAL_WHEELS)/$(TORCH_WHEEL)" ]; then ln -sf "$(LOCAL_WHEELS)/$(TORCH_WHEEL)" $@.part; \
	else echo "downloading $(TORCH_URL)"; curl -fsSL --retry 3 -o $@.part "$(TORCH_URL)"; fi
	@echo "$(TORCH_SHA256)  $@.part" | sha256sum --check --quiet || { rm -f $@.part; echo "torch wheel: wrong sha256" >&2; exit 1; }
	@mv $@.part $@

# Regenerate uv.lock after changing any pyproject (a dependency added, a bound moved); commit it with the change.
# Keeps every other locked version; LOCK_ARGS="--upgrade-package NAME" (or --upgrade) moves versions on purpose.
lock: .wheels/$(TORCH_WHEEL) | $(UV)
	$(UV) lock $(LOCK_ARGS)

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

console: console/dist/index.html

clean:
	rm -rf console/node_modules console/dist
	rm -rf $(VENV) .wheels .tuneline .pytest_cache .mypy_cache .ruff_cache
