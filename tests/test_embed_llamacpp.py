"""The llamacpp embedding backend (rag/gguf_embed.py): the real MiniLM folder written to GGUF and run by
llama.cpp, checked against plain sentence-transformers on real sentences from the bundled articles."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from rag import Settings, gguf_embed
from rag.config import resolve_model
from rag.embed import make_embedder
from rag.models import embedder_name

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def sentences(n: int) -> list[str]:
    """The first n sentences of 8 words or more from the bundled articles."""
    out: list[str] = []
    for f in sorted(CORPUS.glob("*.txt")):
        for s in re.split(r"(?<=[.!?])\s+", f.read_text(encoding="utf-8")):
            if len(s.split()) >= 8:
                out.append(s.strip())
    return out[:n]


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def pair(cache: Path):  # type: ignore[no-untyped-def]
    """The llamacpp embedder (its GGUF written into a fresh cache) and the torch one, same folder."""
    s = Settings.load(cache_dir=cache)
    path, name = resolve_model(s.embedding_model, "embedding"), embedder_name(s.embedding_model)
    fast = make_embedder(path, name, s.replace(embedding_backend="llamacpp"))
    plain = make_embedder(path, name, s.replace(embedding_backend="torch"))
    return fast, plain


def test_vectors_match_torch(pair) -> None:  # type: ignore[no-untyped-def]
    fast, plain = pair
    texts = sentences(20)
    assert len(texts) == 20
    a, b = fast.embed(texts), plain.embed(texts)
    assert a.shape == (20, 384) and a.dtype == np.float32
    assert np.allclose(np.linalg.norm(a, axis=1), 1, atol=1e-5)
    cos = (a * b).sum(1)
    assert cos.min() >= 0.99, cos
    assert fast.count_tokens(texts[0]) == plain.count_tokens(texts[0])
    assert fast.name == (plain.name if gguf_embed.WEIGHTS == "f16" else plain.name + "+llamacpp")
    assert fast.embed([]).shape == (0, 384)


def test_long_text_is_cut_at_256_word_pieces(pair) -> None:  # type: ignore[no-untyped-def]
    fast, plain = pair
    long = " ".join(sentences(60))
    assert fast.count_tokens(long) > 600
    assert fast.max_tokens == 256
    assert len(fast._tokenizer.encode(long).ids) == 256  # [CLS] + 254 word pieces + [SEP]
    a, b = fast.embed([long, long + " An ending that the model never reads."]), plain.embed([long])
    assert float(a[0] @ a[1]) > 0.99999  # what lies past 256 word pieces is not read
    assert float(a[0] @ b[0]) >= 0.99  # torch cuts at the same place


def test_second_embedder_reuses_the_gguf_file(pair, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    files = list(cache.glob("gguf/*/model.gguf"))
    assert len(files) == 1
    before = files[0].stat()

    def no_rewrite(*_: object, **__: object) -> Path:
        raise AssertionError("the cached GGUF file was written again")

    monkeypatch.setattr(gguf_embed, "write_gguf", no_rewrite)
    s = Settings.load(cache_dir=cache, embedding_backend="llamacpp")
    again = make_embedder(resolve_model(s.embedding_model, "embedding"), embedder_name(s.embedding_model), s)
    after = files[0].stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert again.name == pair[0].name
    assert np.allclose(again.embed(["A short check."]), pair[0].embed(["A short check."]), atol=1e-6)
