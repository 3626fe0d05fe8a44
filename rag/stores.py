"""The store interface: where a collection's chunks, vectors and keyword statistics live.

Retrieval, answers, sync, eval and bench reach a collection only through `Store`. Two implementations:
    LocalStore  the index folder (rag/store.py: FAISS + bm25s files): the default, no server
    PgStore     PostgreSQL + pgvector, sharded (rag/pgstore.py): RAG_STORE=server, after `make store-up`
Both give the same passages: dense search by inner product over normalised vectors, BM25 (bm25s's
Lucene variant) for keywords, the same filters; `hybrid_search` fuses the two the same way for both.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from . import store
from .articles import Article
from .chunking import Chunk
from .config import Settings
from .errors import IndexMissingError

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)
Hits = list[tuple[int, float]]  # (chunk id, score), best first


class Store(Protocol):
    """What retrieval and answers need from a collection's store. Filters are those that
    rag.retrieve.check_filters returns (source/author/category substrings, date, after, before)."""

    kind: str  # "local" or "server"

    def generation(self) -> str:
        """Changes whenever the content changes (what caches key on)."""
        ...

    def manifest(self) -> store.Manifest:
        """Model, chunking, article -> content hash, chunk count."""
        ...

    def dense_search(self, qvec: np.ndarray, k: int, filters: dict[str, Any] | None = None) -> Hits:
        """The k chunks nearest the question's vector: (id, cosine)."""
        ...

    def keyword_search(self, question: str, k: int, filters: dict[str, Any] | None = None) -> Hits:
        """The k best chunks by BM25, score > 0."""
        ...

    def similarities(self, qvec: np.ndarray, ids: list[int]) -> dict[int, float]:
        """Cosine of the question's vector with each of these chunks."""
        ...

    def chunks(self, ids: list[int]) -> dict[int, Chunk]: ...

    def article(self, article_id: str) -> Article | None: ...

    def outlets(self) -> set[str]:
        """Every outlet (metadata 'source') of the collection."""
        ...

    def dates(self) -> tuple[str, str]:
        """First and last publication day, YYYY-MM-DD ("" when none)."""
        ...

    def coverage(self, question: str, text: str) -> float:
        """IDF-weighted share of the question's key words that the text holds (0..1)."""
        ...


class WritableStore(Store, Protocol):
    """A store written article by article (the server store). The local store is written whole, as a new
    version of the index folder, by rag.indexing.sync_index."""

    def article_hashes(self) -> dict[str, str]: ...

    def upsert_article(self, article: Article, chunks: list[Chunk], vectors: np.ndarray, avgdl: float) -> bool: ...

    def delete_article(self, article_id: str) -> bool: ...


def hybrid_search(
    st: Store, question: str, qvec: np.ndarray, n: int, filters: dict[str, Any] | None, settings: Settings
) -> tuple[dict[int, float], dict[int, float]]:
    """Dense and keyword search fused (rag.retrieve.fuse): (fused score, cosine) per candidate chunk."""
    from .retrieve import fuse

    dense = st.dense_search(qvec, n, filters)
    kw = st.keyword_search(question, n, filters)
    cosine = dict(dense)
    cosine.update(st.similarities(qvec, [cid for cid, _ in kw if cid not in cosine]))
    return fuse(dense, kw, cosine, settings), cosine


@functools.lru_cache(maxsize=256)
def _words(want: str) -> re.Pattern[str]:
    """The filter's words as whole words, any case: "Business World" is not "Music Business Worldwide"."""
    return re.compile(r"(?<!\w)" + re.escape(want.strip()) + r"(?!\w)", re.I)


def matches(meta: dict[str, str], filters: dict[str, Any]) -> bool:
    """Whether an article's metadata passes filters already checked by rag.retrieve.check_filters."""
    for key, want in filters.items():
        if key == "after":
            if not meta.get("date") or meta["date"] < want:
                return False
        elif key == "before":
            if not meta.get("date") or meta["date"] > want:
                return False
        elif key in ("source", "author", "category"):
            have = meta.get(key, "")
            if not any(_words(w).search(have) for w in ([want] if isinstance(want, str) else want)):
                return False
        elif key == "date" and meta.get("date", "") != want:
            return False
    return True


class LocalStore:
    """The index folder, loaded: FAISS for vectors, bm25s for keywords, chunks and articles in memory."""

    kind = "local"

    def __init__(self, index: store.Index) -> None:
        self.index = index

    def generation(self) -> str:
        return str(self.index.path)

    def manifest(self) -> store.Manifest:
        return self.index.manifest

    def _allowed(self, filters: dict[str, Any] | None) -> list[int] | None:
        if not filters:
            return None
        key = repr(sorted(filters.items()))
        found = self.index.allowed.get(key)
        if found is None:
            found = [cid for cid, c in self.index.chunks.items() if matches(c.metadata, filters)]
            if len(self.index.allowed) >= 256:  # dates and outlets asked about: a bounded few
                self.index.allowed.clear()
            self.index.allowed[key] = found
        return found

    def dense_search(self, qvec: np.ndarray, k: int, filters: dict[str, Any] | None = None) -> Hits:
        import numpy as np

        allowed = self._allowed(filters)
        if allowed is not None:  # exact search over the articles that pass
            if not allowed:
                return []
            sims = store.vectors_by_id(self.index, allowed) @ qvec
            return [(allowed[i], float(sims[i])) for i in np.argsort(-sims)[:k]]
        k = min(k, self.index.vectors.ntotal)
        if k == 0:
            return []
        import faiss

        # one query: threads cost more than they save (69 ms with 2 threads vs 21 ms with 1 at 100k, docs/speed.md)
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            scores, ids = self.index.vectors.search(qvec.reshape(1, -1), k)
        finally:
            faiss.omp_set_num_threads(threads)
        return [(int(i), float(s)) for i, s in zip(ids[0], scores[0], strict=True) if i >= 0]

    def keyword_search(self, question: str, k: int, filters: dict[str, Any] | None = None) -> Hits:
        allowed = self._allowed(filters)
        if allowed is None:
            return list(self.index.keyword.search(question, k))
        ok = set(allowed)
        return [(cid, s) for cid, s in self.index.keyword.search(question, len(self.index.chunks)) if cid in ok][:k]

    def similarities(self, qvec: np.ndarray, ids: list[int]) -> dict[int, float]:
        return {cid: float(v @ qvec) for cid, v in zip(ids, store.vectors_by_id(self.index, ids), strict=True)}

    def chunks(self, ids: list[int]) -> dict[int, Chunk]:
        return {cid: self.index.chunks[cid] for cid in ids if cid in self.index.chunks}

    def article(self, article_id: str) -> Article | None:
        return self.index.articles.get(article_id)

    def outlets(self) -> set[str]:
        return {a.metadata.get("source", "") for a in self.index.articles.values()} - {""}

    def dates(self) -> tuple[str, str]:
        import re

        days = sorted(
            d
            for a in self.index.articles.values()
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", d := a.metadata.get("date", ""))
        )
        return (days[0], days[-1]) if days else ("", "")

    def coverage(self, question: str, text: str) -> float:
        return float(self.index.keyword.coverage(question, text))


# --- the store of a collection, shared by every call in this process -----------------------------
_lock = threading.Lock()
_loaded: dict[Path, store.Index] = {}


def open_store(settings: Settings, *, build_if_missing: bool = True) -> Store:
    """The live store of settings' collection (settings.store: "local" or "server"), checked against the
    settings' embedding model and chunking. A missing index is built from settings.corpus_dir first."""
    from .models import chunk_budget, get_embedder

    want = (get_embedder(settings).name, chunk_budget(settings), settings.chunk_overlap)
    if settings.store == "server":
        from .pgstore import PgStore

        pg = PgStore.open(settings)
        try:
            manifest = pg.manifest(full=False)  # one query per question: model and chunking only
        except IndexMissingError:
            if not build_if_missing:
                raise
            from .indexing import sync_index

            log.warning("No index in the server store yet: building it from %s", settings.corpus_dir)
            sync_index(settings=settings)
            manifest = pg.manifest(full=False)
        store.check_compatible(manifest, *want)
        return pg
    idir = Path(settings.index_dir).resolve()
    with _lock:
        version = store.current_version(idir)
        cached = _loaded.get(idir)
    if cached is not None and version == cached.path:
        store.check_compatible(cached.manifest, *want)  # the same folder may be asked for with other settings
        return LocalStore(cached)
    if version is None:
        if not build_if_missing:
            raise IndexMissingError(f"No index at {idir}; run: rag index")
        from .indexing import sync_index

        log.warning("No index at %s yet: building it from %s", idir, settings.corpus_dir)
        sync_index(settings=settings)
    index = store.load(idir)
    store.set_search_params(index.vectors, settings)
    store.check_compatible(index.manifest, *want)
    with _lock:
        _loaded[idir] = index
    return LocalStore(index)
