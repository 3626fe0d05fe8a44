"""Build or sync the index: corpus folder -> articles -> chunks -> embeddings -> index on disk.

Sync embeds only what changed (by content hash): new articles are added, changed ones replaced,
deleted ones removed; a chunk whose text is unchanged keeps its vector even inside a changed article.
A changed embedding model or chunking, or a damaged index, forces a full rebuild (summary.reason says
why). The keyword index and the wire-copy marks are recomputed from the stored chunks and signatures,
which needs no embedding.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import dedup, store
from .articles import Article, Skipped, load_corpus
from .chunking import Chunk, chunk_article, chunk_articles
from .config import Settings
from .errors import ConfigError, IndexCorruptError, IndexMismatchError, IndexMissingError
from .keyword import SCHEME as KEYWORD_SCHEME
from .models import chunk_budget, get_embedder

if TYPE_CHECKING:
    import numpy as np

    from .embed import Embedder

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # (done, total, what)


class ProgressBar:
    """A `Progress` callback drawing a tqdm bar on stderr (the CLI's and `rag eval`'s)."""

    def __init__(self) -> None:
        self.bar: Any = None

    def __call__(self, done: int, total: int, stage: str) -> None:
        from tqdm import tqdm

        if self.bar is None:
            self.bar = tqdm(total=total, desc=stage, unit="chunk", file=sys.stderr, leave=False)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


EMBED_BATCH = 64


@dataclass
class IndexSummary:
    index_dir: Path
    articles: int
    chunks: int
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    rebuilt: bool = False
    reason: str = ""  # why a full rebuild happened
    seconds: float = 0.0
    embedded: int = 0  # chunks sent to the embedding model
    reused: int = 0  # chunks of changed articles whose text, and so vector, did not change
    duplicates: dict[str, str] = field(default_factory=dict)  # wire copy -> the article it copies
    written: bool = False  # False when nothing changed and the index was left as it was
    where: str = ""  # what line() names: the index folder, or the server store's schema

    def line(self) -> str:
        kind = "Rebuilt" if self.rebuilt else "Synced"
        n = len(self.duplicates)
        copies = f"; {n} wire {'copy' if n == 1 else 'copies'}" if n else ""
        return (
            f"{kind} {self.where or self.index_dir}: {self.articles} articles, {self.chunks} chunks "
            f"(added {len(self.added)}, changed {len(self.changed)}, removed {len(self.removed)}, "
            f"skipped {len(self.skipped)}; embedded {self.embedded} chunks{copies}) in {self.seconds:.1f}s"
        )


def _embed(texts: list[str], embedder: Embedder, progress: Progress | None) -> np.ndarray:
    import numpy as np

    parts = []
    for i in range(0, len(texts), EMBED_BATCH):
        parts.append(embedder.embed(texts[i : i + EMBED_BATCH]))
        if progress:
            progress(min(i + EMBED_BATCH, len(texts)), len(texts), "embedding")
    return np.vstack(parts) if parts else np.zeros((0, embedder.dim), dtype="float32")


def _text_key(chunk: Chunk) -> str:
    return hashlib.sha256(chunk.indexed_text().encode("utf-8", "surrogatepass")).hexdigest()


def _open_old(idir: Path, rebuild: bool, want: tuple[str, int, int]) -> tuple[store.Index | None, str]:
    """The live index if it can be synced, else None and why not."""
    if rebuild:
        return None, "rebuild asked for"
    try:
        old = store.load(idir, keyword=False)  # the keyword index is rebuilt anyway
        store.check_compatible(old.manifest, *want)
        return old, ""
    except IndexMissingError:
        return None, "no index yet"
    except (IndexMismatchError, IndexCorruptError) as e:
        reason = str(e).split("; run:")[0]
        log.warning("%s: rebuilding the whole index", reason)
        return None, reason


def _mark_copies(wanted: dict[str, Article], old: store.Index | None) -> tuple[dict[str, str], dict[str, Any]]:
    """Wire copies among the articles, and every article's signature (stored ones reused)."""
    reuse = old is not None and old.manifest.minhash == dedup.SCHEME
    sigs: dict[str, Any] = {}
    for a in wanted.values():
        if reuse and old is not None and a.id in old.signatures and old.manifest.articles.get(a.id) == a.hash:
            sigs[a.id] = old.signatures[a.id]
        else:
            sigs[a.id] = dedup.signature(a.text)
    order = {a.id: (a.metadata.get("date") or "9999", a.id) for a in wanted.values()}
    return dedup.duplicate_of(sigs, order), sigs


def sync_index(
    corpus_dir: Path | str | None = None,
    index_dir: Path | str | None = None,
    *,
    rebuild: bool = False,
    collection: str | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> IndexSummary:
    """Bring the index in step with the corpus folder, embedding only new and changed articles.

    Args:
        corpus_dir: folder of articles (default: settings.corpus_dir).
        index_dir: where the index lives (default: settings.index_dir).
        rebuild: start over instead of syncing.
        collection: a named collection instead of the folders (rag/collections.py).
        progress: called as progress(done, total, stage) while embedding.

    Raises IndexLockedError at once when another process is writing the same index.
    """
    import numpy as np

    t0 = time.perf_counter()
    settings = (settings or Settings.load()).pick(collection=collection, corpus_dir=corpus_dir, index_dir=index_dir)
    if settings.store == "server":
        return _sync_server(settings, rebuild, progress, t0)
    if settings.workers > 0:
        raise ConfigError(
            "Embedding on a cluster (--workers / RAG_WORKERS) writes to the server store: run make store-up and "
            "set RAG_STORE=server, or leave --workers out"
        )
    idir = Path(settings.index_dir)
    with store.WriteLock(idir):  # taken first: a second writer is refused before doing any work
        corpus = load_corpus(Path(settings.corpus_dir))
        embedder = get_embedder(settings)  # torch is loaded only if something needs embedding
        max_tokens = chunk_budget(settings)  # never longer than what the model reads
        old, reason = _open_old(idir, rebuild, (embedder.name, max_tokens, settings.chunk_overlap))

        wanted: dict[str, Article] = {a.id: a for a in corpus.articles}
        summary = IndexSummary(idir, len(wanted), 0, skipped=corpus.skipped, rebuilt=old is None, reason=reason)
        reusable: dict[str, np.ndarray] = {}  # indexed-text hash -> vector, from the chunks dropped
        if old is None:
            keep: dict[int, Chunk] = {}
            vectors = None  # made once the number of chunks is known (it picks the index type)
            summary.added = sorted(wanted)
            todo = list(wanted.values())
        else:
            have = old.manifest.articles
            summary.added = sorted(a for a in wanted if a not in have)
            summary.changed = sorted(a for a in wanted if a in have and have[a] != wanted[a].hash)
            summary.removed = sorted(a for a in have if a not in wanted)
            gone = set(summary.changed) | set(summary.removed)
            drop = [cid for cid, c in old.chunks.items() if c.article_id in gone]
            changed = set(summary.changed)
            try:
                for cid in drop:
                    if old.chunks[cid].article_id in changed:
                        reusable[_text_key(old.chunks[cid])] = old.vectors.reconstruct(cid)
            except RuntimeError:  # an index type that cannot give vectors back: embed them again
                reusable = {}
            vectors = store.remove_vectors(old.vectors, drop)
            keep = {cid: c for cid, c in old.chunks.items() if c.article_id not in gone}
            todo = [wanted[a] for a in summary.added + summary.changed]
            if (
                not todo
                and not gone
                and old.manifest.minhash == dedup.SCHEME
                and old.manifest.keywords == KEYWORD_SCHEME
            ):
                summary.chunks = len(keep)
                summary.duplicates = {
                    a.id: a.metadata["duplicate_of"] for a in old.articles.values() if "duplicate_of" in a.metadata
                }
                summary.seconds = time.perf_counter() - t0
                return summary

        first_id = max(old.chunks, default=-1) + 1 if old else 0
        new_chunks = chunk_articles(todo, embedder.count_tokens, max_tokens, settings.chunk_overlap, first_id)
        keys = [_text_key(c) for c in new_chunks]
        fresh = [i for i, k in enumerate(keys) if k not in reusable]
        embedded = _embed([new_chunks[i].indexed_text() for i in fresh], embedder, progress)
        summary.embedded, summary.reused = len(fresh), len(new_chunks) - len(fresh)
        total = len(keep) + len(new_chunks)
        if vectors is None:
            vectors = store.make_vector_index(embedder.dim, total, settings)
        if new_chunks:
            rows = dict(zip(fresh, embedded, strict=True))
            matrix = np.vstack([rows[i] if i in rows else reusable[k] for i, k in enumerate(keys)])
            store.add_vectors(vectors, matrix, np.asarray([c.id for c in new_chunks], dtype="int64"))
        vectors = store.retype_vectors(vectors, total, settings)  # a sync that crossed the exact-search size

        # wire copies: the mark lives in each article's and chunk's metadata (not embedded, not hashed)
        dups, sigs = _mark_copies(wanted, old)
        summary.duplicates = dups
        meta = {}
        for a in wanted.values():
            m = {k: v for k, v in a.metadata.items() if k != "duplicate_of"}
            if a.id in dups:
                m["duplicate_of"] = dups[a.id]
            meta[a.id] = m
        articles = [dataclasses.replace(wanted[i], metadata=meta[i]) for i in sorted(wanted)]
        chunks = [
            dataclasses.replace(c, metadata=meta[c.article_id])
            for c in sorted([*keep.values(), *new_chunks], key=lambda c: c.id)
        ]

        from .keyword import KeywordIndex

        keyword = KeywordIndex.build([c.indexed_text() for c in chunks], [c.id for c in chunks])
        manifest = store.Manifest(
            embedding_model=embedder.name,
            dim=embedder.dim,
            chunk_tokens=max_tokens,
            chunk_overlap=settings.chunk_overlap,
            built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            articles={a.id: a.hash for a in articles},
            files={},
            sources=corpus.file_hashes,
            minhash=dedup.SCHEME,
            keywords=KEYWORD_SCHEME,
            index_type=store.index_type_of(vectors),
        )
        signatures = np.vstack([sigs[a.id] for a in articles]) if articles else None
        store.save(idir, manifest, articles, chunks, vectors, keyword, signatures)
        summary.chunks = len(chunks)
        summary.written = True
        summary.seconds = time.perf_counter() - t0
        return summary


def build_index(
    corpus_dir: Path | str | None = None,
    index_dir: Path | str | None = None,
    *,
    collection: str | None = None,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> IndexSummary:
    """Build the index from scratch (see sync_index for the arguments)."""
    return sync_index(corpus_dir, index_dir, rebuild=True, collection=collection, settings=settings, progress=progress)


# --- the server store (rag/pgstore.py): written article by article -------------------------------
def _sync_server(settings: Settings, rebuild: bool, progress: Progress | None, t0: float) -> IndexSummary:
    """sync_index for RAG_STORE=server: the same plan (new, changed, removed articles by content hash),
    written one article per transaction, so a job killed midway resumes where it stopped."""
    from . import keyword
    from .pgstore import PgStore, StoreError, chunk_key

    st = PgStore.open(settings)
    with st.write_lock():
        corpus = load_corpus(Path(settings.corpus_dir))
        embedder = get_embedder(settings)
        max_tokens = chunk_budget(settings)
        meta = st.meta()
        want = {
            "embedding_model": embedder.name,
            "dim": embedder.dim,
            "chunk_tokens": max_tokens,
            "chunk_overlap": settings.chunk_overlap,
        }
        reason = "rebuild asked for" if rebuild else "" if meta else "no index yet"
        if not reason and any(meta.get(k) != v for k, v in want.items()):
            reason = (
                f"The server store was built with embedding {meta.get('embedding_model')!r}, chunks of "
                f"{meta.get('chunk_tokens')}/{meta.get('chunk_overlap')} tokens"
            )
            log.warning("%s: rebuilding it", reason)
        if not reason and meta.get("shards") != len(st.pools):
            raise StoreError(
                f"The server store's {st.schema} was built on {meta.get('shards')} shards, and {len(st.pools)} are "
                "named now; name the same shards, or run: rag index --rebuild"
            )
        wanted = {a.id: a for a in corpus.articles}
        have = {} if reason else st.article_hashes()
        summary = IndexSummary(
            Path(settings.index_dir), len(wanted), 0, skipped=corpus.skipped, rebuilt=bool(reason), reason=reason
        )
        summary.where = f"the server store's {st.schema}"
        summary.added = sorted(a for a in wanted if a not in have)
        summary.changed = sorted(a for a in wanted if a in have and have[a] != wanted[a].hash)
        summary.removed = sorted(a for a in have if a not in wanted)
        todo = [
            (
                a,
                [
                    dataclasses.replace(c, id=chunk_key(c))
                    for c in chunk_article(a, embedder.count_tokens, max_tokens, settings.chunk_overlap)
                ],
            )
            for a in (wanted[i] for i in summary.added + summary.changed)
        ]
        if reason:
            texts = [c.indexed_text() for _, cs in todo for c in cs]
            lengths = [len(t) for t in keyword.tokenize(texts)] if texts else []
            avgdl = sum(lengths) / len(lengths) if lengths else 1.0  # BM25's average chunk length, kept from now on
            st.reset({**want, "avgdl": avgdl})
        else:
            avgdl = float(meta["avgdl"])
        for article_id in summary.removed:
            st.delete_article(article_id)
        if settings.workers > 0:
            from .cluster import index_articles

            summary.embedded = index_articles(settings, todo, avgdl, progress)
        else:
            summary.embedded = write_articles(st, embedder, todo, avgdl, progress)
        if todo or summary.removed or reason:
            st.finish()
            summary.written = True
        summary.chunks = st.count_chunks()
        summary.seconds = time.perf_counter() - t0
        return summary


def write_articles(
    st: Any, embedder: Embedder, todo: list[tuple[Article, list[Chunk]]], avgdl: float, progress: Progress | None
) -> int:
    """Embed the articles' chunks, EMBED_BATCH at a time in order (as the local sync does: the int8
    embedder's vectors depend a little on their batch), and write each article in its own transaction
    (PgStore.upsert_article) as soon as its chunks are embedded. Returns the number of chunks embedded.
    Used in process and by each worker of the cluster job (rag/cluster.py)."""
    import numpy as np

    texts = [c.indexed_text() for _, cs in todo for c in cs]
    vectors = np.zeros((len(texts), embedder.dim), dtype="float32")
    done = 0  # chunks embedded
    at = 0  # first chunk of the next article to write
    pending = iter(todo)
    article = next(pending, None)
    while article is not None:
        if done < len(texts) and at + len(article[1]) > done:
            vectors[done : done + EMBED_BATCH] = embedder.embed(texts[done : done + EMBED_BATCH])
            done = min(done + EMBED_BATCH, len(texts))
            if progress:
                progress(done, len(texts), "embedding")
            continue
        st.upsert_article(article[0], article[1], vectors[at : at + len(article[1])], avgdl)
        at += len(article[1])
        article = next(pending, None)
    return done
