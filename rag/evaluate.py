"""`rag eval`: retrieval (and answer) figures on a benchmark, through the same retrieve() and answer()
that users call.

Three layouts, told apart by their files:
    BEIR          corpus.jsonl, queries.jsonl, qrels/test.tsv          -> nDCG@10 over documents
    MultiHop-RAG  corpus.json, queries*.json                           -> Hits@4, Hits@10, MRR@10 over passages
    question set  a .jsonl of {id, question, answers, source, evidence} -> the same, plus answer figures
A benchmark's articles are written as files into .eval/<name>/corpus/ and indexed into .eval/<name>/index/
with the normal sync_index, so a second run re-embeds nothing (never the user's index).
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import ROOT, Settings
from .errors import RagError

EVAL_DIR = ROOT / ".eval"
SHARED = Path(os.environ.get("RAG_SHARED") or ROOT.parent / "shared")
K = 10  # the depth every metric is taken at


@dataclass
class Query:
    id: str
    text: str
    facts: list[str] = field(default_factory=list)  # relevant passage holds one of these (whitespace ignored)
    docs: dict[str, int] = field(default_factory=dict)  # relevant article id -> grade (BEIR)
    answers: list[str] = field(default_factory=list)  # accepted answer substrings; empty = unanswerable
    kind: str = ""  # explanatory sets: the kind of question
    points: list[list[str]] = field(default_factory=list)  # explanatory sets: key points, each a list of regexes
    min_points: int = 0
    source: str = ""  # the article that answers it (question sets)
    sources: list[str] = field(default_factory=list)  # the articles holding the evidence (multihop)


@dataclass
class Benchmark:
    name: str
    layout: str  # "beir", "multihop" or "questions"
    queries: list[Query]
    articles: dict[str, dict[str, Any]] = field(default_factory=dict)  # file name -> JSON record to write
    corpus_dir: Path | None = None  # an existing folder to index instead (question sets)


# --- loaders ------------------------------------------------------------------------------------
def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _safe(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name).strip("_") or "x"


def load_multihop(path: Path, with_null: bool = False) -> Benchmark:
    """corpus.json (a list of articles) and one queries*.json; null queries are left out, as the paper does,
    unless `with_null` (answer evaluation: a null query must be declined)."""
    files = sorted(path.glob("queries*.json"))
    if len(files) != 1:
        raise RagError(f"Expected one queries*.json in {path}, found {len(files)}; keep one split in the folder")
    corpus = json.loads((path / "corpus.json").read_text(encoding="utf-8"))
    articles = {
        f"{i:04d}.json": {k: a.get(k) for k in ("title", "body", "source", "published_at", "author", "url", "category")}
        for i, a in enumerate(corpus)
    }
    by_url = {a["url"]: name for name, a in articles.items() if a.get("url")}
    queries = []
    for i, q in enumerate(json.loads(files[0].read_text(encoding="utf-8"))):
        evidence = q.get("evidence_list") or []
        facts = [e["fact"] for e in evidence if e.get("fact")]
        kind = str(q.get("question_type", "")).removesuffix("_query")
        if q.get("question_type") == "null_query" or not facts:
            if with_null:
                queries.append(Query(str(i), q["query"], kind=kind or "null"))
            continue
        sources = [by_url[e["url"]] for e in evidence if e.get("url") and e["url"] in by_url]
        queries.append(
            Query(str(i), q["query"], facts=facts, answers=[str(q.get("answer", ""))], sources=sources, kind=kind)
        )
    return Benchmark(path.name, "multihop", queries, articles)


def load_beir(path: Path, split: str = "test") -> Benchmark:
    """The BEIR layout; each document is written as <doc id>.json so passages map back to it."""
    articles: dict[str, dict[str, Any]] = {}
    with (path / "corpus.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                articles[f"{_safe(str(d['_id']))}.json"] = {"title": d.get("title") or "", "body": d.get("text") or ""}
    texts: dict[str, str] = {}
    with (path / "queries.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                d = json.loads(line)
                texts[str(d["_id"])] = d["text"]
    qrels: dict[str, dict[str, int]] = {}
    for n, line in enumerate((path / "qrels" / f"{split}.tsv").read_text(encoding="utf-8").splitlines()):
        parts = line.strip().split("\t")
        if len(parts) < 3 or (n == 0 and not parts[2].strip().lstrip("-").isdigit()):
            continue  # the header, or a blank line
        if int(parts[2]) > 0:
            qrels.setdefault(parts[0], {})[f"{_safe(parts[1])}.json"] = int(parts[2])
    queries = [Query(qid, texts[qid], docs=docs) for qid, docs in qrels.items() if qid in texts]
    return Benchmark(path.name, "beir", queries, articles)


def load_questions(path: Path, corpus_dir: Path) -> Benchmark:
    """Our jsonl question set (docs/retrieval.md): id, question, answers, source, evidence; over corpus_dir."""
    queries = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            queries.append(
                Query(
                    str(d.get("id", n)),
                    d["question"],
                    facts=[d["evidence"]] if d.get("evidence") else [],
                    answers=list(d.get("answers") or []),
                    source=d.get("source") or "",
                )
            )
        except (ValueError, KeyError, TypeError) as e:
            raise RagError(f"{path}:{n}: not a question record ({e}); see docs/retrieval.md for the format") from None
    return Benchmark(path.stem, "questions", queries, corpus_dir=corpus_dir)


def _first_row(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as f:
        line = next((x for x in f if x.strip()), "{}")
    try:
        row = json.loads(line)
    except ValueError:
        return {}
    return row if isinstance(row, dict) else {}


def load_explain(path: Path, corpus_dir: Path) -> Benchmark:
    """Explanatory questions: {id, question, kind, points: [[regex, ...], ...], min_points, sources}. Sources
    that are URLs name MultiHop-RAG articles: those articles are indexed (from $RAG_SHARED or ../shared)."""
    queries = []
    urls = False
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            sources = list(d.get("sources") or [])
            urls = urls or any(s.startswith("http") for s in sources)
            queries.append(
                Query(
                    str(d.get("id", n)),
                    d["question"],
                    sources=sources,
                    kind=d["kind"],
                    points=d["points"],
                    min_points=int(d.get("min_points", 1)),
                    answers=["*"],
                )
            )
        except (ValueError, KeyError, TypeError) as e:
            raise RagError(
                f"{path}:{n}: not an explanatory question ({e}); see docs/answers.md for the format"
            ) from None
    if not urls:
        return Benchmark(path.stem, "explain", queries, corpus_dir=corpus_dir)
    mh = SHARED / "eval-data" / "multihop-rag"
    if not (mh / "corpus.json").exists():
        raise RagError(f"{path} asks about MultiHop-RAG articles, but {mh} is missing; set RAG_SHARED")
    multihop = load_multihop(mh)
    by_url = {a["url"]: name for name, a in multihop.articles.items() if a.get("url")}
    for q in queries:
        q.sources = [by_url.get(u, u) for u in q.sources]
    return Benchmark("multihop-rag", "explain", queries, multihop.articles)


def load_benchmark(path: Path, corpus_dir: Path | None = None, with_null: bool = False) -> Benchmark:
    """Tell the layout apart by its files (`with_null`: keep MultiHop-RAG's null queries)."""
    from .faithfulness import claim_file, is_claim_file

    path = Path(path)
    if path.is_file() and path.suffix == ".jsonl":
        if _first_row(path).get("points") is not None:
            return load_explain(path, corpus_dir or ROOT / "corpus")
        if is_claim_file(path):
            return Benchmark(path.stem, "claims", [], corpus_dir=corpus_dir or ROOT / "corpus")
        return load_questions(path, corpus_dir or ROOT / "corpus")
    if path.is_dir() and claim_file(path) is not None:
        return Benchmark(path.name, "claims", [])
    if path.is_dir():
        if (
            (path / "corpus.jsonl").exists()
            and (path / "queries.jsonl").exists()
            and (path / "qrels" / "test.tsv").exists()
        ):
            return load_beir(path)
        if (path / "corpus.json").exists() and any(path.glob("queries*.json")):
            return load_multihop(path, with_null)
    raise RagError(
        f"{path} is no benchmark I know; give a BEIR folder (corpus.jsonl, queries.jsonl, qrels/test.tsv), "
        "a MultiHop-RAG folder (corpus.json, queries*.json), a .jsonl question set, or claim rows "
        "(a folder with one .jsonl of {claim, article, label} rows, or a .jsonl of {statement, label, kind} rows)"
    )


# --- ingest ---------------------------------------------------------------------------------------
def _write_corpus(bench: Benchmark, folder: Path) -> None:
    """One .json per article; files whose content is unchanged are left alone, stale ones removed."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, record in bench.articles.items():
        target = folder / name
        data = json.dumps(record, ensure_ascii=False)
        if not target.exists() or target.read_text(encoding="utf-8") != data:
            target.write_text(data, encoding="utf-8")
    for old in folder.glob("*.json"):
        if old.name not in bench.articles:
            old.unlink()


def prepare(bench: Benchmark, settings: Settings, eval_dir: Path = EVAL_DIR) -> Settings:
    """Write the benchmark's articles and sync its own index; returns settings pointing at them."""
    from .indexing import ProgressBar, sync_index

    home = Path(eval_dir) / _safe(bench.name)
    corpus = bench.corpus_dir or home / "corpus"
    if bench.corpus_dir is None:
        _write_corpus(bench, corpus)
    s = settings.replace(corpus_dir=corpus, index_dir=home / "index")
    bar = ProgressBar()
    try:
        summary = sync_index(settings=s, progress=bar)
    finally:
        bar.close()
    print(summary.line(), file=sys.stderr)
    return s


# --- metrics ------------------------------------------------------------------------------------
def first_relevant(flags: list[bool]) -> int | None:
    """1-based rank of the first relevant item, None when none is."""
    return next((i + 1 for i, f in enumerate(flags) if f), None)


def ndcg(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    dcg = sum(grades.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def passage_flags(q: Query, passages: Iterable[Any]) -> list[bool]:
    """A passage is relevant when, whitespace removed, it holds one of the query's facts (and, for a
    question set, comes from the question's article)."""
    facts = [_squash(f) for f in q.facts]
    out = []
    for p in passages:
        text = _squash(p.text)
        out.append(any(f in text for f in facts) and (not q.source or p.source == q.source))
    return out


def doc_ranking(passages: Iterable[Any]) -> list[str]:
    """Article ids in the order of their first passage."""
    seen: list[str] = []
    for p in passages:
        if p.source not in seen:
            seen.append(p.source)
    return seen


def score_retrieval(bench: Benchmark, search: Callable[[Query], list[Any]], progress: bool = True) -> dict[str, float]:
    """Hits@4, Hits@10, MRR@10 (passages, by facts) and nDCG@10 (documents, by qrels) over the queries."""
    from tqdm import tqdm

    hits4 = hits10 = rr = nd = 0.0
    n = 0
    for q in tqdm(bench.queries, desc="queries", unit="q", file=sys.stderr, leave=False, disable=not progress):
        if (bench.layout == "questions" and not q.answers) or (bench.layout == "multihop" and not q.facts):
            continue  # unanswerable: nothing to find
        passages = search(q)
        n += 1
        if bench.layout == "beir":
            ranked = doc_ranking(passages)[:K]
            flags = [d in q.docs for d in ranked]
            nd += ndcg(ranked, q.docs)
        else:
            flags = passage_flags(q, passages[:K])
        r = first_relevant(flags)
        hits4 += r is not None and r <= 4
        hits10 += r is not None and r <= K
        rr += 1.0 / r if r else 0.0
    out = {"queries": n, "hits@4": hits4 / max(n, 1), "hits@10": hits10 / max(n, 1), "mrr@10": rr / max(n, 1)}
    if bench.layout == "beir":
        out["ndcg@10"] = nd / max(n, 1)
    return out


def _says(word: str, text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(word) + r"(?!\w)", text.lower()) is not None


def answer_matches(gold: str, text: str) -> bool:
    """The accepted answer appears in the text as whole words, any case ("no" does not match "not"), as
    MultiHop-RAG scores it; stricter in one way: a text that says both "yes" and "no" matches neither."""
    gold = gold.strip().rstrip(".").lower()
    if gold in ("yes", "no") and _says("yes" if gold == "no" else "no", text):
        return False
    return bool(gold) and _says(gold, text)


# MultiHop-RAG's published answer accuracy with retrieved chunks (Tang & Yang 2024, as the issue quotes it)
PUBLISHED_ANSWERS = {
    "GPT-4": 0.56,
    "Claude-2.1": 0.52,
    "PaLM": 0.47,
    "ChatGPT": 0.44,
    "Mixtral-8x7B": 0.32,
    "Llama-2-70B": 0.28,
}


def score_answers(bench: Benchmark, settings: Settings) -> dict[str, float]:
    """Answer accuracy, citation precision and abstention, through answer()."""
    from tqdm import tqdm

    from .faithfulness import part
    from .qa import answer

    correct = answered_ok = declined = abstained = cited = cited_ok = 0
    answerable = [q for q in bench.queries if q.answers]
    unanswerable = [q for q in bench.queries if not q.answers]
    by_kind: dict[str, list[int]] = {}  # kind -> [right, answerable]
    by_half: dict[str, list[int]] = {"tune": [0, 0], "report": [0, 0]}
    latency: list[float] = []
    rows: list[dict[str, Any]] = []
    for q in tqdm(bench.queries, desc="answers", unit="q", file=sys.stderr, leave=False):
        t0 = time.perf_counter()
        a = answer(q.text, settings=settings)
        latency.append(time.perf_counter() - t0)
        right = bool(q.answers) and not a.abstained and any(answer_matches(x, a.text) for x in q.answers)
        rows.append(
            {
                "id": q.id,
                "kind": q.kind,
                "question": q.text,
                "gold": q.answers,
                "answer": a.text,
                "right": right,
                "declined": a.abstained,
                "notes": a.notes,
                "cited": [
                    (
                        c.source,
                        c.metadata.get("source", ""),
                        c.metadata.get("date", ""),
                        c.text[c.support_start - c.start : c.support_end - c.start],
                    )
                    for c in a.citations
                ],
            }
        )
        if not q.answers:
            abstained += a.abstained
            continue
        k = by_kind.setdefault(q.kind or "all", [0, 0])
        k[1] += 1
        by_half[part(q.id)][1] += 1
        if a.abstained:
            declined += 1
            continue
        answered_ok += 1
        correct += right
        k[0] += right
        by_half[part(q.id)][0] += right
        cited += len(a.citations)
        cited_ok += sum(c.source == q.source or c.source in q.sources for c in a.citations)
    latency.sort()
    out: dict[str, Any] = {
        "answer_accuracy": correct / max(len(answerable), 1),  # right answer, over all answerable questions
        "citation_precision": cited_ok / max(cited, 1),  # citations of the question's article, over all citations
        "abstention_rate": abstained / max(len(unanswerable), 1),  # declined, over unanswerable questions
        "answered_declined_rate": declined / max(len(answerable), 1),  # declined, over answerable questions
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
    }
    if len(by_kind) > 1:
        for kind, (right_, n) in sorted(by_kind.items()):
            out[f"accuracy_{kind}"] = right_ / max(n, 1)
        for half, (right_, n) in by_half.items():
            out[f"accuracy_{half}_half"] = right_ / max(n, 1)
    if latency:
        out["answer_p50_s"] = round(latency[len(latency) // 2], 2)
        out["answer_p95_s"] = round(latency[min(len(latency) - 1, int(0.95 * len(latency)))], 2)
    out["_rows"] = rows
    return out


# --- the command ----------------------------------------------------------------------------------
def _table(name: str, figures: dict[str, Any]) -> str:
    plain = ("retrieve_ms", "load_average")  # shown as measured; the rest are shares, to 4 places
    rows = [(k, f"{v:.4f}" if isinstance(v, float) and k not in plain else str(v)) for k, v in figures.items()]
    width = max(len(k) for k, _ in rows)
    return "\n".join([name, "-" * (width + 10)] + [f"{k:<{width}}  {v:>8}" for k, v in rows])


def run_eval(
    path: Path | str,
    *,
    json_out: Path | str | None = None,
    limit: int | None = None,
    answers: bool | None = None,
    settings: Settings | None = None,
    eval_dir: Path | str = EVAL_DIR,
    quiet: bool = False,
) -> dict[str, Any]:
    """Index a benchmark into its own folder, run its queries through retrieve() (and answer()), print
    a table and return (and optionally write) the figures as flat JSON.

    Args:
        path: a BEIR folder, a MultiHop-RAG folder or a .jsonl question set.
        json_out: also write the figures here.
        limit: only the first N queries.
        answers: also generate answers (default: only for question sets).
        eval_dir: where benchmarks' articles and indexes are kept (default .eval/).
    """
    from .retrieve import retrieve

    settings = settings or Settings.load()
    # when answers are scored, MultiHop-RAG's null queries count: they must be declined
    bench = load_benchmark(Path(path), Path(settings.corpus_dir), with_null=bool(answers))
    if bench.layout == "claims":
        return run_claims(Path(path), bench, settings, json_out=json_out, limit=limit, quiet=quiet)
    if bench.layout == "explain":
        bench.queries = bench.queries[:limit]
        s = prepare(bench, settings, Path(eval_dir))
        found = {"benchmark": Path(path).stem, "layout": "explain", **score_explain(bench, s)}
        if not quiet:
            print(_explain_table(found))
        if json_out:
            Path(json_out).write_text(json.dumps(found, indent=1) + "\n")
        return found
    if limit is not None:
        bench.queries = bench.queries[:limit]
    if not bench.queries:
        raise RagError(f"No queries to evaluate in {path}")
    if answers and bench.layout == "beir":
        raise RagError("--answers needs gold answers: a .jsonl question set or MultiHop-RAG; see docs/retrieval.md")
    s = prepare(bench, settings, Path(eval_dir))
    t0 = time.perf_counter()
    depth = 2 * K if bench.layout == "beir" else K  # documents: enough passages for 10 distinct ones

    def search(q: Query) -> list[Any]:
        return retrieve(q.text, k=depth, settings=s)

    figures: dict[str, Any] = {"benchmark": bench.name, "layout": bench.layout}
    figures.update(score_retrieval(bench, search, progress=not quiet))
    figures["retrieve_ms"] = round(1000 * (time.perf_counter() - t0) / max(figures["queries"], 1), 1)
    rows = None
    if answers or (answers is None and bench.layout == "questions"):
        found = score_answers(bench, s)
        rows = found.pop("_rows")
        figures.update(found)
    figures["load_average"] = round(os.getloadavg()[0], 2)
    if not quiet:
        print(_table(f"{bench.name} ({bench.layout}, {figures['queries']} queries)", figures))
        if bench.layout == "multihop" and "answer_accuracy" in figures:
            print(
                "published (MultiHop-RAG paper, accuracy with retrieved chunks): "
                + ", ".join(f"{k} {v:.2f}" for k, v in PUBLISHED_ANSWERS.items())
            )
    if json_out:
        Path(json_out).write_text(json.dumps({**figures, "answers": rows} if rows else figures, indent=1) + "\n")
    return figures


def run_claims(
    path: Path,
    bench: Benchmark,
    settings: Settings,
    *,
    json_out: Path | str | None = None,
    limit: int | None = None,
    quiet: bool = False,
) -> dict[str, Any]:
    """The claim checker on labelled claims: balanced accuracy and ROC AUC per dataset (or corruption kind),
    on all rows and on the tune / report halves, beside the published figures."""
    from . import faithfulness as F
    from .models import get_checker

    file = path if path.is_file() else F.claim_file(path)
    assert file is not None
    rows = F.load_claims(file, bench.corpus_dir)[:limit]
    t0 = time.perf_counter()
    results = F.run(rows, get_checker(settings), progress=not quiet)
    per = F.figures(results)
    out: dict[str, Any] = {
        "benchmark": bench.name,
        "layout": "claims",
        # the figures on all rows, in the form other tools read; halves and shares right beside them
        "datasets": {g: {k: f[k] for k in ("balanced_accuracy", "auc", "n")} for g, f in per.items()},
        "halves": {g: {h: f[h] for h in ("tune", "report") if h in f} for g, f in per.items()},
        "right": {g: f["right"] for g, f in per.items() if "right" in f},
        "ms_per_claim": round(1000 * (time.perf_counter() - t0) / max(len(rows), 1), 1),
    }
    if not quiet:
        print(F.table(bench.name, per))
        print(f"{out['ms_per_claim']} ms a claim")
    if json_out:
        Path(json_out).write_text(json.dumps(out, indent=1) + "\n")
    return out


def points_covered(q: Query, text: str) -> int:
    """How many of the question's key points the text makes (any of a point's regexes, any case)."""
    return sum(any(re.search(rx, text, re.I) for rx in point) for point in q.points)


def score_explain(bench: Benchmark, settings: Settings) -> dict[str, Any]:
    """Per kind: answers covering their required points, key-point coverage, citation precision (the cited
    sentence supports the statement, by the claim checker), statements rejected after the fact, median
    length in words, answer time p50."""
    from tqdm import tqdm

    from . import cite
    from .faithfulness import part
    from .models import get_checker
    from .qa import answer

    checker = get_checker(settings)
    rows: dict[str, list[dict[str, Any]]] = {}
    answers_out = []
    for q in tqdm(bench.queries, desc="answers", unit="q", file=sys.stderr, leave=False):
        t0 = time.perf_counter()
        a = answer(q.text, settings=settings)
        took = time.perf_counter() - t0
        cited = supported = 0
        for text, marks in cite.statements(a.text):
            for n in marks:
                c = next((c for c in a.citations if c.n == n), None)
                if c is None:
                    continue
                sentence = c.text[c.support_start - c.start : c.support_end - c.start]
                cited += 1
                said = cite.claims_of(text.lstrip("- "), q.text)
                supported += all(v.supported for v in checker.check_all(said, [sentence]))
        got = points_covered(q, a.text)
        row = {
            "covered": got >= q.min_points and not a.abstained,
            "coverage": got / max(len(q.points), 1),
            "cited": cited,
            "supported": supported,
            "rejected": len(a.unsupported),
            "words": len(re.sub(r"\[\d+\]", "", a.text).split()),
            "seconds": took,
            "declined": a.abstained,
        }
        rows.setdefault(q.kind, []).append(row)
        row["part"] = part(q.id)
        answers_out.append(
            {"id": q.id, "kind": q.kind, "answered_as": a.kind, "question": q.text, "answer": a.text, **row}
        )
    out: dict[str, Any] = {"kinds": {}}
    everything = [r for rs in rows.values() for r in rs]
    groups = [*sorted(rows.items()), ("all", everything)]
    groups += [(f"all ({h} half)", [r for r in everything if r["part"] == h]) for h in ("tune", "report")]
    for kind, rs in groups:
        if rs:
            out["kinds"][kind] = _explain_figures(rs)
    out["answers"] = answers_out
    return out


def _explain_figures(rs: list[dict[str, Any]]) -> dict[str, Any]:
    from statistics import median

    return {
        "n": len(rs),
        "answers_covering_required_points": round(sum(r["covered"] for r in rs) / len(rs), 4),
        "key_point_coverage": round(sum(r["coverage"] for r in rs) / len(rs), 4),
        "citation_precision": round(sum(r["supported"] for r in rs) / max(sum(r["cited"] for r in rs), 1), 4),
        "statements_rejected": sum(r["rejected"] for r in rs),
        "declined": sum(r["declined"] for r in rs),
        "median_words": median(r["words"] for r in rs),
        "answer_p50_s": round(median(r["seconds"] for r in rs), 3),
    }


def _explain_table(figures: dict[str, Any]) -> str:
    head = f"{'kind':<17} {'n':>3} {'covered':>8} {'points':>7} {'cit.prec':>8} {'rejected':>8} {'declined':>8} {'words':>6} {'p50 s':>6}"
    lines = [f"{figures['benchmark']}: explanatory answers", head, "-" * len(head)]
    for kind, f in figures["kinds"].items():
        lines.append(
            f"{kind:<17} {f['n']:>3} {f['answers_covering_required_points']:>8.3f} {f['key_point_coverage']:>7.3f} "
            f"{f['citation_precision']:>8.3f} {f['statements_rejected']:>8} {f['declined']:>8} {f['median_words']:>6} "
            f"{f['answer_p50_s']:>6}"
        )
    return "\n".join(lines)
