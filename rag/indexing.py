"""Build or sync the index: corpus folder -> articles -> chunks -> embeddings -> index on disk.

Sync embeds only what changed (by content hash): new articles are added, changed ones replaced,
deleted ones removed. A changed embedding model or chunking forces a full rebuild.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import store
from .articles import Article, Skipped, load_corpus
from .chunking import Chunk, chunk_articles
from .config import Settings
from .errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from .models import chunk_budget, get_embedder

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # (done, total, what)
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

    def line(self) -> str:
        kind = "Rebuilt" if self.rebuilt else "Synced"
        return (
            f"{kind} {self.index_dir}: {self.articles} articles, {self.chunks} chunks "
            f"(added {len(self.added)}, changed {len(self.changed)}, removed {len(self.removed)}, "
            f"skipped {len(self.skipped)}) in {self.seconds:.1f}s"
        )


def _embed(chunks: list[Chunk], settings: Settings, progress: Progress | None):  # type: ignore[no-untyped-def]
    import numpy as np

    embedder = get_embedder(settings)
    parts = []
    texts = [c.indexed_text() for c in chunks]
    for i in range(0, len(texts), EMBED_BATCH):
        parts.append(embedder.embed(texts[i : i + EMBED_BATCH]))
        if progress:
            progress(min(i + EMBED_BATCH, len(texts)), len(texts), "embedding")
    return np.vstack(parts) if parts else np.zeros((0, embedder.dim), dtype="float32")


def sync_index(
    corpus_dir: Path | str | None = None,
    index_dir: Path | str | None = None,
    *,
    rebuild: bool = False,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> IndexSummary:
    """Bring the index in step with the corpus folder, embedding only new and changed articles.

    Args:
        corpus_dir: folder of articles (default: settings.corpus_dir).
        index_dir: where the index lives (default: settings.index_dir).
        rebuild: start over instead of syncing.
        progress: called as progress(done, total, stage) while embedding.
    """
    import numpy as np

    t0 = time.perf_counter()
    settings = (settings or Settings.load()).replace(corpus_dir=corpus_dir, index_dir=index_dir)
    corpus = load_corpus(Path(settings.corpus_dir))
    idir = Path(settings.index_dir)
    embedder = get_embedder(settings)
    model_name = embedder.name
    max_tokens = chunk_budget(settings)  # never longer than what the model reads

    with store.WriteLock(idir):
        old: store.Index | None = None
        reason = "rebuild asked for" if rebuild else ""
        if not rebuild:
            try:
                old = store.load(idir)
                store.check_compatible(old.manifest, model_name, max_tokens, settings.chunk_overlap)
            except IndexMissingError:
                old, reason = None, "no index yet"
            except (IndexMismatchError, IndexCorruptError) as e:
                old, reason = None, str(e).split("; run:")[0]
                log.warning("%s: rebuilding the whole index", reason)

        wanted: dict[str, Article] = {a.id: a for a in corpus.articles}
        summary = IndexSummary(idir, len(wanted), 0, skipped=corpus.skipped, rebuilt=old is None, reason=reason)
        if old is None:
            keep: dict[int, Chunk] = {}
            vectors = store.make_vector_index(embedder.dim)
            todo = list(wanted.values())
            summary.added = sorted(wanted)
        else:
            have = old.manifest.articles
            summary.added = sorted(a for a in wanted if a not in have)
            summary.changed = sorted(a for a in wanted if a in have and have[a] != wanted[a].hash)
            summary.removed = sorted(a for a in have if a not in wanted)
            gone = set(summary.changed) | set(summary.removed)
            vectors = old.vectors
            drop = [cid for cid, c in old.chunks.items() if c.article_id in gone]
            if drop:
                vectors.remove_ids(np.asarray(drop, dtype="int64"))
            keep = {cid: c for cid, c in old.chunks.items() if c.article_id not in gone}
            todo = [wanted[a] for a in summary.added + summary.changed]
            if not todo and not gone:
                summary.chunks = len(keep)
                summary.seconds = time.perf_counter() - t0
                return summary

        first_id = max(old.chunks, default=-1) + 1 if old else 0
        new_chunks = chunk_articles(todo, embedder.count_tokens, max_tokens, settings.chunk_overlap, first_id)
        embeddings = _embed(new_chunks, settings, progress)
        if new_chunks:
            vectors.add_with_ids(embeddings, np.asarray([c.id for c in new_chunks], dtype="int64"))
        chunks = sorted([*keep.values(), *new_chunks], key=lambda c: c.id)

        from .keyword import KeywordIndex

        keyword = KeywordIndex.build([c.indexed_text() for c in chunks], [c.id for c in chunks])
        manifest = store.Manifest(
            embedding_model=model_name,
            dim=embedder.dim,
            chunk_tokens=max_tokens,
            chunk_overlap=settings.chunk_overlap,
            built_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            articles={a.id: a.hash for a in wanted.values()},
            files={},
            sources=corpus.file_hashes,
        )
        store.save(idir, manifest, sorted(wanted.values(), key=lambda a: a.id), chunks, vectors, keyword)
        summary.chunks = len(chunks)
        summary.seconds = time.perf_counter() - t0
        return summary


def build_index(
    corpus_dir: Path | str | None = None,
    index_dir: Path | str | None = None,
    *,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> IndexSummary:
    """Build the index from scratch (see sync_index for the arguments)."""
    return sync_index(corpus_dir, index_dir, rebuild=True, settings=settings, progress=progress)
