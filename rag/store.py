"""The index on disk: FAISS vectors + BM25 keyword index + chunk store + manifest.

Layout of an index folder:
    CURRENT            name of the live version folder (replaced atomically)
    v-<time>-<rand>/   manifest.json, vectors.faiss, chunks.jsonl, articles.jsonl, minhash.npy, keyword/
    .lock              held by whoever writes
A writer builds a new version folder (.tmp-*) beside the live one, fsyncs it, renames it and then
swaps CURRENT, so a crash at any point leaves the previous index whole; readers never see a
half-written version. The version before the live one is kept until the next write, so a reader
that read CURRENT just before a swap can still finish loading.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .articles import Article
from .chunking import Chunk
from .errors import IndexCorruptError, IndexLocationError, IndexLockedError, IndexMismatchError, IndexMissingError

if TYPE_CHECKING:
    import numpy as np

FORMAT = 1
FIX = "run: rag index --rebuild"
_VERSION_NAME = re.compile(r"v-[0-9T]+-[0-9a-f]+")
REQUIRED = ("vectors.faiss", "chunks.jsonl", "articles.jsonl")


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
    minhash: str = ""  # rag.dedup.SCHEME of minhash.npy ("" when the index has none)
    keywords: str = ""  # rag.keyword.SCHEME of the keyword index ("" before 2026-12-03: rebuilt on sync)

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
    signatures: dict[str, Any] = field(default_factory=dict)  # article id -> MinHash values (rag.dedup)
    # the chunk ids that pass a filter, by the filter (a loaded index never changes: a new version is a new Index)
    allowed: dict[str, list[int]] = field(default_factory=dict, repr=False)

    def article(self, article_id: str) -> Article | None:
        """The whole cleaned article (the web chat shows it with the passage highlighted)."""
        return self.articles.get(article_id)


def _sha_file(path: Path) -> str:
    with path.open("rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def current_version(index_dir: Path) -> Path | None:
    """The live version folder named by CURRENT; None when there is no index yet."""
    if index_dir.exists() and not index_dir.is_dir():
        raise IndexLocationError(index_dir)
    pointer = index_dir / "CURRENT"
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as e:
        raise IndexCorruptError(f"{pointer} is unreadable ({e}); {FIX}") from None
    if not _VERSION_NAME.fullmatch(name):
        raise IndexCorruptError(f"{pointer} holds {name[:40]!r}, not a version name; {FIX}")
    version = index_dir / name
    if not version.is_dir():
        raise IndexCorruptError(f"{pointer} names {name}, which is missing; {FIX}")
    return version


def read_manifest(index_dir: Path) -> Manifest:
    version = current_version(index_dir)
    if version is None:
        raise IndexMissingError(f"No index at {index_dir}; run: rag index")
    try:
        data = json.loads((version / "manifest.json").read_text(encoding="utf-8"))
        manifest = Manifest(**data)
    except (OSError, ValueError, TypeError) as e:
        raise IndexCorruptError(f"The index manifest in {version} is unreadable ({e}); {FIX}") from None
    missing = [f for f in REQUIRED if f not in manifest.files]
    if missing:
        raise IndexCorruptError(f"The index manifest in {version} lists no checksum for {', '.join(missing)}; {FIX}")
    return manifest


def check_compatible(manifest: Manifest, embedding_model: str, chunk_tokens: int, chunk_overlap: int) -> None:
    want = (embedding_model, chunk_tokens, chunk_overlap)
    if manifest.chunking() != want:
        raise IndexMismatchError(
            f"The index was built with embedding {manifest.embedding_model!r}, chunks of {manifest.chunk_tokens}"
            f"/{manifest.chunk_overlap} tokens, but the settings ask for {want[0]!r}, {want[1]}/{want[2]}; "
            "run: rag index --rebuild"
        )


def load(index_dir: Path, *, verify: bool = True, keyword: bool = True) -> Index:
    """Load the live index, checking every file against the manifest's hashes.
    keyword=False leaves the keyword index out (a sync rebuilds it anyway)."""
    for attempt in range(3):
        version = current_version(index_dir)
        try:
            return _load(index_dir, verify=verify, with_keyword=keyword)
        except IndexCorruptError:
            # subtle: a writer may have swapped CURRENT and cleaned up while we read; try the new one
            if attempt == 2 or current_version(index_dir) == version:
                raise
    raise AssertionError("unreachable")


def _load(index_dir: Path, *, verify: bool, with_keyword: bool) -> Index:
    import faiss
    import numpy as np

    from .keyword import KeywordIndex

    manifest = read_manifest(index_dir)
    version = current_version(index_dir)
    assert version is not None
    fix = FIX
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
        keyword = KeywordIndex.load(version / "keyword") if with_keyword else None
        signatures: dict[str, Any] = {}
        if (version / "minhash.npy").exists():
            rows = np.load(version / "minhash.npy", allow_pickle=False)
            signatures = dict(zip(articles, rows, strict=True))  # rows follow articles.jsonl
    except (RuntimeError, OSError, ValueError, KeyError, TypeError) as e:
        raise IndexCorruptError(f"The index in {version} is unreadable ({e}); {fix}") from None
    if vectors.ntotal != len(chunks):
        raise IndexCorruptError(f"The index in {version} has {vectors.ntotal} vectors for {len(chunks)} chunks; {fix}")
    if set(manifest.articles) != set(articles):
        raise IndexCorruptError(f"The index in {version} lists other articles than it holds; {fix}")
    return Index(manifest, chunks, vectors, keyword, version, articles, signatures)


class WriteLock:
    """One writer at a time per index folder; a second is refused at once, with a clear message."""

    def __init__(self, index_dir: Path) -> None:
        from filelock import FileLock

        if index_dir.exists() and not index_dir.is_dir():
            raise IndexLocationError(index_dir)
        self.created = not index_dir.exists()  # removed again if nothing is written (a failed first build)
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
        if self.created and {p.name for p in self.index_dir.iterdir()} <= {".lock"}:
            # a first build that failed (no corpus, no readable article): leave no empty folder behind
            (self.index_dir / ".lock").unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                self.index_dir.rmdir()


def remove_vectors(vectors: Any, ids: list[int]) -> Any:
    """The index without these chunk ids. IndexIDMap2 over a flat index removes them in place; a type
    that cannot remove (HNSW) is rebuilt from the vectors it keeps: no re-embedding either way."""
    import faiss
    import numpy as np

    if not ids:
        return vectors
    try:
        vectors.remove_ids(np.asarray(ids, dtype="int64"))
        return vectors
    except RuntimeError:  # faiss: "remove_ids not implemented for this type of index"
        if not isinstance(vectors, faiss.IndexIDMap2):
            raise
    gone = set(ids)
    kept = np.asarray([i for i in faiss.vector_to_array(vectors.id_map) if int(i) not in gone], dtype="int64")
    fresh = faiss.clone_index(vectors)
    fresh.reset()  # same type and parameters (and training), no vectors
    if len(kept):
        fresh.add_with_ids(np.vstack([vectors.reconstruct(int(i)) for i in kept]), kept)
    return fresh


# --- vector index type by size (docs/speed.md) ---------------------------------------------------
# Exact search (IndexFlatIP in an IndexIDMap2) while small; past settings.exact_max_chunks an inverted-file
# index (IVF, flat lists). At nprobe 64 its recall@10 against exact search is 0.987 on 60k real sentence
# vectors and 0.974 on 1M drawn around them, ~3 ms a query there on 2 cores; it builds 1M in under a minute
# (HNSW needs many minutes on 2 cores) and, unlike HNSW, removes ids in place, so sync works for both types.


def choose_index_type(size: int, settings: Any = None) -> str:
    """'flat' or 'ivf' for a collection of `size` chunks (settings.index_type 'auto' decides by size)."""
    want = getattr(settings, "index_type", "auto")
    if want in ("flat", "ivf"):
        return str(want)
    return "ivf" if size > getattr(settings, "exact_max_chunks", 100_000) else "flat"


def ivf_lists(size: int) -> int:
    """Inverted lists for `size` vectors: about 2 * sqrt(size), so a list holds ~sqrt(size)/2."""
    return int(min(65536, max(64, 2 * round(size**0.5))))


def make_vector_index(dim: int, size: int = 0, settings: Any = None) -> Any:
    """An empty vector index keyed by chunk id, of the type `size` chunks call for."""
    import faiss

    if choose_index_type(size, settings) == "flat":
        return faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    index: Any = faiss.index_factory(dim, f"IVF{ivf_lists(size)},Flat", faiss.METRIC_INNER_PRODUCT)
    index.nprobe = getattr(settings, "ivf_nprobe", 64)
    return index  # trained by add_vectors on the first vectors it gets


def add_vectors(index: Any, vectors: np.ndarray, ids: np.ndarray) -> None:
    """index.add_with_ids, training an untrained IVF first (on up to 64 vectors per list)."""
    import faiss
    import numpy as np

    ivf: Any = faiss.try_extract_index_ivf(index) if not isinstance(index, faiss.IndexIDMap) else None
    if ivf is not None and not index.is_trained:
        sample = vectors
        if len(vectors) > 64 * ivf.nlist:
            sample = vectors[np.random.default_rng(0).choice(len(vectors), 64 * ivf.nlist, replace=False)]
        index.train(np.ascontiguousarray(sample, dtype="float32"))
        ivf.set_direct_map_type(faiss.DirectMap.Hashtable)  # type: ignore[attr-defined]  # reconstruct(id) and remove_ids by chunk id
    index.add_with_ids(np.ascontiguousarray(vectors, dtype="float32"), np.asarray(ids, dtype="int64"))


def index_type_of(index: Any) -> str:
    """What the manifest records: 'flat' or 'ivf'."""
    import faiss

    if isinstance(index, faiss.IndexIDMap):
        index = faiss.downcast_index(index.index)
    return "ivf" if faiss.try_extract_index_ivf(index) is not None else "flat"


def set_search_params(index: Any, settings: Any) -> None:
    """Apply settings.ivf_nprobe to a loaded index (a no-op for exact search)."""
    import faiss

    ivf = None if isinstance(index, faiss.IndexIDMap) else faiss.try_extract_index_ivf(index)
    if ivf is not None:
        ivf.nprobe = int(getattr(settings, "ivf_nprobe", 64))


def retype_vectors(index: Any, size: int, settings: Any = None) -> Any:
    """`index` moved into the type `size` chunks call for (same vectors, same ids), or `index` itself
    when the type already fits. For a sync whose collection crossed settings.exact_max_chunks."""
    import faiss
    import numpy as np

    if index_type_of(index) == choose_index_type(size, settings):
        return index
    if isinstance(index, faiss.IndexIDMap):
        ids = faiss.vector_to_array(index.id_map).astype("int64")
    else:
        ivf: Any = faiss.extract_index_ivf(index)
        invlists = ivf.invlists
        ids = np.concatenate(
            [faiss.rev_swig_ptr(invlists.get_ids(i), invlists.list_size(i)).copy() for i in range(ivf.nlist)]
            or [np.zeros(0, "int64")]
        ).astype("int64")
    fresh = make_vector_index(index.d, size, settings)
    if len(ids):
        add_vectors(fresh, np.vstack([index.reconstruct(int(i)) for i in ids]), ids)
    return fresh


def save(
    index_dir: Path,
    manifest: Manifest,
    articles: list[Article],
    chunks: list[Chunk],
    vectors: Any,
    keyword: Any,
    signatures: np.ndarray | None = None,
) -> Path:
    """Write a new version beside the live one, then swap CURRENT to it. Caller holds WriteLock.
    signatures: one MinHash row per article, in the order of `articles`."""
    import faiss
    import numpy as np

    index_dir.mkdir(parents=True, exist_ok=True)
    try:
        previous = current_version(index_dir)
    except IndexCorruptError:
        previous = None
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
    if signatures is not None:
        with (tmp / "minhash.npy").open("wb") as f:
            np.save(f, signatures, allow_pickle=False)
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
    _remove_stale(index_dir, keep={name, previous.name if previous else ""})
    return final


def _remove_stale(index_dir: Path, keep: set[str]) -> None:
    """Versions older than the previous one, and leftovers of crashed writers. Readers hold what they
    loaded in memory; nothing is read from disk after load."""
    for p in index_dir.iterdir():
        if p.name not in keep and (p.name.startswith(("v-", ".tmp-", ".CURRENT-"))):
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)


def vectors_by_id(index: Index, ids: list[int]) -> np.ndarray:
    import numpy as np

    return (
        np.vstack([index.vectors.reconstruct(int(i)) for i in ids])
        if ids
        else np.zeros((0, index.manifest.dim), "float32")
    )
