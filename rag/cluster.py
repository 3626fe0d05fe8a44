"""Embedding at scale: the sync's new and changed articles, embedded and written by workers of a Ray
cluster (docs/scale.md says why Ray).

`rag index --workers N` (with RAG_STORE=server) starts a local cluster of N worker processes on
127.0.0.1 for the job and stops it after; with RAY_ADDRESS set it joins that cluster instead. Each
worker loads the embedder once and writes each article to the server store in its own transaction
(PgStore.upsert_article), so a worker that dies has its batch retried elsewhere, and a job killed midway
is resumed by running it again: the sync skips every article already written (by content hash).
"""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from .config import Settings
from .errors import MissingExtraError

if TYPE_CHECKING:
    from .articles import Article
    from .chunking import Chunk
    from .indexing import Progress

log = logging.getLogger(__name__)
BATCH_CHUNKS = 128  # chunks per task: enough for full embedding batches, small enough to spread the work


class Worker:
    """One cluster worker: its own embedder and connections to the server store."""

    def __init__(self, settings: Settings) -> None:
        from .models import get_embedder
        from .pgstore import PgStore

        self.embedder = get_embedder(settings)
        self.store = PgStore.open(settings)

    def write(self, batch: list[tuple[Article, list[Chunk]]], avgdl: float) -> int:
        from .indexing import write_articles

        return write_articles(self.store, self.embedder, batch, avgdl, None)


def batches(
    todo: list[tuple[Article, list[Chunk]]], size: int = BATCH_CHUNKS
) -> list[list[tuple[Article, list[Chunk]]]]:
    """Whole articles in groups of about `size` chunks."""
    out: list[list[tuple[Article, list[Chunk]]]] = [[]]
    count = 0
    for item in todo:
        if out[-1] and count + len(item[1]) > size:
            out.append([])
            count = 0
        out[-1].append(item)
        count += len(item[1])
    return [b for b in out if b]


def index_articles(
    settings: Settings, todo: list[tuple[Article, list[Chunk]]], avgdl: float, progress: Progress | None
) -> int:
    """Embed and write the articles on settings.workers Ray workers; the number of chunks embedded."""
    try:
        import ray
        from ray.util import ActorPool
    except ImportError:
        raise MissingExtraError("ray", "cluster") from None
    if not todo:
        return 0
    address = os.environ.get("RAY_ADDRESS")
    options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.WARNING}
    if not address:  # a local cluster for this job, on loopback only
        options.update(num_cpus=settings.workers, object_store_memory=256 * 2**20, _node_ip_address="127.0.0.1")
    ray.init(address=address or None, **options)
    try:
        # each worker one thread: the workers, not the threads inside one, use the cores
        remote = ray.remote(num_cpus=1, max_restarts=2, max_task_retries=2)(Worker)
        pool = ActorPool([remote.remote(settings.replace(threads=1)) for _ in range(settings.workers)])
        work = batches(todo)
        total = sum(len(cs) for _, cs in todo)
        done = 0
        for n in pool.map_unordered(lambda w, b: w.write.remote(b, avgdl), work):
            done += n
            if progress:
                progress(done, total, f"embedding on {settings.workers} Ray workers")
        return done
    finally:
        ray.shutdown()
