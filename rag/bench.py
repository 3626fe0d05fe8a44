"""`rag bench`: speed figures on the bundled articles and on MultiHop-RAG, plus a synthetic scale run.

Every section records the load average next to its figures: on a shared 2-core machine a figure
taken under load is slower than the code. Indexes go to temporary folders (never the user's index/).
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import ROOT, Settings

if TYPE_CHECKING:
    import numpy as np

MULTIHOP = Path(os.environ.get("RAG_SHARED") or ROOT.parent / "shared") / "eval-data" / "multihop-rag"
QUESTIONS = ROOT / "tests" / "data" / "questions.jsonl"
CLAIMS = ROOT / "tests" / "data" / "claims.jsonl"
EXPLAIN = ROOT / "tests" / "data" / "explain.jsonl"


# --- small helpers --------------------------------------------------------------------------------
def load_avg() -> float:
    return round(os.getloadavg()[0], 2)


def peak_mb() -> float:
    """Peak resident memory of this process so far (ru_maxrss is in KiB on Linux)."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    """Milliseconds of each of `repeat` calls."""
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(1000 * (time.perf_counter() - t))
    return out


def lat(ms: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(ms, 50), 2), "p95_ms": round(percentile(ms, 95), 2), "n": len(ms)}


# --- one collection: build, retrieve, answer --------------------------------------------------------
def bench_collection(
    name: str,
    settings: Settings,
    questions: list[str],
    n_answers: int,
    scorer: Callable[[Settings], dict[str, float]] | None = None,
) -> dict[str, Any]:
    from .indexing import build_index
    from .qa import stream_answer
    from .retrieve import retrieve

    out: dict[str, Any] = {"collection": name, "load_before": load_avg()}
    t = time.perf_counter()
    summary = build_index(settings=settings)
    seconds = time.perf_counter() - t
    out["build"] = {
        "articles": summary.articles,
        "chunks": summary.chunks,
        "seconds": round(seconds, 1),
        "chunks_per_s": round(summary.chunks / seconds, 1),
    }
    retrieve(questions[0], k=10, settings=settings)  # loads the index and the embedder
    ms = [timed(partial(retrieve, q, k=10, settings=settings), 1)[0] for q in questions]
    out["retrieve"] = lat(ms)
    if scorer is not None:
        out["retrieval_quality"] = scorer(settings)
    first, total, generated, checks = [], [], [], []
    answered: list[float | None] = []
    declined = 0
    for q in questions[:n_answers]:
        t = time.perf_counter()
        ttft = None
        for piece in stream_answer(q, settings=settings):
            if ttft is None:
                ttft = time.perf_counter() - t  # the first text piece (or the Answer, when it declines)
            if not isinstance(piece, str):
                if "generate" in piece.timings:  # the LLM wrote it
                    generated.append((1000 * (ttft or 0.0), 1000 * (time.perf_counter() - t)))
                    checks.append(1000 * piece.timings.get("check", 0.0))
                declined += piece.abstained
                answered.append(None if piece.abstained else 1000 * (time.perf_counter() - t))
                break
        total.append(1000 * (time.perf_counter() - t))
        first.append(1000 * (ttft or 0.0))
    if total:
        out["answer"] = {
            "first_token_p50_ms": round(percentile(first, 50), 1),
            "total_p50_ms": round(percentile(total, 50), 1),
            "n": len(total),
            "by_the_llm": len(generated),
            "without_the_llm": len(total) - len(generated) - declined,  # explanatory and joined answers
            "declined": declined,
            # per question, in order (None: declined): the peer's answer times are compared on the same ones
            "answered_ms": [None if x is None else round(x, 1) for x in answered],
        }
        if generated:  # the questions that reached the LLM: what a comparison of answer times should use
            out["answer"]["llm_first_token_p50_ms"] = round(percentile([g[0] for g in generated], 50), 1)
            out["answer"]["llm_total_p50_ms"] = round(percentile([g[1] for g in generated], 50), 1)
            # what the claim checker adds after the model has written (it reads the passages meanwhile)
            out["answer"]["check_after_generation_p50_ms"] = round(percentile(checks, 50), 1)
    out["peak_rss_mb"] = peak_mb()
    out["load_after"] = load_avg()
    return out


def bench_checker(settings: Settings, questions: list[str], n: int) -> dict[str, Any]:
    """The claim checker's added time for one answer of 6 sentences, against the sentences of the 5
    passages retrieved for a question; caches emptied before each answer (a new question's passages)."""
    from . import parse
    from .cite import evidence_of
    from .claims import ClaimChecker
    from .models import get_embedder
    from .retrieve import retrieve

    statements = [
        json.loads(x)["statement"] for x in CLAIMS.read_text().splitlines() if x.strip() and '"paraphrase"' in x
    ]
    embed = get_embedder(settings).embed
    ClaimChecker(embed).check(statements[0], statements[1:3])  # load the parser once
    times = []
    for i, q in enumerate(questions[:n]):
        evidence = [e[3] for e in evidence_of(retrieve(q, k=5, settings=settings))]
        answer = statements[(6 * i) % len(statements) :][:6]
        parse._cache.clear()
        checker = ClaimChecker(embed)
        t0 = time.perf_counter()
        checker.check_all(answer, evidence)
        times.append(1000 * (time.perf_counter() - t0))
    return {"answers": len(times), "sentences_per_answer": 6, **lat(times)}


def bench_explain(settings: Settings, n: int) -> dict[str, Any]:
    """Explanatory answers (tests/data/explain.jsonl) on the bundled articles, warm: first text and whole
    answer times (an explanatory answer is written at once, so the two are close)."""
    from .qa import stream_answer

    questions = [json.loads(x)["question"] for x in EXPLAIN.read_text().splitlines() if x.strip()][:n]
    first, total = [], []
    for q in questions:
        t0 = time.perf_counter()
        seen = False
        for _ in stream_answer(q, settings=settings):
            if not seen:
                first.append(1000 * (time.perf_counter() - t0))
                seen = True
        total.append(1000 * (time.perf_counter() - t0))
    return {"answers": len(total), "first_text": lat(first), "total": lat(total)}


def multihop_scorer(limit: int | None) -> Callable[[Settings], dict[str, float]]:
    """Hits@4/10 and MRR@10 through retrieve() on MultiHop-RAG's queries (rag eval's scoring)."""

    def score(settings: Settings) -> dict[str, float]:
        from .evaluate import load_multihop, score_retrieval
        from .retrieve import retrieve

        bench = load_multihop(MULTIHOP)
        bench.queries = bench.queries[:limit] if limit else bench.queries
        return score_retrieval(bench, lambda q: retrieve(q.text, k=10, settings=settings), progress=False)

    return score


def write_multihop(folder: Path, limit: int | None) -> tuple[Path, list[str]]:
    """MultiHop-RAG's articles as .json files (the first `limit` of them), and its questions."""
    from .evaluate import _write_corpus, load_multihop

    bench = load_multihop(MULTIHOP)
    if limit:
        bench.articles = dict(list(bench.articles.items())[:limit])
    _write_corpus(bench, folder)
    return folder, [q.text for q in bench.queries]


# --- cold start ------------------------------------------------------------------------------------
def cold_start(settings: Settings, question: str, runs: int) -> dict[str, Any]:
    """Wall time of `rag ask` in a fresh process (the file cache is warm after the first run), and
    the import time of `rag.cli` alone."""
    env = {**os.environ, "RAG_CORPUS": str(settings.corpus_dir), "RAG_INDEX": str(settings.index_dir)}
    cmd = [sys.executable, "-m", "rag.cli", "ask", question]
    walls = []
    for _ in range(runs):
        t = time.perf_counter()
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        walls.append(time.perf_counter() - t)
        if done.returncode:
            return {"error": done.stderr.strip()[-300:]}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import rag.cli"], check=True)
    imp = time.perf_counter() - t
    heavy = subprocess.run(
        [
            sys.executable,
            "-c",
            "import rag.cli, rag.qa, sys; "
            "print(','.join(m for m in ('torch','sentence_transformers','gradio','faiss','llama_cpp') "
            "if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "rag_ask_wall_s": round(min(walls), 2),
        "rag_ask_first_s": round(walls[0], 2),
        "import_rag_cli_s": round(imp, 2),
        "heavy_modules_at_import": heavy or "none",
        "peak_rss_children_mb": round(child, 1),
        "load": load_avg(),
    }


# --- embedding backends side by side ----------------------------------------------------------------
def compare_backends(settings: Settings, n_chunks: int, n_queries: int) -> dict[str, Any]:
    """Throughput and agreement of the fast (onnx-int8) and plain (torch) backends on MultiHop-RAG:
    chunks of the articles that answer the first queries, cosine between the two backends' vectors,
    top-10 overlap and dense Hits@10 of the queries over that pool."""
    import numpy as np

    from .articles import load_corpus
    from .chunking import chunk_articles
    from .embed import backend_for
    from .evaluate import _squash, load_multihop
    from .models import chunk_budget, get_embedder

    bench = load_multihop(MULTIHOP)
    queries = bench.queries[:n_queries]
    with tempfile.TemporaryDirectory() as tmp:
        folder, _ = write_multihop(Path(tmp), None)
        articles = load_corpus(folder).articles
    fast = get_embedder(settings)
    plain = get_embedder(settings.replace(embedding_backend="torch"))
    budget = chunk_budget(settings)
    chunks = chunk_articles(articles, fast.count_tokens, budget, settings.chunk_overlap, 0)
    # the pool: chunks holding a gold fact of a query first, then others at random, n_chunks in all
    squashed = [_squash(c.text) for c in chunks]
    facts = [[_squash(f) for f in q.facts] for q in queries]
    gold = [i for i, t in enumerate(squashed) if any(f in t for fs in facts for f in fs)][:n_chunks]
    taken = set(gold)
    rest = [i for i in np.random.default_rng(0).permutation(len(chunks)) if i not in taken]
    pool_ids = gold + rest[: max(0, n_chunks - len(gold))]
    pool = [chunks[i] for i in pool_ids]
    pool_text = [squashed[i] for i in pool_ids]
    texts = [c.indexed_text() for c in pool]
    out: dict[str, Any] = {
        "pool_chunks": len(pool),
        "queries": len(queries),
        "fast_backend": fast.name,
        "resolved_backend": backend_for(settings),
        "load_before": load_avg(),
    }
    vecs = {}
    for label, emb in (("fast", fast), ("plain", plain)):
        emb.embed(texts[:8])  # load and warm up
        t = time.perf_counter()
        vecs[label] = emb.embed(texts)
        secs = time.perf_counter() - t
        qtexts = [q.text for q in queries]
        qvec = emb.embed(qtexts)
        one = timed(partial(emb.embed, qtexts[:1]), 20)
        top = np.argsort(-(qvec @ vecs[label].T), axis=1)[:, :10]
        hits = [any(f in pool_text[j] for j in row for f in fs) for fs, row in zip(facts, top, strict=True)]
        out[label] = {
            "chunks_per_s": round(len(texts) / secs, 1),
            "query_embed": lat(one),
            "dense_hits@10": round(float(np.mean(hits)), 4),
        }
        vecs[label + "_top"] = top
    # the other backends on this CPU, throughput only, on a slice: the record `auto` is chosen by
    others: dict[str, Any] = {}
    part = texts[:300]
    base = time.perf_counter()
    plain.embed(part)
    plain_s = time.perf_counter() - base
    for backend in ("openvino", "onnx-int8", "llamacpp"):
        if backend == out["resolved_backend"]:
            continue
        try:
            emb = get_embedder(settings.replace(embedding_backend=backend))
            emb.embed(part[:8])
            t = time.perf_counter()
            emb.embed(part)
            others[backend] = round(plain_s / (time.perf_counter() - t), 2)
        except Exception as e:  # a backend this machine cannot run is a figure too
            others[backend] = f"not run: {e}"[:200]
    out["others_vs_torch"] = others
    cos = (vecs["fast"] * vecs["plain"]).sum(1)
    overlap = [len(set(a) & set(b)) / 10 for a, b in zip(vecs["fast_top"], vecs["plain_top"], strict=True)]
    out["speedup"] = round(out["fast"]["chunks_per_s"] / out["plain"]["chunks_per_s"], 2)
    out["cosine_fast_vs_plain"] = {"mean": round(float(cos.mean()), 4), "min": round(float(cos.min()), 4)}
    out["top10_overlap_mean"] = round(float(np.mean(overlap)), 4)
    out["hits@10_delta"] = round(out["fast"]["dense_hits@10"] - out["plain"]["dense_hits@10"], 4)
    out["load_after"] = load_avg()
    return out


# --- synthetic scale run -----------------------------------------------------------------------------
def synthetic(centers: np.ndarray, n: int, rng: Any, noise: float = 1.0) -> np.ndarray:
    """n random unit vectors scattered around `centers` (real embeddings), so neighbours exist the way
    they do among real chunks (uniform random vectors in 384-d are all ~orthogonal: no neighbours)."""
    import numpy as np

    d = centers.shape[1]
    out = np.empty((n, d), dtype=np.float32)
    for s in range(0, n, 100_000):
        m = min(100_000, n - s)
        x = centers[rng.integers(0, len(centers), m)] + noise * rng.standard_normal((m, d), dtype=np.float32) / np.sqrt(
            d
        )
        out[s : s + m] = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def scale_run(centers: np.ndarray, queries: np.ndarray, sizes: list[int], settings: Settings) -> list[dict[str, Any]]:
    """Search latency, recall@10 against exact and memory, exact (flat) vs approximate (IVF), per size."""
    import faiss
    import numpy as np

    from . import store

    faiss.omp_set_num_threads(settings.threads)
    rng = np.random.default_rng(0)
    rows = []
    for n in sizes:
        data = synthetic(centers, n, rng)
        ids = np.arange(n, dtype="int64")
        row: dict[str, Any] = {"chunks": n, "load_before": load_avg()}
        before = rss_mb()
        flat = store.make_vector_index(data.shape[1], n, settings.replace(index_type="flat"))
        store.add_vectors(flat, data, ids)
        row["flat_mem_mb"] = round(rss_mb() - before, 1)
        row["flat_index_mb"] = round(n * (data.shape[1] * 4 + 8) / 2**20, 1)  # vectors + ids
        truth = flat.search(queries, 10)[1]
        faiss.omp_set_num_threads(1)  # one question at a time: threads only add waiting (see docs/speed.md)
        ms = [timed(partial(flat.search, q.reshape(1, -1), 10), 1)[0] for q in queries]
        row["flat"] = lat(ms)
        del flat
        faiss.omp_set_num_threads(settings.threads)
        before = rss_mb()
        t = time.perf_counter()
        ivf = store.make_vector_index(data.shape[1], n, settings.replace(index_type="ivf"))
        store.add_vectors(ivf, data, ids)
        row["ivf_build_s"] = round(time.perf_counter() - t, 1)
        row["ivf_mem_mb"] = round(rss_mb() - before, 1)
        row["ivf_lists"] = store.ivf_lists(n)
        faiss.omp_set_num_threads(1)
        for nprobe in sorted({8, 16, settings.ivf_nprobe, 64}):
            store.set_search_params(ivf, settings.replace(ivf_nprobe=nprobe))
            found = ivf.search(queries, 10)[1]
            recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, truth, strict=True)])
            ms = [timed(partial(ivf.search, q.reshape(1, -1), 10), 1)[0] for q in queries]
            row[f"ivf_nprobe{nprobe}"] = {**lat(ms), "recall@10": round(float(recall), 4)}
        del ivf, data
        faiss.omp_set_num_threads(settings.threads)
        row["load_after"] = load_avg()
        rows.append(row)
        print(
            f"  scale {n:>9,}: flat p50 {row['flat']['p50_ms']} ms, ivf nprobe{settings.ivf_nprobe} "
            f"{row[f'ivf_nprobe{settings.ivf_nprobe}']}",
            file=sys.stderr,
        )
    return rows


# --- the peer -------------------------------------------------------------------------------------
def run_peer(corpus_dir: Path, n_queries: int, n_answers: int, python: str | None) -> dict[str, Any]:
    """bench/peer_llamaindex.py in a subprocess (its packages are the optional extra `peer`)."""
    script = ROOT / "bench" / "peer_llamaindex.py"
    py = python or os.environ.get("RAG_PEER_PYTHON") or sys.executable
    check = subprocess.run([py, "-c", "import llama_index.core, llama_index.vector_stores.faiss"], capture_output=True)
    if check.returncode:
        return {"skipped": "llama-index is not installed; run: pip install -e '.[peer]' (see docs/speed.md)"}
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        done = subprocess.run(
            [
                py,
                str(script),
                "--corpus",
                str(corpus_dir),
                "--queries",
                str(n_queries),
                "--answers",
                str(n_answers),
                "--json",
                f.name,
            ],
            capture_output=True,
            text=True,
        )
        if done.returncode:
            return {"error": done.stderr.strip()[-600:]}
        return dict(json.loads(Path(f.name).read_text()))


def run_users(settings: Settings, users: str, requests: int) -> dict[str, Any]:
    """bench/throughput.py in a subprocess: `rag api` (one replica) on settings' collection, answers/minute and
    p50/p95 at each number of users at once (every worker warmed with every question first)."""
    script = ROOT / "bench" / "throughput.py"
    env = {**os.environ, "RAG_INDEX": str(settings.index_dir), "RAG_CORPUS": str(settings.corpus_dir)}
    with tempfile.NamedTemporaryFile(suffix=".json") as f:
        cmd = [
            sys.executable,
            str(script),
            "--users",
            users,
            "--requests",
            str(requests),
            "--warm-all",
            "--json",
            f.name,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if done.returncode:
            return {"error": done.stderr.strip()[-600:]}
        out = dict(json.loads(Path(f.name).read_text()))
    for row in out["levels"]:
        row["answers_per_minute"] = round(60 * row["requests_per_s"], 1)
    return out


# --- the command -------------------------------------------------------------------------------------
def _table(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [f"rag bench ({results['mode']}) on {m['cpu']}, {m['cores']} cores, {' '.join(m.get('flags', []))}"]
    lines.append("where it ran: " + "; ".join(f"{k} {v}" for k, v in results["settings"].get("where", {}).items()))
    for c in results["collections"]:
        b, r = c["build"], c["retrieve"]
        a = c.get("answer", {})
        lines.append(
            f"{c['collection']:<14} build {b['chunks']} chunks {b['chunks_per_s']:>6} chunks/s | retrieve p50 "
            f"{r['p50_ms']} ms p95 {r['p95_ms']} ms | answer first {a.get('first_token_p50_ms')} ms total "
            f"{a.get('total_p50_ms')} ms | peak {c['peak_rss_mb']} MB | load {c['load_before']}"
        )
        if a.get("check_after_generation_p50_ms") is not None:
            lines.append(f"{'':<14} claim check after generation p50 {a['check_after_generation_p50_ms']} ms")
        if a:
            lines.append(
                f"{'':<14} of {a['n']} answers: {a.get('by_the_llm')} by the LLM (first {a.get('llm_first_token_p50_ms')} "
                f"ms, total {a.get('llm_total_p50_ms')} ms), {a.get('without_the_llm')} without it, {a.get('declined')} declined"
            )
        if "retrieval_quality" in c:
            lines.append(
                f"{'':<14} Hits@10 {c['retrieval_quality']['hits@10']:.4f} over {c['retrieval_quality']['queries']} queries"
            )
    e = results.get("embedding", {})
    if e:
        lines.append(
            f"embedding      {e['fast_backend']} {e['fast']['chunks_per_s']} chunks/s vs torch "
            f"{e['plain']['chunks_per_s']} ({e['speedup']}x); query {e['fast']['query_embed']['p50_ms']} ms; "
            f"cosine {e['cosine_fast_vs_plain']['mean']}; top-10 overlap {e['top10_overlap_mean']}; "
            f"dense Hits@10 {e['fast']['dense_hits@10']} vs {e['plain']['dense_hits@10']}"
        )
        lines.append(f"{'':<14} chosen: {results['settings'].get('embedding_backend_why')}")
        if e.get("others_vs_torch"):
            lines.append(f"{'':<14} others vs torch (300 chunks): {e['others_vs_torch']}")
    ch = results.get("checker", {})
    if ch:
        lines.append(
            f"claim checker  {ch['sentences_per_answer']} sentences against 5 passages: p50 {ch['p50_ms']} ms "
            f"p95 {ch['p95_ms']} ms ({ch['answers']} answers, cold caches)"
        )
    ex = results.get("explain", {})
    if ex:
        lines.append(
            f"explanatory    {ex['answers']} answers, warm: first text p50 {ex['first_text']['p50_ms']} ms, whole "
            f"answer p50 {ex['total']['p50_ms']} ms p95 {ex['total']['p95_ms']} ms"
        )
    cs = results.get("cold_start", {})
    lines.append(
        f"cold start     rag ask {cs.get('rag_ask_wall_s')} s; import rag.cli {cs.get('import_rag_cli_s')} s; "
        f"heavy modules at import: {cs.get('heavy_modules_at_import')}"
    )
    for row in results.get("scale", []):
        key = f"ivf_nprobe{results['settings']['ivf_nprobe']}"
        lines.append(
            f"scale {row['chunks']:>9,}  flat p50 {row['flat']['p50_ms']} ms ({row['flat_mem_mb']} MB) | ivf p50 "
            f"{row[key]['p50_ms']} ms recall@10 {row[key]['recall@10']} ({row['ivf_mem_mb']} MB, build "
            f"{row['ivf_build_s']} s)"
        )
    if "scale_real" in results:
        from .bench_scale import scale_lines

        lines.extend(scale_lines(results["scale_real"], results["settings"]["ivf_nprobe"]))
    for row in results.get("users", {}).get("levels", []):
        lines.append(
            f"users {row['users']:>3}      {row['answers_per_minute']} answers/min, p50 {row['p50_ms']} ms p95 "
            f"{row['p95_ms']} ms, {row['errors']} errors (rag api, 1 replica, bundled articles)"
        )
    if "error" in results.get("users", {}):
        lines.append(f"users: {results['users']['error']}")
    p = results.get("peer", {})
    if "ratios" in p:
        lines.append("peer (LlamaIndex / rag): " + ", ".join(f"{k} {v}" for k, v in p["ratios"].items()))
    elif p:
        lines.append(f"peer: {p.get('skipped') or p.get('error')}")
    return "\n".join(lines)


def cpu_model() -> str:
    """The CPU's model name (/proc/cpuinfo), for the figures' records."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


SIMD_FLAGS = (
    "sse4_2",
    "avx",
    "avx2",
    "fma",
    "f16c",
    "avx_vnni",
    "avx512f",
    "avx512bw",
    "avx512_vnni",
    "avx512_bf16",
    "amx_tile",
    "amx_int8",
    "amx_bf16",
)


def cpu_flags() -> list[str]:
    """The vector-instruction flags of this CPU (/proc/cpuinfo): what the fast paths are chosen by."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("flags"):
                have = set(line.split(":", 1)[1].split())
                return [f for f in SIMD_FLAGS if f in have]
    except OSError:
        pass
    return []


def run_bench(
    json_out: Path | str | None = None,
    quick: bool = False,
    settings: Settings | None = None,
    peer: bool = True,
    peer_python: str | None = None,
) -> dict[str, Any]:
    """Measure and print; write the figures as JSON when json_out is given.

    Args:
        json_out: where to write the JSON (e.g. bench/results/<machine>.json).
        quick: small sizes only (a minute or two instead of ~half an hour).
        peer: also run LlamaIndex's pipeline side by side (when its packages are installed).
    """
    import numpy as np

    settings = settings or Settings.load()
    from .device import describe
    from .embed import backend_for, backend_reason

    results: dict[str, Any] = {
        "mode": "quick" if quick else "full",
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {
            "cpu": cpu_model(),
            "flags": cpu_flags(),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "load_at_start": list(os.getloadavg()),
        },
        "settings": {
            "embedding_backend": backend_for(settings),
            "embedding_backend_why": backend_reason(settings),
            "where": describe(settings),
            "threads": settings.threads,
            "exact_max_chunks": settings.exact_max_chunks,
            "ivf_nprobe": settings.ivf_nprobe,
        },
        "collections": [],
    }
    questions = [json.loads(x)["question"] for x in QUESTIONS.read_text().splitlines() if x.strip()]
    n_answers = 3 if quick else 10
    with tempfile.TemporaryDirectory(prefix="rag-bench-") as tmp:
        home = Path(tmp)
        bundled = settings.replace(index_dir=home / "bundled-index")
        print("bench: bundled articles", file=sys.stderr)
        results["collections"].append(bench_collection("bundled", bundled, questions[: 10 if quick else 39], n_answers))
        results["cold_start"] = cold_start(bundled, questions[0], 1 if quick else 3)
        results["checker"] = bench_checker(bundled, questions, 5 if quick else 20)
        results["explain"] = bench_explain(bundled, 5 if quick else 20)
        centers = None
        if (MULTIHOP / "corpus.json").exists():
            print("bench: multihop-rag", file=sys.stderr)
            limit = 20 if quick else None
            folder, mh_questions = write_multihop(home / "multihop", limit)
            mh = settings.replace(corpus_dir=folder, index_dir=home / "multihop-index")
            scorer = multihop_scorer(20 if quick else None)
            results["collections"].append(
                # questions across articles are answered in code (rag/join.py), no LLM: 50 of them is cheap
                bench_collection(
                    "multihop-rag", mh, mh_questions[: 10 if quick else 50], n_answers if quick else 50, scorer
                )
            )
            from . import store

            index = store.load(mh.index_dir)
            ids = list(index.chunks)[:5000]
            centers = store.vectors_by_id(index, ids)
            from .models import get_embedder

            qvecs = get_embedder(mh).embed(mh_questions[: 20 if quick else 100])
            print("bench: embedding backends", file=sys.stderr)
            results["embedding"] = compare_backends(settings, 150 if quick else 1500, 10 if quick else 100)
            if peer:
                print("bench: peer (LlamaIndex)", file=sys.stderr)
                results["peer"] = run_peer(
                    folder, 20 if quick else 0, n_answers, peer_python
                )  # the queries ours are scored on
                ours = results["collections"][-1]
                if "build" in results["peer"]:
                    theirs = results["peer"]
                    results["peer"]["ratios"] = {
                        "build_time": round(theirs["build"]["seconds"] / ours["build"]["seconds"], 2),
                        "query_p50": round(theirs["retrieve"]["p50_ms"] / ours["retrieve"]["p50_ms"], 2),
                        "hits@10_ours": ours["retrieval_quality"]["hits@10"],
                        "hits@10_peer": theirs["retrieval_quality"]["hits@10"],
                    }
                    # answer times on the same first questions, against ours that were answered (a decline
                    # costs a few ms and would make any ratio meaningless); ours may be answered without the LLM
                    mine = [
                        x
                        for x in ours.get("answer", {}).get("answered_ms", [])[: theirs.get("answer", {}).get("n", 0)]
                        if x
                    ]
                    if "answer" in theirs and mine:
                        results["peer"]["ratios"]["answer_total_p50"] = round(
                            theirs["answer"]["total_p50_ms"] / max(percentile(mine, 50), 1e-9), 2
                        )
                        results["peer"]["ratios"]["answers_compared"] = len(mine)
        if centers is None:
            from . import store
            from .models import get_embedder

            index = store.load(bundled.index_dir)
            centers = store.vectors_by_id(index, list(index.chunks))
            qvecs = get_embedder(bundled).embed(questions)
        if not quick:
            print("bench: users at once (rag api)", file=sys.stderr)
            results["users"] = run_users(bundled, "1,5,20", 40)
            from .bench_scale import scale_real

            results["scale_real"] = scale_real(settings)
        print("bench: synthetic scale run", file=sys.stderr)
        sizes = [10_000, 50_000] if quick else [10_000, 100_000, 300_000, 1_000_000]
        results["scale"] = scale_run(np.asarray(centers, "float32"), np.asarray(qvecs, "float32"), sizes, settings)
    results["peak_rss_mb"] = peak_mb()
    results["load_at_end"] = list(os.getloadavg())
    print(_table(results))
    if json_out:
        Path(json_out).parent.mkdir(parents=True, exist_ok=True)
        Path(json_out).write_text(json.dumps(results, indent=1) + "\n")
    return results
