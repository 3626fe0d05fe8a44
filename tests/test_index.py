"""Keeping the index in step with a changing folder: sync, rebuilds, wire copies, crash safety, locks,
damaged files. The sync tests use the real embedding model on real article files."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from rag import Settings, keyword, retrieve, store, sync_index
from rag.dedup import duplicate_of, signature
from rag.errors import IndexCorruptError, IndexLockedError
from rag.models import get_embedder

from .conftest import CORPUS, SHARED

RAG = [sys.executable, "-c", "from rag.cli import main; main()"]
NEW_STORY = (
    "Zorblax festival opens in Lisbon\n"
    "The Zorblax festival of street puppetry opened in Lisbon on Monday. Organisers said ten thousand "
    "visitors came on the first day, and the mayor promised a second stage next year."
)
DELETED_WORD = "Quintarelli"  # only in the article the test deletes


def _copy_corpus(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for f in sorted(CORPUS.glob("*.txt")):
        shutil.copy(f, dest / f.name)
    return dest


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The texts each call of the real embedder got (it still embeds them)."""
    calls: list[list[str]] = []
    embedder = get_embedder(Settings.load())
    real = embedder.embed

    def embed(texts: list[str], **kw: object) -> np.ndarray:
        calls.append(list(texts))
        return real(texts)

    monkeypatch.setattr(embedder, "embed", embed)
    return calls


def _vectors(idir: Path) -> dict[int, np.ndarray]:
    index = store.load(idir)
    return {cid: index.vectors.reconstruct(cid) for cid in index.chunks}


def test_key_words_fold_accents_as_the_question_is_typed() -> None:
    # "Guaidó" in the article is the "Guaido" a reader types: coverage of the question counts it
    assert keyword.key_words("Maduro called Guaidó a US puppet") >= keyword.key_words("Guaido Maduro")


def test_a_stop_word_is_one_in_every_form() -> None:
    # the question's "call" is the article's "called": neither is a key word the passage must hold
    assert keyword.key_words("What did Maduro call Guaido?") == {"maduro", "guaido"}
    assert keyword.key_words("the reports he quotes") == set()
    # verbs of naming and describing are a question's frame, as "say" is: the article says "called"
    assert keyword.key_words("What term did Maduro use to describe Guaido?") == {"term", "maduro", "guaido"}
    assert "puppet" in keyword.key_words("Maduro called Guaidó a US puppet")


# --- sync ---------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_sync_embeds_only_what_was_added_or_changed(tmp_path: Path, spy: list[list[str]]) -> None:
    corpus = _copy_corpus(tmp_path / "corpus")
    (corpus / "gone.txt").write_text(
        f"Violin maker honoured\nThe violin maker Aurelio {DELETED_WORD} was honoured by the city of Cremona."
    )
    s = Settings.load(corpus_dir=corpus, index_dir=tmp_path / "index")
    first = sync_index(settings=s)
    assert first.rebuilt and first.reason == "no index yet" and len(first.added) == 6 and first.written
    assert retrieve(DELETED_WORD, k=1, settings=s)[0].source == "gone.txt"
    before = store.load(s.index_dir)
    vectors_before = _vectors(s.index_dir)
    spy.clear()

    # nothing changed: nothing embedded, nothing written
    same = sync_index(settings=s)
    assert (same.added, same.changed, same.removed, same.embedded, same.written) == ([], [], [], 0, False)
    assert spy == []

    # an index whose keyword part was read another way (before accents were folded): rewritten, nothing embedded
    version = store.current_version(s.index_dir)
    manifest = json.loads((version / "manifest.json").read_text())
    (version / "manifest.json").write_text(json.dumps({**manifest, "keywords": ""}))
    again = sync_index(settings=s)
    assert again.written and again.embedded == 0 and spy == []
    assert store.read_manifest(s.index_dir).keywords == keyword.SCHEME
    assert sync_index(settings=s).written is False

    # add one, change one, delete one
    (corpus / "new.txt").write_text(NEW_STORY)
    changed = corpus / "002_6758639e3ac465d6.txt"
    changed.write_text(
        changed.read_text() + "\nLate on Friday the ministry issued a short statement about the talks.\n"
    )
    (corpus / "gone.txt").unlink()
    s2 = sync_index(settings=s)
    assert (s2.added, s2.changed, s2.removed) == (["new.txt"], ["002_6758639e3ac465d6.txt"], ["gone.txt"])
    assert not s2.rebuilt and s2.reason == "" and s2.seconds > 0 and s2.articles == 6
    embedded = [t for call in spy for t in call]
    assert len(embedded) == s2.embedded >= 2
    assert any("Zorblax" in t for t in embedded) and any("short statement" in t for t in embedded)
    assert all("Zorblax" in t or "short statement" in t for t in embedded)  # nothing else was embedded
    assert s2.reused >= 1  # the changed article's untouched chunks kept their vectors

    after = store.load(s.index_dir)
    untouched = {
        cid for cid, c in before.chunks.items() if c.article_id not in {"gone.txt", "002_6758639e3ac465d6.txt"}
    }
    assert untouched <= set(after.chunks)
    vectors_after = _vectors(s.index_dir)
    assert all(np.array_equal(vectors_before[cid], vectors_after[cid]) for cid in untouched)
    assert not any(c.article_id == "gone.txt" for c in after.chunks.values())
    assert s2.chunks == len(after.chunks) == after.vectors.ntotal == after.manifest.chunks

    # the keyword index follows: the new article's word is found, the deleted one's is not
    hits = retrieve("Zorblax puppetry festival", k=3, settings=s)
    assert hits[0].source == "new.txt"
    assert not any(p.source == "gone.txt" for p in retrieve(DELETED_WORD, k=5, settings=s))
    assert after.keyword.search(DELETED_WORD, 5) == []
    assert after.keyword.search("Zorblax", 5)


@pytest.mark.slow
def test_changed_chunking_or_model_forces_a_rebuild_with_a_reason(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for f in sorted(CORPUS.glob("*.txt"))[:2]:
        shutil.copy(f, corpus / f.name)
    s = Settings.load(corpus_dir=corpus, index_dir=tmp_path / "index")
    sync_index(settings=s)

    built = store.read_manifest(s.index_dir)
    assert built.chunk_tokens != 120
    smaller = sync_index(settings=s.replace(chunk_tokens=120))
    assert smaller.rebuilt and f"chunks of {built.chunk_tokens}/32" in smaller.reason and "120/32" in smaller.reason
    assert sorted(smaller.added) == sorted(p.name for p in corpus.iterdir())

    # the same weights under another name count as another model (what the manifest records)
    model = tmp_path / "other-minilm"
    model.symlink_to(get_embedder(s).path)  # type: ignore[attr-defined]
    other = sync_index(settings=s.replace(chunk_tokens=120, embedding_model=str(model)))
    assert other.rebuilt and "'other-minilm" in other.reason
    assert store.read_manifest(s.index_dir).embedding_model.startswith("other-minilm")


# --- wire copies --------------------------------------------------------------------------------------
def test_dedup_groups_copies_under_the_first_published() -> None:
    story = (CORPUS / "000_dd5b8fe50a26c3e0.txt").read_text().split("\n", 1)[1]
    other = (CORPUS / "003_4149bbab015b6a38.txt").read_text().split("\n", 1)[1]
    texts = {
        "wire-b": "MOSCOW (Wire) - " + story + " Additional reporting by our correspondent.",
        "wire-a": story,
        "wire-c": story[: int(len(story) * 0.85)],  # an outlet that cut the last paragraphs
        "other": other,
    }
    sigs = {k: signature(v) for k, v in texts.items()}
    order = {"wire-a": ("2019-03-02", "wire-a"), "wire-b": ("2019-03-01", "wire-b"), "wire-c": ("9999", "wire-c")}
    assert duplicate_of(sigs, order) == {"wire-a": "wire-b", "wire-c": "wire-b"}


@pytest.mark.slow
def test_wire_copies_are_marked_on_chunks_and_do_not_crowd_results(tmp_path: Path) -> None:
    corpus = _copy_corpus(tmp_path / "corpus")
    src = (CORPUS / "000_dd5b8fe50a26c3e0.txt").read_text()
    title, body = src.split("\n", 1)
    for n, outlet in enumerate(["Outlet One", "Outlet Two"]):
        (corpus / f"copy{n}.json").write_text(
            json.dumps(
                {
                    "title": title,
                    "body": body + f"\nThis story was carried by {outlet}.",
                    "source": outlet,
                    "date": f"2019-03-0{n + 5}",
                }
            )
        )
    s = Settings.load(corpus_dir=corpus, index_dir=tmp_path / "index")
    summary = sync_index(settings=s)
    original = "000_dd5b8fe50a26c3e0.txt"  # no date: ordered after dated copies, so copy0 is the first
    assert summary.duplicates == {original: "copy0.json", "copy1.json": "copy0.json"}
    index = store.load(s.index_dir)
    for c in index.chunks.values():
        assert c.metadata.get("duplicate_of") == summary.duplicates.get(c.article_id)
    assert index.articles["copy1.json"].metadata["duplicate_of"] == "copy0.json"
    question = "How many Russian contractors are said to be in Venezuela?"
    passages = retrieve(question, k=5, settings=s)
    group = {original, "copy0.json", "copy1.json"}
    texts = [p.text for p in passages if p.source in group]
    assert len(texts) == len(set(texts)) and len(texts) <= 2, [(p.source, p.text[:60]) for p in passages]

    # deleting the first copy moves the mark: the next sync rewrites metadata without embedding
    (corpus / "copy0.json").unlink()
    again = sync_index(settings=s)
    assert again.duplicates == {original: "copy1.json"} and again.embedded == 0
    assert {
        c.metadata.get("duplicate_of") for c in store.load(s.index_dir).chunks.values() if c.article_id == original
    } == {"copy1.json"}


# --- bad files, CLI -----------------------------------------------------------------------------------
@pytest.mark.slow
def test_cli_rebuild_reports_each_skipped_file(tmp_path: Path) -> None:
    corpus = _copy_corpus(tmp_path / "corpus")
    (corpus / "empty.txt").write_text("")
    (corpus / "latin1.txt").write_bytes("Título\nCafé".encode("latin-1"))
    (corpus / "binary.txt").write_bytes(b"\x00\x01" * 50)
    with (corpus / "huge.txt").open("wb") as f:
        f.truncate(50 * 2**20)
    (corpus / "loop.txt").symlink_to(corpus / "loop.txt")
    (corpus / "ünïcode name (2).txt").write_text("Odd name\nAn article with an odd but valid file name.")
    idir = tmp_path / "index"
    out = subprocess.run(
        [*RAG, "index", "--rebuild", "--corpus", str(corpus), "--index", str(idir)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "Rebuilt" in out.stdout and "7 articles" in out.stdout and "skipped 4" in out.stdout
    assert "latin1.txt" not in out.stderr  # read in its own encoding (issue 15, defect 8)
    for name, why in [
        ("empty.txt", "empty file"),
        ("binary.txt", "binary"),
        ("huge.txt", "larger than 20 MB"),
        ("loop.txt", "symbolic links"),
    ]:
        assert any(ln.startswith(f"skipped {name}: ") and why in ln for ln in out.stderr.splitlines()), (
            name,
            out.stderr,
        )
    assert "ünïcode name (2).txt" in store.load(idir).manifest.articles
    assert "latin1.txt" in store.load(idir).manifest.articles


@pytest.mark.slow
def test_unreadable_file_is_skipped_by_sync(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "001_f402c199f0a04fb1.txt", corpus / "ok.txt")
    (corpus / "secret.txt").write_text("Secret\nBody.")
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:  # tests run as root, who reads mode-000 files: deny explicitly
        if self.name == "secret.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    summary = sync_index(settings=Settings.load(corpus_dir=corpus, index_dir=tmp_path / "index"))
    assert [(s.path, s.reason) for s in summary.skipped] == [("secret.txt", "Permission denied")]
    assert summary.added == ["ok.txt"]


# --- locks --------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_second_writer_is_refused(settings: Settings, tmp_path: Path) -> None:
    idir = tmp_path / "index"
    shutil.copytree(settings.index_dir, idir)
    s = settings.replace(index_dir=idir)
    with store.WriteLock(idir):
        with pytest.raises(IndexLockedError, match="Another `rag index` is writing"):
            sync_index(settings=s)
        out = subprocess.run(
            [*RAG, "index", "--corpus", str(settings.corpus_dir), "--index", str(idir)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert out.returncode == 1
    assert out.stderr.strip().count("\n") == 0 and "Another `rag index` is writing" in out.stderr
    assert sync_index(settings=s).written is False  # free again once the first writer is done


# --- damaged index files ------------------------------------------------------------------------------
def _damage(version: Path, idir: Path, what: str) -> None:
    if what == "truncated vectors":
        path = version / "vectors.faiss"
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif what == "flipped byte in chunks":
        path = version / "chunks.jsonl"
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x20
        path.write_bytes(bytes(data))
    elif what == "truncated manifest":
        path = version / "manifest.json"
        path.write_text(path.read_text()[:100])
    elif what == "manifest without checksums":
        path = version / "manifest.json"
        path.write_text(json.dumps({**json.loads(path.read_text()), "files": {}}))
    elif what == "CURRENT names a missing version":
        (idir / "CURRENT").write_text("v-20000101T000000-abcdef\n")
    elif what == "CURRENT is garbage":
        (idir / "CURRENT").write_bytes(b"\x00\xff../../etc")
    elif what == "missing keyword index":
        shutil.rmtree(version / "keyword")


DAMAGE = [
    "truncated vectors",
    "flipped byte in chunks",
    "truncated manifest",
    "manifest without checksums",
    "CURRENT names a missing version",
    "CURRENT is garbage",
    "missing keyword index",
]


@pytest.mark.slow
@pytest.mark.parametrize("what", DAMAGE)
def test_damaged_index_is_detected_at_load(settings: Settings, tmp_path: Path, what: str) -> None:
    idir = tmp_path / "index"
    shutil.copytree(settings.index_dir, idir)
    version = store.current_version(idir)
    assert version is not None
    _damage(version, idir, what)
    with pytest.raises(IndexCorruptError, match="rag index --rebuild"):
        store.load(idir)


@pytest.mark.slow
def test_sync_recovers_from_a_damaged_index_by_rebuilding(settings: Settings, tmp_path: Path) -> None:
    idir = tmp_path / "index"
    shutil.copytree(settings.index_dir, idir)
    version = store.current_version(idir)
    assert version is not None
    _damage(version, idir, "truncated vectors")
    s = settings.replace(index_dir=idir)
    summary = sync_index(settings=s)
    assert summary.rebuilt and "damaged" in summary.reason and summary.articles == 5
    assert retrieve("How many Russian contractors are said to be in Venezuela?", k=1, settings=s)
    _damage(store.current_version(idir), idir, "CURRENT names a missing version")  # type: ignore[arg-type]
    out = subprocess.run(
        [*RAG, "index", "--corpus", str(settings.corpus_dir), "--index", str(idir)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert "Rebuilding:" in out.stderr and "missing" in out.stderr and "Rebuilt" in out.stdout
    assert len(store.load(idir).chunks) == summary.chunks


# --- kill -9 ------------------------------------------------------------------------------------------
MULTIHOP = SHARED / "eval-data" / "multihop-rag" / "corpus.json"
SLOW_FSYNC = "import os, time; f = os.fsync; os.fsync = lambda fd: (time.sleep(0.3), f(fd))[1]; "


def _start(corpus: Path, idir: Path, *, slow_save: bool) -> tuple[subprocess.Popen[str], list[str]]:
    """`rag index --rebuild` in a child process; its stderr lines are collected as they come.
    slow_save makes each fsync take 0.3 s (the real code, slowed) so the kill lands inside the save."""
    code = (SLOW_FSYNC if slow_save else "") + "from rag.cli import main; main()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "index", "--rebuild", "--corpus", str(corpus), "--index", str(idir)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
    )
    lines: list[str] = []

    def pump() -> None:
        assert proc.stderr is not None
        for chunk in iter(lambda: proc.stderr.read(64), ""):  # type: ignore[union-attr]
            lines.append(chunk)

    threading.Thread(target=pump, daemon=True).start()
    return proc, lines


def _wait_for(check: Callable[[], bool], proc: subprocess.Popen[str], what: str, timeout: float = 240) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if check():
            return
        assert proc.poll() is None, f"the indexer ended before {what}"
        time.sleep(0.005)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
@pytest.mark.skipif(not MULTIHOP.exists(), reason="needs ../shared/eval-data/multihop-rag")
def test_kill_9_during_rebuild_leaves_the_old_index(settings: Settings, tmp_path: Path) -> None:
    idir = tmp_path / "index"
    shutil.copytree(settings.index_dir, idir)  # the old index: the 5 bundled articles
    old_version = store.current_version(idir)
    big = tmp_path / "big"
    big.mkdir()
    for n, record in enumerate(json.loads(MULTIHOP.read_text())[:40]):  # ~500 chunks: several seconds of embedding
        (big / f"{n:03d}.json").write_text(json.dumps(record))
    question = "How many Russian contractors are said to be in Venezuela?"
    expected = retrieve(question, k=3, settings=settings)

    def check_old() -> None:
        assert store.current_version(idir) == old_version
        index = store.load(idir)
        assert set(index.manifest.articles) == {p.name for p in CORPUS.glob("*.txt")}
        assert len(index.chunks) == index.vectors.ntotal == index.manifest.chunks
        s = settings.replace(index_dir=idir, corpus_dir=big)
        assert retrieve(question, k=3, settings=s) == expected

    # 1: while embedding
    proc, lines = _start(big, idir, slow_save=False)
    _wait_for(lambda: "embedding" in "".join(lines), proc, "the embedding")  # after its first batch
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    check_old()

    # 2: while the new version is being written
    proc, lines = _start(big, idir, slow_save=True)
    _wait_for(lambda: any(p.name.startswith(".tmp-") for p in idir.iterdir()), proc, "the .tmp- folder")
    time.sleep(0.5)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    assert any(p.name.startswith(".tmp-") for p in idir.iterdir())  # killed half-way through the save
    check_old()
    with store.WriteLock(idir):  # the kernel dropped the dead writer's lock
        pass


# --- vector index types that cannot remove ids --------------------------------------------------------
def test_remove_vectors_rebuilds_an_index_that_cannot_remove() -> None:
    import faiss

    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 8)).astype("float32")
    ids = np.arange(100, 150, dtype="int64")
    for base in (faiss.IndexFlatIP(8), faiss.IndexHNSWFlat(8, 8)):
        index = faiss.IndexIDMap2(base)
        index.add_with_ids(x, ids)
        out = store.remove_vectors(index, [100, 149, 120])
        assert out.ntotal == 47
        assert sorted(faiss.vector_to_array(out.id_map)) == [i for i in range(100, 150) if i not in (100, 120, 149)]
        assert np.allclose(out.reconstruct(101), x[1])
        _, found = out.search(x[5:6], 1)
        assert found[0][0] == 105
