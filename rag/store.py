"""The index on disk: FAISS vectors + BM25 keyword index + chunk store + manifest.

Layout of an index folder:
    CURRENT            name of the live version folder (replaced atomically)
    v-<time>-<rand>/   manifest.json, vectors.faiss, chunks.jsonl, keyword/
    .lock              held by whoever writes
A writer builds a new version folder beside the live one and then swaps CURRENT, so a crash at
any point leaves the previous index whole; readers never see a half-written version.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .articles import Article
from .chunking import Chunk
from .errors import IndexCorruptError, IndexLockedError, IndexMismatchError, IndexMissingError

if TYPE_CHECKING:
    import numpy as np

FORMAT = 1


@dataclass
class Manifest:
    embedding_model: str
    dim: int
    chunk_tokens: int
    chunk_overlap: int
    built_at: str
    articles: dict[str, str]  # article id -> content hash
    files: dict[str, str]  # relative file -> content hash
    sources: dict[str, str] = field(default_factory=dict)  # corpus file -> sha256 (for sync)
    chunks: int = 0
    index_type: str = "flat"
    format: int = FORMAT

    def chunking(self) -> tuple[str, int, int]:
        return (self.embedding_model, self.chunk_tokens, self.chunk_overlap)


@dataclass
class Index:
    """A loaded index: chunks by id, the FAISS index over their vectors, the keyword index."""

    manifest: Manifest
    chunks: dict[int, Chunk]
    vectors: Any  # faiss.Index (an IndexIDMap2 keyed by chunk id)
    keyword: Any  # rag.keyword.KeywordIndex
    path: Path
    articles: dict[str, Article] = field(default_factory=dict)

    def article(self, article_id: str) -> Article | None:
        """The whole cleaned article (the web chat shows it with the passage highlighted)."""
        return self.articles.get(article_id)


def _sha_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def current_version(index_dir: Path) -> Path | None:
    pointer = index_dir / "CURRENT"
    if not pointer.exists():
        return None
    name = pointer.read_text().strip()
    return index_dir / name if name else None


def read_manifest(index_dir: Path) -> Manifest:
    version = current_version(index_dir)
    if version is None:
        raise IndexMissingError(f"No index at {index_dir}; run: rag index")
    try:
        data = json.loads((version / "manifest.json").read_text())
        return Manifest(**data)
    except (OSError, ValueError, TypeError) as e:
        raise IndexCorruptError(f"The index manifest in {version} is unreadable ({e}); run: rag index --rebuild") from None


def check_compatible(manifest: Manifest, embedding_model: str, chunk_tokens: int, chunk_overlap: int) -> None:
    want = (embedding_model, chunk_tokens, chunk_overlap)
    if manifest.chunking() != want:
        raise IndexMismatchError(
            f"The index was built with embedding {manifest.embedding_model!r}, chunks of {manifest.chunk_tokens}"
            f"/{manifest.chunk_overlap} tokens, but the settings ask for {want[0]!r}, {want[1]}/{want[2]}; "
            "run: rag index --rebuild"
        )


def load(index_dir: Path, *, verify: bool = True) -> Index:
    """Load the live index, checking every file against the manifest's hashes."""
    import faiss

    from .keyword import KeywordIndex

    manifest = read_manifest(index_dir)
    version = current_version(index_dir)
    assert version is not None
    fix = "run: rag index --rebuild"
    if verify:
        for rel, digest in manifest.files.items():
            path = version / rel
            if not path.exists():
                raise IndexCorruptError(f"Index file {path} is missing; {fix}")
            if _sha_file(path) != digest:
                raise IndexCorruptError(f"Index file {path} is damaged (checksum mismatch); {fix}")
    try:
        vectors = faiss.read_index(str(version / "vectors.faiss"))
        chunks = {}
        with (version / "chunks.jsonl").open(encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                chunks[d["id"]] = Chunk(**d)
        articles = {}
        with (version / "articles.jsonl").open(encoding="utf-8") as f:
            for line in f:
                d = json.loads(line)
                articles[d["id"]] = Article(**d)
        keyword = KeywordIndex.load(version / "keyword")
    except (RuntimeError, OSError, ValueError, KeyError, TypeError) as e:
        raise IndexCorruptError(f"The index in {version} is unreadable ({e}); {fix}") from None
    if vectors.ntotal != len(chunks):
        raise IndexCorruptError(f"The index in {version} has {vectors.ntotal} vectors for {len(chunks)} chunks; {fix}")
    return Index(manifest, chunks, vectors, keyword, version, articles)


class WriteLock:
    """One writer at a time per index folder; a second is refused at once, with a clear message."""

    def __init__(self, index_dir: Path) -> None:
        from filelock import FileLock

        index_dir.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(index_dir / ".lock"))
        self.index_dir = index_dir

    def __enter__(self) -> WriteLock:
        from filelock import Timeout

        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            raise IndexLockedError(
                f"Another `rag index` is writing {self.index_dir}; wait for it to finish and run the command again"
            ) from None
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


def make_vector_index(dim: int) -> Any:
    import faiss

    return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))


def save(
    index_dir: Path,
    manifest: Manifest,
    articles: list[Article],
    chunks: list[Chunk],
    vectors: Any,
    keyword: Any,
) -> Path:
    """Write a new version beside the live one, then swap CURRENT to it. Caller holds WriteLock."""
    import faiss

    index_dir.mkdir(parents=True, exist_ok=True)
    name = f"v-{time.strftime('%Y%m%dT%H%M%S')}-{secrets.token_hex(3)}"
    tmp = index_dir / f".tmp-{name}"
    tmp.mkdir()
    faiss.write_index(vectors, str(tmp / "vectors.faiss"))
    with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as f:
        for c in chunks:
            f.write(json.dumps(asdict(c), ensure_ascii=False) + "\n")
    with (tmp / "articles.jsonl").open("w", encoding="utf-8") as f:
        for a in articles:
            f.write(json.dumps(asdict(a), ensure_ascii=False) + "\n")
    keyword.save(tmp / "keyword")
    files = [p for p in sorted(tmp.rglob("*")) if p.is_file()]
    manifest.files = {p.relative_to(tmp).as_posix(): _sha_file(p) for p in files}
    manifest.chunks = len(chunks)
    (tmp / "manifest.json").write_text(json.dumps(asdict(manifest), indent=1))
    for p in [*files, tmp / "manifest.json"]:
        with p.open("rb") as f:
            os.fsync(f.fileno())
    _fsync_dir(tmp)
    final = index_dir / name
    os.replace(tmp, final)
    pointer_tmp = index_dir / f".CURRENT-{name}"
    pointer_tmp.write_text(name + "\n")
    with pointer_tmp.open("rb") as f:
        os.fsync(f.fileno())
    os.replace(pointer_tmp, index_dir / "CURRENT")  # the atomic switch
    _fsync_dir(index_dir)
    _remove_stale(index_dir, keep=name)
    return final


def _remove_stale(index_dir: Path, keep: str) -> None:
    """Old versions and leftovers of crashed writers. Readers that still hold an old version have
    loaded it into memory already; nothing is read from disk after load."""
    for p in index_dir.iterdir():
        if p.name != keep and (p.name.startswith(("v-", ".tmp-", ".CURRENT-"))):
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)


def vectors_by_id(index: Index, ids: list[int]) -> np.ndarray:
    import numpy as np

    return np.vstack([index.vectors.reconstruct(int(i)) for i in ids]) if ids else np.zeros((0, index.manifest.dim), "float32")
