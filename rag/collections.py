"""Collections: several sets of articles, each with its own corpus and index folder, and adding files.

The default collection is Settings.corpus_dir + Settings.index_dir (the bundled articles in corpus/).
Every other collection NAME lives in Settings.collections_dir/NAME/corpus and .../NAME/index.

Adding files (the chat's upload) writes each file into the collection's corpus folder:
- only formats the project reads (articles.SUFFIXES), at most MAX_UPLOAD_BYTES each, and only files
  it can read (a binary file, a broken PDF or JSON is refused with the reason, not written);
- under its own base name only: a name with a folder part, "..", or a leading dot is refused, so a file
  never lands outside the corpus folder;
- atomically (a temporary file, then a rename), so a reader never sees half a file;
- never over a different article of the same name unless asked (replace=True): an identical file
  is "unchanged", a different one a "conflict".
Then the caller syncs the index (sync_index), which reports what was added, changed and skipped.

Example usage:

    from rag import Settings
    from rag.collections import add_files, create_collection, list_collections

    settings = Settings.load()
    create_collection("climate", settings)
    report = add_files([("cop28.txt", b"COP28 ends...")], settings.pick(collection="climate"))
    print(report.lines(), [c.name for c in list_collections(settings)])
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .articles import MAX_FILE_BYTES, SUFFIXES, parse_file
from .config import DEFAULT_COLLECTION, Settings
from .errors import RagError

MAX_UPLOAD_BYTES = MAX_FILE_BYTES  # the most `rag index` reads from one file


class CollectionError(RagError):
    """A collection that does not exist, already exists, or cannot be changed that way."""


@dataclass(frozen=True)
class CollectionInfo:
    name: str
    corpus_dir: Path
    index_dir: Path
    files: int  # article files in its corpus folder
    indexed: bool  # whether an index has been built


@dataclass
class AddReport:
    """What add_files did with each file: written (new or replaced), unchanged, or refused with a reason."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # same name, other content: not written
    refused: dict[str, str] = field(default_factory=dict)  # name -> why

    @property
    def written(self) -> list[str]:
        return [*self.added, *self.replaced]

    def lines(self) -> list[str]:
        out = [f"added {n}" for n in self.added] + [f"replaced {n}" for n in self.replaced]
        out += [f"unchanged {n} (the same file is already there)" for n in self.unchanged]
        out += [
            f"not added {n}: a different article of that name exists; rename the file, or replace it"
            for n in self.conflicts
        ]
        out += [f"not added {n}: {why}" for n, why in self.refused.items()]
        return out


def _size(n: int) -> str:
    return f"{n / 2**20:.3g} MB" if n >= 2**20 else f"{n / 2**10:.3g} KB"


def _info(name: str, settings: Settings) -> CollectionInfo:
    s = settings.pick(collection=name)
    corpus = Path(s.corpus_dir)
    files = sum(1 for p in corpus.rglob("*") if p.is_file() and not p.name.startswith(".")) if corpus.is_dir() else 0
    return CollectionInfo(name, corpus, Path(s.index_dir), files, (Path(s.index_dir) / "CURRENT").is_file())


def list_collections(settings: Settings) -> list[CollectionInfo]:
    """The default collection first, then the named ones in collections_dir, by name."""
    root = Path(settings.collections_dir)
    names = sorted(p.name for p in root.iterdir() if (p / "corpus").is_dir()) if root.is_dir() else []
    return [_info(DEFAULT_COLLECTION, settings), *(_info(n, settings) for n in names if n != DEFAULT_COLLECTION)]


def create_collection(name: str, settings: Settings) -> CollectionInfo:
    """A new, empty collection (its corpus folder); raises CollectionError if it exists."""
    home = settings.collection_home(name.strip())  # ConfigError for a name that is not a plain folder name
    if home.exists():
        raise CollectionError(f"A collection named {name!r} already exists; pick it, or choose another name")
    (home / "corpus").mkdir(parents=True)
    return _info(name.strip(), settings)


def delete_collection(name: str, settings: Settings) -> None:
    """Remove a named collection: its articles and index. The default collection cannot be deleted."""
    if name == DEFAULT_COLLECTION:
        raise CollectionError("The default collection cannot be deleted; delete its files from corpus/ instead")
    home = settings.collection_home(name)
    if not home.is_dir():
        raise CollectionError(f"No collection named {name!r}; see the list of collections")
    from . import store

    with store.WriteLock(home / "index"):  # not while its index is being written
        if settings.store == "server":
            from .pgstore import PgStore

            st = PgStore.open(settings.pick(collection=name))
            with st.write_lock():
                st.drop()
        shutil.rmtree(home / "corpus", ignore_errors=True)
    shutil.rmtree(home)


def safe_name(name: str) -> str:
    """The file name an upload may be stored under, or ValueError saying why not."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if base != name.strip() or base in ("", ".", "..") or base.startswith("."):
        raise ValueError("the name must be a plain file name (no folders, no leading dot)")
    if any(ord(ch) < 32 for ch in base) or len(base.encode("utf-8")) > 200:
        raise ValueError("the name has control characters or is too long")
    if Path(base).suffix.lower() not in SUFFIXES:
        raise ValueError(f"not an article format; use {', '.join(sorted(SUFFIXES))}")
    return base


def add_files(
    files: list[tuple[str, bytes | Path]],
    settings: Settings,
    *,
    replace: bool = False,
    max_bytes: int = MAX_UPLOAD_BYTES,
) -> AddReport:
    """Write (name, content) pairs into settings.corpus_dir (see the module docstring for the rules);
    content is bytes or the path of a file to copy (its size is checked before it is read)."""
    corpus = Path(settings.corpus_dir)
    if not corpus.is_dir():
        raise CollectionError(f"No corpus folder at {corpus}; create the collection first")
    report = AddReport()
    for name, data in files:
        try:
            base = safe_name(name)
        except ValueError as e:
            report.refused[name] = str(e)
            continue
        size = data.stat().st_size if isinstance(data, Path) else len(data)
        if size > max_bytes:
            report.refused[base] = f"larger than the {_size(max_bytes)} an article may be"
            continue
        if isinstance(data, Path):
            data = data.read_bytes()
        try:  # read as `rag index` will: a file it would skip is not written at all
            if not any(a.text.strip() for a in parse_file(Path(base), base, data)):
                raise ValueError("no article text after cleaning")
        except (ValueError, RecursionError) as e:
            report.refused[base] = str(e) or type(e).__name__
            continue
        target = corpus / base
        if target.exists():
            if target.read_bytes() == data:
                report.unchanged.append(base)
                continue
            if not replace:
                report.conflicts.append(base)
                continue
        fd, tmp = tempfile.mkstemp(dir=corpus, prefix=".upload-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            existed = target.exists()
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        (report.replaced if existed else report.added).append(base)
    return report
