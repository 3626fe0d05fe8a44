"""The speed work's pieces: index type by size (exact vs IVF), the ONNX embedder against plain
sentence-transformers, and the bench's helpers. Figures live in `rag bench`, not in timed tests."""

from __future__ import annotations

import numpy as np
import pytest

from rag import Settings, store
from rag.bench import percentile, synthetic


def _unit(n: int, d: int = 32, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, d)).astype("float32")
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_percentile_nearest_rank() -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile(list(map(float, range(1, 101))), 95) == 95.0
    assert percentile([7.0], 95) == 7.0


def test_index_type_by_size() -> None:
    s = Settings.load(exact_max_chunks=1000)
    assert store.choose_index_type(1000, s) == "flat"
    assert store.choose_index_type(1001, s) == "ivf"
    assert store.choose_index_type(10, s.replace(index_type="ivf")) == "ivf"
    assert store.choose_index_type(10**7, s.replace(index_type="flat")) == "flat"
    assert store.ivf_lists(1_000_000) == 2000
    assert store.ivf_lists(100) == 64


def test_ivf_index_finds_what_exact_search_finds_and_syncs_by_id() -> None:
    s = Settings.load(exact_max_chunks=500, ivf_nprobe=16)
    centers = _unit(50)
    data = synthetic(centers, 4000, np.random.default_rng(1), noise=0.5)
    ids = np.arange(100, 4100, dtype="int64")  # chunk ids need not start at 0
    flat = store.make_vector_index(32, 100, s)
    ivf = store.make_vector_index(32, len(data), s)
    assert (store.index_type_of(flat), store.index_type_of(ivf)) == ("flat", "ivf")
    store.add_vectors(flat, data, ids)
    store.add_vectors(ivf, data, ids)
    queries = data[:50]
    truth, found = flat.search(queries, 10)[1], ivf.search(queries, 10)[1]
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)])
    assert recall >= 0.95
    np.testing.assert_allclose(ivf.reconstruct(150), data[50], atol=1e-6)  # by chunk id
    ivf.remove_ids(np.asarray([100, 101], dtype="int64"))  # what sync does with changed articles
    assert ivf.ntotal == len(data) - 2
    assert 100 not in ivf.search(queries[:1], 10)[1][0]
    store.set_search_params(ivf, s.replace(ivf_nprobe=3))
    assert ivf.nprobe == 3


def test_retype_keeps_vectors_and_ids() -> None:
    s = Settings.load(exact_max_chunks=300)
    data = _unit(400)
    ids = np.arange(1000, 1400, dtype="int64")
    flat = store.make_vector_index(32, 10, s)
    store.add_vectors(flat, data, ids)
    assert store.retype_vectors(flat, 200, s) is flat  # still small: unchanged
    ivf = store.retype_vectors(flat, 400, s)  # grew past exact_max_chunks
    assert store.index_type_of(ivf) == "ivf" and ivf.ntotal == 400
    np.testing.assert_allclose(ivf.reconstruct(1399), data[399], atol=1e-6)
    back = store.retype_vectors(ivf, 100, s)
    assert store.index_type_of(back) == "flat" and back.ntotal == 400
    np.testing.assert_allclose(back.reconstruct(1000), data[0], atol=1e-6)


@pytest.mark.slow
def test_onnx_int8_embedder_agrees_with_sentence_transformers(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The default fast path (exported once into a cache, int8 weights) against the reference."""
    from rag.models import get_embedder

    s = Settings.load(embedding_backend="onnx-int8")
    fast, plain = get_embedder(s), get_embedder(s.replace(embedding_backend="torch"))
    assert fast.name.endswith("+onnx-int8") and fast.name != plain.name  # not mixed in one index
    assert fast.dim == plain.dim and fast.max_tokens == plain.max_tokens
    texts = [
        "How many Russian contractors did Yevgeny Shabayev say were in Venezuela?",
        "Russian private military contractors who do secret missions for the Kremlin flew into Venezuela. " * 12,
        "Who backs Maduro?",
        "Bolton",
    ]
    a, b = fast.embed(texts), plain.embed(texts)
    assert a.shape == b.shape == (4, plain.dim) and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    assert (a * b).sum(1).min() > 0.97
    assert fast.count_tokens(texts[0]) == plain.count_tokens(texts[0])
    # grouping by length must not reorder the rows
    np.testing.assert_allclose(fast.embed(texts[::-1])[::-1], a, atol=1e-5)


@pytest.mark.slow
def test_openvino_embedder_matches_sentence_transformers() -> None:
    """OpenVINO (bf16 where the CPU has it, else f32) gives the reference's vectors: same index name."""
    from rag.embed import backend_for, bf16_without_amx
    from rag.models import get_embedder

    s = Settings.load(embedding_backend="openvino")
    ov, plain = get_embedder(s), get_embedder(s.replace(embedding_backend="torch"))
    assert type(ov).__name__ == "OpenVinoEmbedder" and ov.name == plain.name
    assert backend_for(s.replace(embedding_backend="auto")) == ("openvino" if bf16_without_amx() else "onnx-int8")
    texts = ["Who backs Maduro?", "Russian contractors flew into Venezuela. " * 30, "Bolton", "Caracas airport"]
    a, b = ov.embed(texts), plain.embed(texts)
    assert a.shape == b.shape == (4, plain.dim) and a.dtype == np.float32
    assert (a * b).sum(1).min() > 0.999
    np.testing.assert_allclose(ov.embed(texts[::-1])[::-1], a, atol=1e-5)
