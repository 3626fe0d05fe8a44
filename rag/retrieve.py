"""question -> Passages: dense and keyword (BM25) search in the store (rag/stores.py), fused; filters; duplicates collapsed;
neighbouring chunks of one article merged."""

from __future__ import annotations

import datetime
import functools
import logging
import re
import threading
from collections.abc import Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from .chunking import MONTHS, Chunk
from .config import Settings
from .errors import BadFilterError, EmptyQuestionError, RagError
from .stores import Store, hybrid_search, matches, open_store

log = logging.getLogger(__name__)
_lock = threading.Lock()


@dataclass(frozen=True)
class Passage:
    source: str  # the article's id: its file name (plus #n for a record of a collection file)
    title: str
    text: str  # exactly the cleaned article's text[start:end]
    start: int
    end: int
    score: float  # cosine similarity between the question and the passage, 0..1
    metadata: dict[str, str] = field(default_factory=dict)
    chunk_ids: tuple[int, ...] = ()


# --- filters --------------------------------------------------------------------------------------
FILTER_KEYS = ("source", "author", "category", "date", "after", "before")


def check_filters(filters: dict[str, Any] | None) -> dict[str, Any]:
    """The filters that are set, checked: known keys, real dates (YYYY-MM-DD), after not past before.
    source, author and category take a string or a list of strings (any of them). Raises BadFilterError."""
    out: dict[str, Any] = {}
    for key, value in (filters or {}).items():
        if key not in FILTER_KEYS:
            raise BadFilterError(f"Unknown filter {key!r}; use {', '.join(FILTER_KEYS)}")
        if isinstance(value, (list, tuple, set)) and key in ("source", "author", "category"):
            values = sorted({str(v).strip() for v in value if str(v).strip()})
            if values:
                out[key] = values
            continue
        text = "" if value is None else str(value).strip()
        if not text:
            continue
        if key in ("date", "after", "before"):
            try:
                if len(text) > 10 and text[10] not in "T ":
                    raise ValueError(text)
                text = datetime.date.fromisoformat(text[:10]).isoformat()
            except ValueError:
                raise BadFilterError(f"{key} {text!r} is not a date; write it as YYYY-MM-DD, e.g. 2023-10-01") from None
        out[key] = text
    if "after" in out and "before" in out and out["after"] > out["before"]:
        raise BadFilterError(f"after {out['after']} is later than before {out['before']}; swap them")
    return out


# --- what the question names ---------------------------------------------------------------------
_MONTH = {m.lower(): i for i, m in enumerate(MONTHS, 1)}
_MONTH.update({m[:3]: i for m, i in list(_MONTH.items())})
_M = r"(January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?"
_DATES = (
    re.compile(rf"\b{_M}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b"),  # October 1, 2023
    re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_M},?\s+(\d{{4}})\b"),  # 1 October 2023
    re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"),  # 2023-10-01
)


def _month(word: str) -> int:
    w = word.lower().rstrip(".")
    return _MONTH.get(w) or _MONTH[w[:3]]


def question_dates(question: str) -> set[str]:
    """ISO days the question names ("published on October 1, 2023")."""
    out = set()
    for n, pattern in enumerate(_DATES):
        for m in pattern.finditer(question):
            g = m.groups()
            if n == 0:
                month, day, year = _month(g[0]), int(g[1]), g[2]
            elif n == 1:
                month, day, year = _month(g[1]), int(g[0]), g[2]
            else:
                year, month, day = g[0], int(g[1]), int(g[2])
            if 1 <= month <= 12 and 1 <= day <= 31:
                out.add(f"{year}-{month:02d}-{day:02d}")
    return out


_aliases: dict[str, dict[str, str]] = {}


def outlet_aliases(st: Store) -> dict[str, str]:
    """Ways a question may name each outlet of the store: the full name and the part before " - " or
    " | " ("The Independent - Life and Style" -> "The Independent"); alias -> outlet. A name that several
    outlets share ("The Independent": its Travel, Sports and Life and Style sections) stands for all of
    them: it is its own outlet, which the `source` filter matches in each of theirs."""
    key = f"{st.kind}:{id(st) if st.kind == 'server' else ''}:{st.generation()}"
    cached = _aliases.get(key)
    if cached is None:
        named: dict[str, set[str]] = {}
        for outlet in st.outlets():
            for alias in {outlet, re.split(r" [-|] ", outlet)[0]}:
                if len(alias) >= 3:
                    named.setdefault(alias, set()).add(outlet)
        cached = {alias: outlets.pop() if len(outlets) == 1 else alias for alias, outlets in named.items()}
        _aliases[key] = cached
    return cached


def outlet_mentions(question: str, aliases: dict[str, str]) -> list[tuple[int, int, str]]:
    """Where the question names an outlet (as written, or in capitals: "CNBC" for "Cnbc"): (start, end,
    outlet), longest names first and none inside another ("The Independent - Travel" is not also "The
    Independent"), in the order of the question."""
    found: list[tuple[int, int, str]] = []
    for alias in sorted(aliases, key=len, reverse=True):
        for form in dict.fromkeys((alias, alias.upper())):
            for m in re.finditer(rf"(?<![\w]){re.escape(form)}(?![\w])", question):
                if all(m.end() <= a or m.start() >= b for a, b, _ in found):
                    found.append((m.start(), m.end(), aliases[alias]))
    return sorted(found)


def question_outlets(question: str, st: Store) -> set[str]:
    """Outlets of the index that the question names."""
    return {outlet for _, _, outlet in outlet_mentions(question, outlet_aliases(st))}


# --- search ---------------------------------------------------------------------------------------
def _shingles(text: str) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i : i + 3]) for i in range(max(1, len(words) - 2))}


def _near_duplicate(a: set[str], b: set[str]) -> bool:
    return bool(a) and bool(b) and len(a & b) / min(len(a), len(b)) > 0.8


def _normalised(scores: dict[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    lo, hi = min(scores.values()), max(scores.values())
    return {c: (s - lo) / (hi - lo) if hi > lo else 1.0 for c, s in scores.items()}


def fuse(
    dense: list[tuple[int, float]], keyword: list[tuple[int, float]], cosine: dict[int, float], settings: Settings
) -> dict[int, float]:
    """One score per candidate chunk from the two ranked lists, weighted (settings.fusion)."""
    fused: dict[int, float] = {}
    if settings.fusion == "rrf":
        for weight, ranked in ((settings.dense_weight, dense), (settings.keyword_weight, keyword)):
            for rank, (cid, _) in enumerate(ranked):
                fused[cid] = fused.get(cid, 0.0) + weight / (settings.rrf_k + rank + 1)
    elif settings.fusion == "score":
        # cosine is known for every candidate; a chunk the keyword search did not return scores 0 there
        kw = _normalised(dict(keyword))
        cands = {c for c, _ in dense} | set(kw)
        dn = _normalised({c: cosine[c] for c in cands})
        fused = {c: settings.dense_weight * dn[c] + settings.keyword_weight * kw.get(c, 0.0) for c in cands}
    else:
        raise RagError(f"Unknown fusion {settings.fusion!r}; use 'rrf' or 'score'")
    return fused


def _boost(fused: dict[int, float], st: Store, chunks: dict[int, Chunk], question: str, settings: Settings) -> None:
    """Favour chunks from the outlets and dates the question names (a boost, not a filter: a question
    may name two outlets, or name one in passing)."""
    if not fused or (settings.outlet_boost <= 0 and settings.date_boost <= 0):
        return
    outlets = question_outlets(question, st) if settings.outlet_boost > 0 else set()
    dates = question_dates(question) if settings.date_boost > 0 else set()
    if not outlets and not dates:
        return
    top = max(fused.values())
    for cid in fused:
        meta = chunks[cid].metadata
        if outlets and matches(meta, {"source": sorted(outlets)}):  # as the source filter matches them
            fused[cid] += settings.outlet_boost * top
        if meta.get("date") in dates:
            fused[cid] += settings.date_boost * top


def search(
    question: str, st: Store, settings: Settings, k: int, filters: dict[str, Any] | None = None
) -> list[Passage]:
    """The k best passages for the question from a store."""
    from .models import get_embedder

    question = question.strip()
    if not question:
        raise EmptyQuestionError()
    filters = check_filters(filters)
    qvec = _vector(cast(Hashable, get_embedder(settings)), question)  # an embedder is one object per process
    fused, cosine = hybrid_search(st, _keywords(question), qvec, max(settings.candidates, k * 4), filters, settings)
    chunks = st.chunks(list(fused))
    _boost(fused, st, chunks, question, settings)
    ranked_ids = sorted(fused, key=lambda c: -fused[c])
    if settings.reranker_model:
        ranked_ids = rerank(question, chunks, ranked_ids, settings)
    return _assemble(st, chunks, ranked_ids, cosine, k)


def _keywords(question: str) -> str:
    """The question as the keyword search reads it: a one-word country also by its people's adjective, and a
    people's adjective by its country ("How did China react ...?" finds "Chinese Foreign Ministry spokeswoman
    Hua Chunying said"; "American" adds "united states"), from the lexicon's aliases."""
    from .lexicon import fold

    of, country = _demonyms()
    words = set(re.findall(r"[\w.]+", fold(question)))
    extra = [country[w] for w in words if w in country] + [d for w in words for d in of.get(w, ())]
    return " ".join([question, *extra]) if extra else question


@functools.lru_cache(maxsize=1)
def _demonyms() -> tuple[dict[str, list[str]], dict[str, str]]:
    """("china" -> ["chinese"], "chinese" -> "china"): the aliases that are a people's adjective; the first
    map only for one-word countries (the question is read word by word)."""
    from .lexicon import ALIASES

    country = {k: v for k, v in ALIASES.items() if k.isalpha() and k.endswith(("an", "ese", "ish"))}
    of: dict[str, list[str]] = {}
    for k, v in country.items():
        if " " not in v:
            of.setdefault(v, []).append(k)
    return of, country


@functools.lru_cache(maxsize=256)
def _vector(embedder: Any, text: str) -> Any:
    """A text's vector, kept for the latest texts: one question is searched within each outlet it names and by
    each of its clauses (rag/join.py), so the same text comes again within one answer."""
    vector = embedder.embed([text])[0]
    vector.setflags(write=False)  # shared by every search of this text
    return vector


# --- optional cross-encoder -------------------------------------------------------------------------
_rerankers: dict[str, Any] = {}


def get_reranker(settings: Settings) -> Any:
    """The cross-encoder named by models.txt's `reranker` line, loaded once per process."""
    from .config import resolve_model
    from .errors import ModelError

    source = str(settings.reranker_model)
    with _lock:
        if source not in _rerankers:
            path = resolve_model(source, "reranker")
            try:
                from .parse import TORCH_IMPORT

                with TORCH_IMPORT:
                    from sentence_transformers import CrossEncoder

                _rerankers[source] = CrossEncoder(str(path), device="cpu", local_files_only=True)
            except Exception as e:  # a folder that is no cross-encoder: say which line to fix
                raise ModelError(
                    f"reranker model {source!r} could not be loaded as a cross-encoder ({type(e).__name__}); "
                    "fix or remove the 'reranker' line in models.txt"
                ) from None
        return _rerankers[source]


def rerank(question: str, chunks: dict[int, Chunk], ranked_ids: list[int], settings: Settings) -> list[int]:
    """Reorder the best fused chunks by the cross-encoder's score; the rest keep their order."""
    head = ranked_ids[: settings.rerank_candidates]
    if not head:
        return ranked_ids
    scores = get_reranker(settings).predict([(question, chunks[c].indexed_text()) for c in head])
    order = sorted(range(len(head)), key=lambda i: -float(scores[i]))
    return [head[i] for i in order] + ranked_ids[len(head) :]


MERGED_CHUNKS = 2  # a passage is at most this many neighbouring chunks


def _assemble(
    st: Store, chunks: dict[int, Chunk], ranked_ids: list[int], cosine: dict[int, float], k: int
) -> list[Passage]:
    """Best first: merge a chunk into an already chosen neighbour from its article, up to MERGED_CHUNKS
    chunks a passage; what a chunk adds beyond a full passage is a passage of its own (every chunk that
    ranks is read); skip near-duplicates."""
    chosen: list[dict[str, Any]] = []
    for cid in ranked_ids:
        if sum(not p["rest"] for p in chosen) >= k:
            break
        c = chunks[cid]
        start, end = c.start, c.end
        held = False
        for p in chosen:
            if p["article"] != c.article_id or c.start > p["end"] + 2 or c.end < p["start"] - 2:
                continue
            if p["start"] <= c.start and c.end <= p["end"]:
                held = True
                break
            if len(p["ids"]) < MERGED_CHUNKS and not p["rest"]:
                p["start"], p["end"] = min(p["start"], c.start), max(p["end"], c.end)
                p["ids"].append(cid)
                p["score"] = max(p["score"], cosine[cid])
                held = True
                break
            # the passage is full: the chunk's part it does not hold
            start, end = (max(start, p["end"]), end) if c.end > p["end"] else (start, min(end, p["start"]))
        if held or end - start < 2:
            continue
        sh = _shingles(c.text)
        if start == c.start and end == c.end and any(_near_duplicate(sh, p["shingles"]) for p in chosen):
            continue  # the same wire story from another outlet
        chosen.append(
            {
                "article": c.article_id,
                "start": start,
                "end": end,
                "ids": [cid],
                "score": cosine[cid],
                "shingles": sh,
                "chunk": c,
                "rest": (start, end) != (c.start, c.end),  # a neighbour's remainder: not one of the k
            }
        )
    out = []
    articles: dict[str, Any] = {}
    for p in chosen:
        c = p["chunk"]
        article = (
            articles[c.article_id]
            if c.article_id in articles
            else articles.setdefault(c.article_id, st.article(c.article_id))
        )
        text = article.text[p["start"] : p["end"]] if article else c.text[p["start"] - c.start : p["end"] - c.start]
        out.append(
            Passage(
                c.article_id,
                c.title,
                text,
                p["start"],
                p["end"],
                round(p["score"], 4),
                dict(c.metadata),
                tuple(p["ids"]),
            )
        )
    return out


def retrieve(
    question: str,
    k: int = 5,
    *,
    filters: dict[str, Any] | None = None,
    corpus_dir: Path | str | None = None,
    index_dir: Path | str | None = None,
    collection: str | None = None,
    settings: Settings | None = None,
) -> list[Passage]:
    """The passages of the collection that best match the question, best first.

    Args:
        question: what to search for.
        k: how many passages.
        filters: keep only articles matching all of: source, author, category (whole words, any case:
            "Business World" is not "Music Business Worldwide"), date (YYYY-MM-DD), after / before (dates,
            inclusive).
        corpus_dir, index_dir: other folders than the settings' (the index is built on first use).
        collection: a named collection instead (rag/collections.py).
    """
    settings = (settings or Settings.load()).pick(collection=collection, corpus_dir=corpus_dir, index_dir=index_dir)
    return search(question, open_store(settings), settings, k, filters)


@dataclass(frozen=True)
class IndexStatus:
    index_dir: str
    corpus_dir: str
    collection: str
    articles: int
    chunks: int
    built_at: str
    embedding_model: str
    index_type: str


def index_status(
    *,
    corpus_dir: Path | str | None = None,
    index_dir: Path | str | None = None,
    collection: str | None = None,
    settings: Settings | None = None,
) -> IndexStatus:
    """What the live index holds (raises IndexMissingError when there is none)."""
    settings = (settings or Settings.load()).pick(collection=collection, corpus_dir=corpus_dir, index_dir=index_dir)
    if settings.store == "server":
        from .pgstore import PgStore

        m = PgStore.open(settings).manifest()
        where = f"server store {PgStore.open(settings).schema}"
    else:
        from . import store

        m = store.read_manifest(Path(settings.index_dir))
        where = str(settings.index_dir)
    return IndexStatus(
        where,
        str(settings.corpus_dir),
        settings.collection,
        len(m.articles),
        m.chunks,
        m.built_at,
        m.embedding_model,
        m.index_type,
    )


@dataclass(frozen=True)
class Facets:
    """What the index's metadata offers as filters: the outlets, and the first and last day published."""

    outlets: list[str]
    first_date: str
    last_date: str


def index_facets(
    *,
    corpus_dir: Path | str | None = None,
    index_dir: Path | str | None = None,
    collection: str | None = None,
    settings: Settings | None = None,
) -> Facets:
    """The filter values of the live index (raises IndexMissingError when there is none)."""
    settings = (settings or Settings.load()).pick(collection=collection, corpus_dir=corpus_dir, index_dir=index_dir)
    st = open_store(settings, build_if_missing=False)
    return Facets(sorted(st.outlets(), key=str.lower), *st.dates())


def get_article(
    source: str,
    *,
    corpus_dir: Path | str | None = None,
    index_dir: Path | str | None = None,
    collection: str | None = None,
    settings: Settings | None = None,
) -> Any:
    """The whole cleaned article with this id (Passage.source / Citation.source), as indexed."""
    settings = (settings or Settings.load()).pick(collection=collection, corpus_dir=corpus_dir, index_dir=index_dir)
    article = open_store(settings, build_if_missing=False).article(source)
    if article is None:
        raise RagError(f"No article {source!r} in the index at {settings.index_dir}; run: rag index")
    return article
