"""`rag bench`'s real-vector scale section (rag/bench_scale.py): the sample, the vectors drawn around real
ones, and the measurement against exact search, on small sizes."""

from __future__ import annotations

import numpy as np

from rag import bench_scale
from rag.config import Settings


def test_the_real_sample_is_seeded_and_mixes_the_sources() -> None:
    a, counts = bench_scale.real_sentences(3000)
    b, _ = bench_scale.real_sentences(3000)
    assert a == b and len(a) == 3000
    assert set(counts) == {"multihop-rag", "scifact", "news-faithfulness"} and sum(counts.values()) == 3000
    assert all(len(s.split()) >= bench_scale.MIN_WORDS for s in a)
    assert len(bench_scale.real_sentences(10**6)[0]) >= 50_000  # the floor: at least 50,000 real vectors
    q = bench_scale.real_questions(10)
    assert len(q) == 10 and len(set(q)) == 10


def test_vectors_drawn_around_real_ones_stay_close_to_them() -> None:
    rng = np.random.default_rng(1)
    real = rng.standard_normal((50, 384)).astype("float32")
    real /= np.linalg.norm(real, axis=1, keepdims=True)
    drawn = bench_scale.around(real, 2000, seed=3)
    assert drawn.shape == (2000, 384) and np.allclose(np.linalg.norm(drawn, axis=1), 1, atol=1e-4)
    nearest = (drawn @ real.T).max(axis=1)
    assert 0.85 < float(np.median(nearest)) < 0.95  # ~1/sqrt(1 + NOISE^2) = 0.90


def test_measure_reports_recall_against_exact_search(tmp_path) -> None:
    rng = np.random.default_rng(2)
    centers = rng.standard_normal((40, 384)).astype("float32")
    centers /= np.linalg.norm(centers, axis=1, keepdims=True)
    data = bench_scale.around(centers, 4000, seed=4)
    queries = bench_scale.around(centers, 30, seed=5)
    row = bench_scale.measure(data, queries, Settings.load(threads=1), hnsw=True)
    assert row["vectors"] == 4000 and row["flat"]["n"] == 30
    recalls = [row["ivf"][f"nprobe{n}"]["recall@10"] for n in bench_scale.NPROBES]
    assert all(0 <= r <= 1 for r in recalls) and recalls == sorted(recalls)  # more lists searched, no worse
    assert row["ivf"][f"nprobe{bench_scale.NPROBES[-1]}"]["recall@10"] > 0.8
    assert row["hnsw"]["ef128"]["recall@10"] > 0.9
    lines = bench_scale.scale_lines({"real": row}, 32)
    assert len(lines) == 1 and "recall@10" in lines[0]
