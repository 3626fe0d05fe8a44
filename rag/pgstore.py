"""The server store: PostgreSQL + pgvector, articles hash-sharded across one or more servers.

Chosen and measured in docs/scale.md. Each collection (or index folder) is a schema in every shard:
    meta        key -> value: embedding model, dim, chunking, BM25's avgdl, shard count, generation
    articles    one row per article: content hash (what sync compares), title, text, metadata, chunk count
    chunks      one row per chunk: text and offsets, metadata, its vector (HNSW index), its BM25 terms as a
                sparse vector (rag.keyword.doc_weights), and the term ids and key words it holds
    term_stats  BM25 document frequency per term id; word_stats: the same per key word (answer coverage)
An article lives on shard hash(article id) mod N. Searches fan out to every shard in parallel and merge
in the client; document frequencies are summed over the shards, so BM25 scores are the global ones.

Writes are per article and idempotent: one transaction replaces the article's chunks, adjusts the term
counts and records its content hash, under a lock on that article. A job killed midway leaves every
article either fully written or untouched, and a re-run writes only what is missing.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from . import keyword
from .articles import Article
from .chunking import Chunk
from .config import DEFAULT_COLLECTION, ROOT, Settings
from .errors import IndexLockedError, IndexMissingError, RagError
from .storeserver import urls

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)
T = TypeVar("T")
HNSW_EF_SEARCH = 200  # candidates the HNSW graph walk keeps: >= the 50 chunks retrieval asks for, with room


class StoreError(RagError):
    """The server store cannot be reached, or holds something else than the settings expect."""


def namespace(settings: Settings) -> str:
    """The schema of the collection on every shard: c_NAME for a collection in its usual folder (index/ for
    the default one, collections/NAME/index for the others), the same on every machine; d_ + a hash of the
    index folder for any other folder (--index, RAG_INDEX, a benchmark's, a test's), so two indexes never
    share rows."""
    idir = Path(settings.index_dir).expanduser().resolve()
    if settings.collection == DEFAULT_COLLECTION:
        home = ROOT / "index"
    else:
        home = settings.collection_home(settings.collection) / "index"
    if idir == home.expanduser().resolve():
        name = settings.collection
        plain = re.sub(r"[^a-z0-9_]", "_", name.lower())[:40]
        # "News" and "news", "a.b" and "a_b" are different collections: a name that changed keeps a hash
        return "c_" + plain + ("" if plain == name else "_" + hashlib.sha256(name.encode()).hexdigest()[:8])
    return "d_" + hashlib.sha256(str(idir).encode()).hexdigest()[:16]


def shard_of(article_id: str, shards: int) -> int:
    return int.from_bytes(hashlib.sha256(article_id.encode("utf-8", "surrogatepass")).digest()[:8]) % shards


def chunk_key(chunk: Chunk) -> int:
    """A chunk's id in the server store: a hash of its article, place and indexed text (63 bits), so the
    same chunk written twice is the same row."""
    key = f"{chunk.article_id}\x00{chunk.start}\x00{chunk.end}\x00{chunk.indexed_text()}"
    return int.from_bytes(hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()[:8]) >> 1


def _whole_words(want: str) -> str:
    """A PostgreSQL regular expression for the filter's words as whole words (rag.stores.matches' meaning):
    every character that is not a letter or digit escaped, so it stands for itself."""
    return r"(^|[^[:alnum:]_])" + re.sub(r"([^0-9A-Za-z])", r"\\\1", want.strip()) + r"([^[:alnum:]_]|$)"


def where(filters: dict[str, Any] | None) -> tuple[str, list[Any]]:
    """SQL for rag.retrieve.check_filters' filters (the same meaning as rag.stores.matches)."""
    parts, params = [], []
    for key, want in (filters or {}).items():
        if key in ("source", "author", "category"):
            parts.append(f"(metadata->>'{key}') ~* any(%s)")
            params.append([_whole_words(w) for w in ([want] if isinstance(want, str) else want)])
        elif key == "date":
            parts.append("(metadata->>'date') = %s")
            params.append(want)
        elif key in ("after", "before"):
            parts.append(
                f"coalesce(metadata->>'date', '') <> '' and (metadata->>'date') {'>=' if key == 'after' else '<='} %s"
            )
            params.append(want)
    return (" where " + " and ".join(parts)) if parts else "", params


_stores: dict[tuple[tuple[str, ...], str], PgStore] = {}
_stores_lock = threading.Lock()


class PgStore:
    """The server store of one collection. Open it with PgStore.open(settings)."""

    kind = "server"

    def __init__(self, shard_urls: list[str], schema: str) -> None:
        try:
            import psycopg
            from psycopg_pool import ConnectionPool
        except ImportError:
            raise StoreError(
                "The server store needs psycopg; run: make install (or pip install 'rag-news[server]')"
            ) from None
        logging.getLogger("psycopg.pool").setLevel(logging.ERROR)  # a refused connection is reported below, once
        for i, url in enumerate(shard_urls):
            try:
                psycopg.connect(url, connect_timeout=5).close()
            except psycopg.OperationalError as e:
                why = (str(e).strip().splitlines() or [type(e).__name__])[-1].strip()
                raise StoreError(
                    f"The server store's shard {i} ({_safe(url)}) does not answer ({why[:160]}); "
                    "start it with: make store-up, or fix RAG_STORE_URL"
                ) from None
        self.urls = shard_urls
        self.schema = schema
        self.pools = [
            ConnectionPool(
                url,
                min_size=1,
                max_size=8,
                kwargs={"autocommit": True, "prepare_threshold": None},
                configure=self._configure,
                open=True,
                name=f"shard-{i}",
            )
            for i, url in enumerate(shard_urls)
        ]
        self._threads = ThreadPoolExecutor(max_workers=len(shard_urls)) if len(shard_urls) > 1 else None
        self._cache: dict[str, Any] = {}
        self._cache_generation = ""

    @classmethod
    def open(cls, settings: Settings) -> PgStore:
        """The store of settings' collection, one per process (its connection pools are shared)."""
        key = (tuple(urls(settings)), namespace(settings))
        with _stores_lock:
            if key not in _stores:
                _stores[key] = cls(list(key[0]), key[1])
            return _stores[key]

    @staticmethod
    def _configure(conn: Any) -> None:
        from pgvector.psycopg import register_vector

        try:
            register_vector(conn)
        except Exception:
            raise StoreError(
                "The server store's database has no pgvector extension; run: make store-up (it creates it)"
            ) from None
        conn.execute(f"set hnsw.ef_search = {HNSW_EF_SEARCH}")
        conn.execute("set hnsw.iterative_scan = relaxed_order")  # filtered searches still return k rows

    # --- plumbing -----------------------------------------------------------------------------------
    def _t(self, table: str) -> str:
        return f'"{self.schema}".{table}'

    def _each(self, fn: Callable[[Any], T]) -> list[T]:
        """fn(connection) on every shard, in parallel; results in shard order."""

        def run(pool: Any) -> T:
            with pool.connection() as conn:
                return fn(conn)

        if self._threads is None:
            return [run(self.pools[0])]
        return list(self._threads.map(run, self.pools))

    def _rows(self, query: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """The rows of one query from every shard, concatenated; a missing schema reads as no rows."""
        import psycopg

        def fetch(conn: Any) -> list[tuple[Any, ...]]:
            try:
                return list(conn.execute(query, params).fetchall())
            except psycopg.errors.UndefinedTable:
                return []

        return [row for rows in self._each(fetch) for row in rows]

    # --- manifest -----------------------------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        """What the store was built with ({} when nothing was built yet)."""
        import psycopg

        with self.pools[0].connection() as conn:
            try:
                return {k: v for k, v in conn.execute(f"select k, v from {self._t('meta')}").fetchall()}
            except psycopg.errors.UndefinedTable:
                return {}

    def generation(self) -> str:
        """Changes whenever a sync changed the store (readers' caches key on it): one row of shard 0."""
        import psycopg

        with self.pools[0].connection() as conn:
            try:
                row = conn.execute(f"select v from {self._t('meta')} where k = 'generation'").fetchone()
            except psycopg.errors.UndefinedTable:
                return ""
        return str(row[0]) if row else ""

    def article_hashes(self) -> dict[str, str]:
        return dict(self._rows(f"select article_id, hash from {self._t('articles')}"))

    def count_chunks(self) -> int:
        return sum(int(r[0]) for r in self._rows(f"select count(*) from {self._t('chunks')}"))

    def manifest(self, *, full: bool = True) -> Any:
        """The store's manifest; full=False leaves out the article hashes and the chunk count (what a
        compatibility check on every question needs is only the model and chunking)."""
        from .store import Manifest

        m = self.meta()
        if not m:
            raise IndexMissingError(
                f"The server store has no index for this collection ({self.schema}); run: rag index"
            )
        return Manifest(
            embedding_model=m["embedding_model"],
            dim=int(m["dim"]),
            chunk_tokens=int(m["chunk_tokens"]),
            chunk_overlap=int(m["chunk_overlap"]),
            built_at=str(m.get("built_at", "")),
            articles=self.article_hashes() if full else {},
            files={},
            chunks=self.count_chunks() if full else 0,
            index_type="hnsw",
        )

    # --- writing ------------------------------------------------------------------------------------
    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """One sync at a time per collection: a second is refused at once. The lock is a session lock in
        shard 0, so a killed job's lock goes with its connection."""
        with self.pools[0].connection() as conn:
            key = int.from_bytes(hashlib.sha256(self.schema.encode()).digest()[:8], signed=True)
            if not conn.execute("select pg_try_advisory_lock(%s)", (key,)).fetchone()[0]:
                raise IndexLockedError(
                    f"Another `rag index` is writing the server store's {self.schema}; wait for it to finish "
                    "and run the command again"
                )
            try:
                yield
            finally:
                conn.execute("select pg_advisory_unlock(%s)", (key,))

    def reset(self, meta: dict[str, Any]) -> None:
        """Start the collection over: drop its schema on every shard, create it empty, record meta."""
        dim = int(meta["dim"])
        ddl = f"""
        drop schema if exists "{self.schema}" cascade;
        create schema "{self.schema}";
        create table {self._t("meta")} (k text primary key, v jsonb not null);
        create table {self._t("articles")} (
            article_id text primary key, hash text not null, title text not null, text text not null,
            metadata jsonb not null, n_chunks int not null);
        create table {self._t("chunks")} (
            id bigint primary key, article_id text not null, title text not null, text text not null,
            start_at int not null, end_at int not null, metadata jsonb not null,
            embedding vector({dim}) not null, bm25 sparsevec({keyword.TERM_SPACE}) not null,
            terms bigint[] not null, words text[] not null);
        -- the two columns every search reads stay in the row (not TOASTed): 54 -> 8 ms for an exact scan
        alter table {self._t("chunks")} alter column embedding set storage plain, alter column bm25 set storage plain;
        create index on {self._t("chunks")} (article_id);
        create index on {self._t("chunks")} using hnsw (embedding vector_ip_ops);
        create table {self._t("term_stats")} (term bigint primary key, df int not null);
        create table {self._t("word_stats")} (word text primary key, df int not null);
        """

        def run(conn: Any) -> None:
            with conn.transaction():
                conn.execute(ddl)

        self._each(run)
        self.set_meta({**meta, "shards": len(self.pools), "generation": _stamp()})

    def set_meta(self, values: dict[str, Any]) -> None:
        from psycopg.types.json import Jsonb

        def run(conn: Any) -> None:
            with conn.transaction():
                for k, v in values.items():
                    conn.execute(
                        f"insert into {self._t('meta')} (k, v) values (%s, %s) on conflict (k) do update set v = excluded.v",
                        (k, Jsonb(v)),
                    )

        self._each(run)

    def finish(self) -> None:
        """Mark the end of a sync: readers drop what they cached."""
        self.set_meta({"built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "generation": _stamp()})

    def upsert_article(self, article: Article, chunks: list[Chunk], vectors: np.ndarray, avgdl: float) -> bool:
        """Write the article and its chunks (with ids from chunk_key), replacing what it had, in one
        transaction. False when the store already holds this version of the article (nothing written)."""
        from pgvector import SparseVector
        from psycopg.types.json import Jsonb

        rows = []
        add_terms: Counter[int] = Counter()
        add_words: Counter[str] = Counter()
        for c, v in zip(chunks, vectors, strict=True):
            text = c.indexed_text()
            counts = keyword.term_counts(text)
            words = sorted(keyword.key_words(text))
            add_terms.update(counts.keys())
            add_words.update(words)
            bm25 = SparseVector(keyword.doc_weights(counts, avgdl), keyword.TERM_SPACE)
            rows.append(
                (
                    chunk_key(c),
                    c.article_id,
                    c.title,
                    c.text,
                    c.start,
                    c.end,
                    Jsonb(c.metadata),
                    v,
                    bm25,
                    sorted(counts),
                    words,
                )
            )

        def write(conn: Any) -> bool:
            conn.execute("select pg_advisory_xact_lock(hashtextextended(%s, 0))", (article.id,))
            have = conn.execute(
                f"select hash from {self._t('articles')} where article_id = %s", (article.id,)
            ).fetchone()
            if have and have[0] == article.hash:
                return False
            self._drop_chunks(conn, article.id)
            with conn.cursor() as cur:
                cur.executemany(
                    f"insert into {self._t('chunks')} (id, article_id, title, text, start_at, end_at, metadata, "
                    "embedding, bm25, terms, words) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                    "on conflict (id) do nothing",
                    rows,
                )
            self._count(conn, "term_stats", "term", "bigint", add_terms, +1)
            self._count(conn, "word_stats", "word", "text", add_words, +1)
            conn.execute(
                f"insert into {self._t('articles')} (article_id, hash, title, text, metadata, n_chunks) "
                "values (%s, %s, %s, %s, %s, %s) on conflict (article_id) do update set hash = excluded.hash, "
                "title = excluded.title, text = excluded.text, metadata = excluded.metadata, n_chunks = excluded.n_chunks",
                (article.id, article.hash, article.title, article.text, Jsonb(article.metadata), len(rows)),
            )
            return True

        return self._transaction(article.id, write)

    def delete_article(self, article_id: str) -> bool:
        """Remove the article and its chunks; False when the store does not hold it."""

        def write(conn: Any) -> bool:
            conn.execute("select pg_advisory_xact_lock(hashtextextended(%s, 0))", (article_id,))
            self._drop_chunks(conn, article_id)
            return conn.execute(f"delete from {self._t('articles')} where article_id = %s", (article_id,)).rowcount > 0

        return self._transaction(article_id, write)

    def _transaction(self, article_id: str, write: Callable[[Any], bool]) -> bool:
        import psycopg

        pool = self.pools[shard_of(article_id, len(self.pools))]
        for attempt in range(5):
            try:
                with pool.connection() as conn, conn.transaction():
                    return write(conn)
            except (psycopg.errors.DeadlockDetected, psycopg.errors.SerializationFailure):
                if attempt == 4:
                    raise
                time.sleep(0.05 * (attempt + 1))  # two writers counted the same terms: the loser retries
        raise AssertionError("unreachable")

    def _drop_chunks(self, conn: Any, article_id: str) -> None:
        old = conn.execute(
            f"delete from {self._t('chunks')} where article_id = %s returning terms, words", (article_id,)
        )
        terms: Counter[int] = Counter()
        words: Counter[str] = Counter()
        for t, w in old.fetchall():
            terms.update(t)
            words.update(w)
        self._count(conn, "term_stats", "term", "bigint", terms, -1)
        self._count(conn, "word_stats", "word", "text", words, -1)

    def _count(self, conn: Any, table: str, col: str, kind: str, counts: Counter[Any], sign: int) -> None:
        """Add (sign +1) or take away (-1) document frequencies, keys in order (so writers lock alike)."""
        if not counts:
            return
        keys = sorted(counts)
        values = [sign * counts[k] for k in keys]
        conn.execute(
            f"insert into {self._t(table)} ({col}, df) select k, d from unnest(%s::{kind}[], %s::int[]) as u(k, d) "
            f"order by k on conflict ({col}) do update set df = {self._t(table)}.df + excluded.df",
            (keys, values),
        )
        if sign < 0:
            conn.execute(f"delete from {self._t(table)} where {col} = any(%s::{kind}[]) and df <= 0", (keys,))

    def drop(self) -> None:
        """Remove the collection from every shard."""
        self._each(lambda conn: conn.execute(f'drop schema if exists "{self.schema}" cascade'))

    # --- reading ------------------------------------------------------------------------------------
    def _cached(self, name: str, make: Callable[[], T]) -> T:
        """A value kept until the next sync changes the store."""
        generation = self.generation()
        if generation != self._cache_generation:
            self._cache, self._cache_generation = {}, generation
        if name not in self._cache:
            self._cache[name] = make()
        return self._cache[name]  # type: ignore[no-any-return]

    def dense_search(self, qvec: np.ndarray, k: int, filters: dict[str, Any] | None = None) -> list[tuple[int, float]]:
        sql, params = where(filters)
        rows = self._rows(
            f"select id, -(embedding <#> %s) from {self._t('chunks')}{sql} order by embedding <#> %s limit %s",
            [qvec, *params, qvec, k],
        )
        return sorted(((int(i), float(s)) for i, s in rows), key=lambda r: -r[1])[:k]

    def keyword_search(self, question: str, k: int, filters: dict[str, Any] | None = None) -> list[tuple[int, float]]:
        """BM25 over the chunks (scores equal to rag.keyword.KeywordIndex's)."""
        from pgvector import SparseVector

        counts = keyword.term_counts(question)
        if not counts:
            return []
        df: Counter[int] = Counter()
        for t, d in self._rows(f"select term, df from {self._t('term_stats')} where term = any(%s)", [sorted(counts)]):
            df[int(t)] += int(d)
        n = self._cached("chunks", self.count_chunks)  # as of the last sync's end
        query = {t: c * keyword.bm25_idf(df[t], n) for t, c in counts.items() if df[t] > 0}
        if not query:
            return []
        q = SparseVector(query, keyword.TERM_SPACE)
        sql, params = where(filters)
        rows = self._rows(
            f"select id, -(bm25 <#> %s) from {self._t('chunks')}{sql} order by bm25 <#> %s limit %s", [q, *params, q, k]
        )
        return sorted(((int(i), float(s)) for i, s in rows if s > 0), key=lambda r: -r[1])[:k]

    def similarities(self, qvec: np.ndarray, ids: list[int]) -> dict[int, float]:
        if not ids:
            return {}
        rows = self._rows(f"select id, -(embedding <#> %s) from {self._t('chunks')} where id = any(%s)", [qvec, ids])
        return {int(i): float(s) for i, s in rows}

    def chunks(self, ids: list[int]) -> dict[int, Chunk]:
        if not ids:
            return {}
        rows = self._rows(
            f"select id, article_id, title, text, start_at, end_at, metadata from {self._t('chunks')} where id = any(%s)",
            [list(ids)],
        )
        return {int(r[0]): Chunk(int(r[0]), r[1], r[2], r[3], int(r[4]), int(r[5]), dict(r[6])) for r in rows}

    def article(self, article_id: str) -> Article | None:
        import psycopg

        with self.pools[shard_of(article_id, len(self.pools))].connection() as conn:
            try:
                row = conn.execute(
                    f"select article_id, title, text, metadata, hash from {self._t('articles')} where article_id = %s",
                    (article_id,),
                ).fetchone()
            except psycopg.errors.UndefinedTable:
                return None
        return Article(row[0], row[1], row[2], dict(row[3]), row[4]) if row else None

    def outlets(self) -> set[str]:
        return self._cached(
            "outlets",
            lambda: {
                r[0] for r in self._rows(f"select distinct metadata->>'source' from {self._t('articles')}") if r[0]
            },
        )

    def dates(self) -> tuple[str, str]:
        """The first and last publication day (YYYY-MM-DD), "" when none."""
        rows = self._rows(
            f"select min(metadata->>'date'), max(metadata->>'date') from {self._t('articles')} "
            "where metadata->>'date' ~ '^\\d{4}-\\d{2}-\\d{2}$'"
        )
        lows = [r[0] for r in rows if r[0]]
        highs = [r[1] for r in rows if r[1]]
        return (min(lows) if lows else "", max(highs) if highs else "")

    def coverage(self, question: str, text: str) -> float:
        """IDF-weighted share of the question's key words that the text holds (KeywordIndex.coverage)."""
        import math

        want = keyword.key_words(question)
        if not want:
            return 0.0
        df = self._word_df(want)
        n = self._cached("chunks", self.count_chunks)

        def idf(w: str) -> float:
            return math.log((n + 1) / (min(df.get(w, 0), n) + 0.5))

        total = sum(idf(w) for w in want)
        return sum(idf(w) for w in want & keyword.key_words(text)) / total if total > 0 else 0.0

    def _word_df(self, words: set[str]) -> dict[str, int]:
        known: dict[str, int] = self._cached("word_df", dict)
        missing = sorted(words - set(known))
        if missing:
            for w in missing:
                known[w] = 0
            for w, d in self._rows(f"select word, df from {self._t('word_stats')} where word = any(%s)", [missing]):
                known[w] += int(d)
        return {w: known[w] for w in words}


def _stamp() -> str:
    return f"{time.time():.6f}"


def _safe(url: str) -> str:
    """A URL without its password, for messages."""
    return re.sub(r"://([^:@/]+):[^@/]*@", r"://\1:***@", url)
