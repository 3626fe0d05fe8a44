"""Generator protocol and its llama-cpp implementation: streams text pieces for a prompt."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from .errors import ModelError


@dataclass(frozen=True)
class Prompt:
    """Either a completion prompt (text) or chat messages for a model with a chat template."""

    text: str = ""
    messages: list[dict[str, str]] = field(default_factory=list)
    stop: tuple[str, ...] = ()
    boost: str = ""  # text whose tokens get a logit bias: nudges a small model to copy, not invent


class Generator(Protocol):
    has_chat_template: bool
    n_ctx: int

    def count_tokens(self, text: str) -> int: ...

    def stream(
        self, prompt: Prompt, max_tokens: int, temperature: float = 0.0, copy_bias: float = 0.0
    ) -> Iterator[str]: ...


class LlamaGenerator:
    """A local GGUF through llama-cpp-python. One generation at a time (the model is not thread-safe).
    gpu_layers: layers offloaded to the GPU (-1: all; 0: none, the CPU), see rag/device.py."""

    def __init__(self, path: Path, n_ctx: int = 2048, threads: int = 2, seed: int = 0, gpu_layers: int = 0) -> None:
        try:
            from llama_cpp import Llama
        except ImportError:
            raise ModelError("llama-cpp-python is not installed; run: make install") from None
        try:
            self.llm: Any = Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=threads,
                n_threads_batch=threads,
                seed=seed,
                verbose=False,
                n_batch=512,
                n_gpu_layers=gpu_layers,
            )
        except (ValueError, RuntimeError, OSError) as e:
            raise ModelError(f"Cannot load the LLM {path} ({e}); check the 'llm' line in models.txt") from None
        self.path = path
        self.n_ctx = n_ctx
        self.seed = seed
        self.gpu_layers = gpu_layers
        self.has_chat_template = bool(self.llm.metadata.get("tokenizer.chat_template"))
        self._lock = threading.Lock()

    def close(self) -> None:
        """Free the model now, not in llama.cpp's own destructor at interpreter shutdown (which can crash once
        the modules it needs are gone). Waits a little for a generation in progress; then leaves it be."""
        if self._lock.acquire(timeout=5):
            try:
                self.llm.close()
            finally:
                self._lock.release()

    def count_tokens(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def stream(
        self, prompt: Prompt, max_tokens: int, temperature: float = 0.0, copy_bias: float = 0.0
    ) -> Iterator[str]:
        bias = None
        if copy_bias and prompt.boost:
            # subtle: a small model invents names and numbers; favouring the evidence's own tokens
            # makes it copy them instead (27/32 against 22/32 correct on tests/data, docs/answers.md)
            tokens = set(self.llm.tokenize(prompt.boost.encode("utf-8"), add_bos=False, special=False))
            bias = {int(t): copy_bias for t in tokens}
        with self._lock:
            common: dict[str, Any] = dict(
                max_tokens=max_tokens,
                temperature=temperature,
                seed=self.seed,
                stream=True,
                stop=list(prompt.stop) or None,
                top_k=1 if temperature == 0 else 40,
                logit_bias=bias,
                repeat_penalty=1.1,
            )
            if prompt.messages:
                for part in self.llm.create_chat_completion(messages=prompt.messages, **common):
                    piece = part["choices"][0]["delta"].get("content")
                    if piece:
                        yield piece
            else:
                for part in self.llm.create_completion(prompt.text, **common):
                    piece = part["choices"][0]["text"]
                    if piece:
                        yield piece
