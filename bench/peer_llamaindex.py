"""LlamaIndex's standard pipeline on the same articles, models and questions as `rag bench` (the peer).

VectorStoreIndex over a FAISS store, the same embedding folder through HuggingFaceEmbedding, the same
GGUF through LlamaCPP; LlamaIndex's default chunking (SentenceSplitter). Offline: models come from
the installed packages, nothing from a hub. Run by rag.bench.run_peer; its packages are the extra `peer`.

    python bench/peer_llamaindex.py --corpus DIR --queries 0 --answers 10 --json out.json
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # rag, from this checkout
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[max(1, min(len(s), math.ceil(q / 100 * len(s)))) - 1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", required=True, type=Path)
    ap.add_argument("--queries", type=int, default=0, help="first N queries (0: all)")
    ap.add_argument("--answers", type=int, default=10)
    ap.add_argument("--json", required=True, type=Path)
    args = ap.parse_args()

    import faiss
    from llama_index.core import Document, StorageContext, VectorStoreIndex
    from llama_index.core import Settings as LI
    from llama_index.embeddings.huggingface import HuggingFaceEmbedding
    from llama_index.llms.llama_cpp import LlamaCPP
    from llama_index.vector_stores.faiss import FaissVectorStore

    from rag.bench import MULTIHOP
    from rag.config import Settings, resolve_model
    from rag.evaluate import load_multihop

    settings = Settings.load()
    emb_path = resolve_model(settings.embedding_model, "embedding")
    gguf = resolve_model(settings.llm_model, "llm")
    bench = load_multihop(MULTIHOP)
    names = {p.name for p in args.corpus.glob("*.json")}
    docs = []
    for name in sorted(names):
        rec = json.loads((args.corpus / name).read_text(encoding="utf-8"))
        docs.append(Document(text=f"{rec.get('title') or ''}\n\n{rec.get('body') or ''}", doc_id=name,
                             metadata={"title": rec.get("title") or "", "source": rec.get("source") or ""}))
    out: dict = {"peer": "llama-index", "documents": len(docs), "load_before": round(os.getloadavg()[0], 2)}

    t = time.perf_counter()
    LI.embed_model = HuggingFaceEmbedding(model_name=str(emb_path), device="cpu", embed_batch_size=32)
    LI.llm = LlamaCPP(model_path=str(gguf), temperature=0.0, max_new_tokens=settings.max_answer_tokens,
                      context_window=settings.n_ctx, model_kwargs={"n_threads": settings.threads}, verbose=False)
    out["load_models_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    store = FaissVectorStore(faiss_index=faiss.IndexFlatIP(384))
    index = VectorStoreIndex.from_documents(docs, storage_context=StorageContext.from_defaults(vector_store=store))
    secs = time.perf_counter() - t
    nodes = len(index.docstore.docs)
    print(f"peer: built {nodes} chunks in {secs:.1f}s", file=sys.stderr, flush=True)
    out["build"] = {"chunks": nodes, "seconds": round(secs, 1), "chunks_per_s": round(nodes / secs, 1)}

    retriever = index.as_retriever(similarity_top_k=10)
    queries = bench.queries[: args.queries] if args.queries else bench.queries
    retriever.retrieve(queries[0].text)
    ms, hits = [], 0
    for q in queries:
        t = time.perf_counter()
        found = retriever.retrieve(q.text)
        ms.append(1000 * (time.perf_counter() - t))
        facts = [squash(f) for f in q.facts]
        hits += any(f in squash(n.node.get_content()) for n in found[:10] for f in facts)
    out["retrieve"] = {"p50_ms": round(pct(ms, 50), 2), "p95_ms": round(pct(ms, 95), 2), "n": len(ms)}
    out["retrieval_quality"] = {"queries": len(queries), "hits@10": round(hits / max(len(queries), 1), 4)}

    print(f"peer: retrieval {out['retrieve']} {out['retrieval_quality']}", file=sys.stderr, flush=True)
    engine = index.as_query_engine(streaming=True, similarity_top_k=5)
    first, total = [], []
    for q in queries[: args.answers]:
        t = time.perf_counter()
        ttft = None
        for _piece in engine.query(q.text).response_gen:
            if ttft is None:
                ttft = time.perf_counter() - t
        total.append(1000 * (time.perf_counter() - t))
        first.append(1000 * (ttft or 0.0))
    if total:
        out["answer"] = {"first_token_p50_ms": round(pct(first, 50), 1), "total_p50_ms": round(pct(total, 50), 1),
                         "n": len(total)}
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    out["load_after"] = round(os.getloadavg()[0], 2)
    args.json.write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out), file=sys.stderr)


if __name__ == "__main__":
    main()
