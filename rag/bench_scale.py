"""`rag bench`'s scale section on real vectors: which vector index, with which settings, at what size.

Random vectors say little about an index on real text: they have no cluster structure, so an inverted
file's recall on them is not its recall on articles. This section embeds real sentences instead: the
MultiHop-RAG articles, the SciFact abstracts and the news-faithfulness articles (at least 50,000
sentences of six words or more, a fixed seeded sample), and asks them real questions (MultiHop-RAG and
SciFact queries). Against exact search it measures, one question at a time on one thread:

- IVF (`IVF<2*sqrt(n)>,Flat`, what `index_type=auto` builds past `exact_max_chunks`) at several nprobe;
- HNSW (`HNSW32,Flat`) at several efSearch, for comparison;

then extrapolates to 1,000,000 vectors drawn around the real ones (each a real vector plus Gaussian
noise of norm NOISE, so its cosine to the vector it came from is about 0.9), and measures IVF there.

The vectors are cached under settings.cache_dir/bench (a second run does not embed again).
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import ROOT, Settings

if TYPE_CHECKING:
    import numpy as np

SHARED = ROOT.parent / "shared" / "eval-data"
SOURCES = {
    "multihop-rag": SHARED / "multihop-rag" / "corpus.json",
    "scifact": SHARED / "scifact" / "corpus.jsonl",
    "news-faithfulness": SHARED / "news-faithfulness" / "dev.jsonl",
}
MIN_WORDS = 6
NOISE = 0.48  # norm of the noise added to a real unit vector: cosine to it ~ 1/sqrt(1 + NOISE^2) = 0.90
NPROBES = (8, 16, 32, 64)
EF_SEARCH = (16, 32, 64, 128)


def _texts() -> dict[str, list[str]]:
    """The articles' texts per source (the news-faithfulness rows repeat their article: once each)."""
    out: dict[str, list[str]] = {}
    path = SOURCES["multihop-rag"]
    if path.exists():
        out["multihop-rag"] = [a["body"] for a in json.loads(path.read_text(encoding="utf-8"))]
    path = SOURCES["scifact"]
    if path.exists():
        with path.open(encoding="utf-8") as f:
            out["scifact"] = [json.loads(line)["text"] for line in f if line.strip()]
    path = SOURCES["news-faithfulness"]
    if path.exists():
        seen: dict[str, str] = {}
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    row = json.loads(line)
                    seen.setdefault(row["article_id"], row["article"])
        out["news-faithfulness"] = list(seen.values())
    return out


def real_sentences(n: int, seed: int = 0) -> tuple[list[str], dict[str, int]]:
    """A seeded sample of n sentences (all of them when fewer) and how many came from each source."""
    from .chunking import sentences

    pool: list[tuple[str, str]] = []
    for source, texts in _texts().items():
        for text in texts:
            for s, e in sentences(text):
                sentence = " ".join(text[s:e].split())
                if len(sentence.split()) >= MIN_WORDS:
                    pool.append((source, sentence))
    random.Random(seed).shuffle(pool)
    pool = pool[:n]
    counts: dict[str, int] = {}
    for source, _ in pool:
        counts[source] = counts.get(source, 0) + 1
    return [s for _, s in pool], counts


def real_questions(n: int) -> list[str]:
    """n real questions: MultiHop-RAG dev queries and SciFact claims, alternating."""
    mh, sf = [], []
    path = SHARED / "multihop-rag" / "queries_dev.json"
    if path.exists():
        mh = [q["query"] for q in json.loads(path.read_text(encoding="utf-8"))]
    path = SHARED / "scifact" / "queries.jsonl"
    if path.exists():
        with path.open(encoding="utf-8") as f:
            sf = [json.loads(line)["text"] for line in f if line.strip()]
    mixed = [q for pair in zip(mh, sf, strict=False) for q in pair]
    return mixed[:n]


def embed_cached(texts: list[str], settings: Settings, label: str) -> np.ndarray:
    """The embedder's vectors of texts, cached by the texts and the embedder's name."""
    import numpy as np

    from .models import get_embedder

    embedder = get_embedder(settings)
    key = hashlib.sha256(json.dumps([embedder.name, texts]).encode()).hexdigest()[:16]
    path = Path(settings.cache_dir) / "bench" / f"{label}-{key}.npy"
    if path.exists():
        return np.load(path)
    t = time.perf_counter()
    vectors = np.asarray(embedder.embed(texts, progress=True), dtype="float32")
    print(f"  embedded {len(texts):,} {label} in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, vectors)
    tmp.replace(path)
    return vectors


def _latency(index: Any, queries: np.ndarray) -> dict[str, float]:
    from .bench import lat, timed

    return lat([timed(partial(index.search, q.reshape(1, -1), 10), 1)[0] for q in queries])


def _recall(found: np.ndarray, truth: np.ndarray) -> float:
    return round(float(sum(len(set(a) & set(b)) for a, b in zip(found, truth, strict=True)) / truth.size), 4)


def measure(data: np.ndarray, queries: np.ndarray, settings: Settings, hnsw: bool) -> dict[str, Any]:
    """Exact search against IVF (and HNSW) on these vectors: p50/p95 and recall@10, one thread."""
    import faiss
    import numpy as np

    from . import store
    from .bench import load_avg

    n, dim = data.shape
    ids = np.arange(n, dtype="int64")
    row: dict[str, Any] = {"vectors": n, "load_before": load_avg()}
    faiss.omp_set_num_threads(settings.threads)
    flat = store.make_vector_index(dim, n, settings.replace(index_type="flat"))
    store.add_vectors(flat, data, ids)
    truth = flat.search(queries, 10)[1]
    faiss.omp_set_num_threads(1)
    row["flat"] = _latency(flat, queries)
    del flat
    faiss.omp_set_num_threads(settings.threads)
    t = time.perf_counter()
    ivf = store.make_vector_index(dim, n, settings.replace(index_type="ivf"))
    store.add_vectors(ivf, data, ids)
    row["ivf"] = {"lists": store.ivf_lists(n), "build_s": round(time.perf_counter() - t, 1)}
    faiss.omp_set_num_threads(1)
    for nprobe in NPROBES:
        store.set_search_params(ivf, settings.replace(ivf_nprobe=nprobe))
        row["ivf"][f"nprobe{nprobe}"] = {
            **_latency(ivf, queries),
            "recall@10": _recall(ivf.search(queries, 10)[1], truth),
        }
    del ivf
    if hnsw:
        faiss.omp_set_num_threads(settings.threads)
        t = time.perf_counter()
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.add(data)
        row["hnsw"] = {"M": 32, "build_s": round(time.perf_counter() - t, 1)}
        faiss.omp_set_num_threads(1)
        for ef in EF_SEARCH:
            index.hnsw.efSearch = ef
            row["hnsw"][f"ef{ef}"] = {
                **_latency(index, queries),
                "recall@10": _recall(index.search(queries, 10)[1], truth),
            }
        del index
    faiss.omp_set_num_threads(settings.threads)
    row["load_after"] = load_avg()
    return row


def around(real: np.ndarray, n: int, seed: int = 0, noise: float = NOISE) -> np.ndarray:
    """n unit vectors, each a real vector (drawn with replacement) plus Gaussian noise of norm ~noise."""
    import numpy as np

    rng = np.random.default_rng(seed)
    dim = real.shape[1]
    out = np.empty((n, dim), dtype="float32")
    for s in range(0, n, 100_000):
        m = min(100_000, n - s)
        x = real[rng.integers(0, len(real), m)] + noise * rng.standard_normal((m, dim), dtype=np.float32) / np.sqrt(dim)
        out[s : s + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def scale_real(
    settings: Settings, n_real: int = 60_000, n_questions: int = 200, extrapolate: int = 1_000_000
) -> dict[str, Any]:
    """The real-vector scale section of `rag bench`: figures at n_real real sentences, then at `extrapolate`."""
    import numpy as np

    texts, counts = real_sentences(n_real)
    questions = real_questions(n_questions)
    print(f"bench: scale on {len(texts):,} real sentences ({counts}), {len(questions)} questions", file=sys.stderr)
    data = embed_cached(texts, settings, "sentences")
    queries = embed_cached(questions, settings, "questions")
    out: dict[str, Any] = {
        "sources": counts,
        "questions": len(questions),
        "noise_norm": NOISE,
        "real": measure(data, queries, settings, hnsw=True),
    }
    if extrapolate:
        big = around(data, extrapolate)
        out["extrapolated"] = measure(big, np.asarray(queries), settings, hnsw=False)
    return out


def scale_lines(r: dict[str, Any], nprobe: int) -> list[str]:
    """The table lines of the section."""
    lines = []
    for key in ("real", "extrapolated"):
        if key not in r:
            continue
        row = r[key]
        ivf = row["ivf"][f"nprobe{nprobe}"]
        line = (
            f"scale {key:<12} {row['vectors']:>9,} vectors: flat p50 {row['flat']['p50_ms']} ms | ivf{row['ivf']['lists']} "
            f"nprobe {nprobe} p50 {ivf['p50_ms']} ms recall@10 {ivf['recall@10']}"
        )
        if "hnsw" in row:
            h = row["hnsw"]["ef64"]
            line += f" | hnsw32 ef64 p50 {h['p50_ms']} ms recall@10 {h['recall@10']}"
        lines.append(line)
    return lines
