"""Collections and adding files (rag/collections.py), and picking a collection (Settings.pick).
Pure file handling: no model is loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag import Settings
from rag.collections import (
    AddReport,
    CollectionError,
    add_files,
    create_collection,
    delete_collection,
    list_collections,
)
from rag.errors import ConfigError

ARTICLE = (
    b"Harbour bridge to reopen\n\nThe Glimmerton harbour bridge reopens on Monday after repairs, the council said.\n"
)


@pytest.fixture
def home(tmp_path: Path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes(ARTICLE)
    return Settings.load(corpus_dir=corpus, index_dir=tmp_path / "index", collections_dir=tmp_path / "collections")


def test_named_collections_live_in_their_own_folders_and_the_default_keeps_its_own(home: Settings) -> None:
    climate = home.pick(collection="climate")
    assert climate.corpus_dir == home.collections_dir / "climate" / "corpus"
    assert climate.index_dir == home.collections_dir / "climate" / "index"
    assert climate.collection == "climate"
    back = climate.pick(collection="default")
    assert back.collection == "default" and back.corpus_dir == Settings.load().corpus_dir
    assert climate.pick(index_dir="/tmp/x").index_dir == Path("/tmp/x")  # a folder given wins


@pytest.mark.parametrize("name", ["../etc", "a/b", ".hidden", "", "-x", "default", "x" * 65])
def test_a_collection_name_is_one_plain_folder_name(home: Settings, name: str) -> None:
    with pytest.raises(ConfigError, match="collection name"):
        create_collection(name, home)
    if name not in ("", "default"):  # "" and "default" pick the default collection
        with pytest.raises(ConfigError, match="collection name"):
            home.pick(collection=name)


def test_create_list_and_delete(home: Settings) -> None:
    assert [c.name for c in list_collections(home)] == ["default"]
    info = create_collection("climate", home)
    assert info.corpus_dir.is_dir() and info.files == 0 and not info.indexed
    with pytest.raises(CollectionError, match="already exists"):
        create_collection("climate", home)
    assert [c.name for c in list_collections(home)] == ["default", "climate"]
    delete_collection("climate", home)
    assert [c.name for c in list_collections(home)] == ["default"]
    with pytest.raises(CollectionError, match="No collection"):
        delete_collection("climate", home)
    with pytest.raises(CollectionError, match="cannot be deleted"):
        delete_collection("default", home)


def test_added_files_land_in_the_corpus_folder_and_never_outside_it(home: Settings, tmp_path: Path) -> None:
    report = add_files(
        [
            ("new.txt", ARTICLE.replace(b"Monday", b"Tuesday")),
            ("../escape.txt", ARTICLE),
            ("/etc/passwd.txt", ARTICLE),
            ("..\\win.txt", ARTICLE),
            (".hidden.txt", ARTICLE),
            ("notes.exe", ARTICLE),
        ],
        home,
    )
    assert report.added == ["new.txt"]
    assert set(report.refused) == {"../escape.txt", "/etc/passwd.txt", "..\\win.txt", ".hidden.txt", "notes.exe"}
    assert "plain file name" in report.refused["../escape.txt"] and "format" in report.refused["notes.exe"]
    assert sorted(p.name for p in home.corpus_dir.iterdir()) == ["a.txt", "new.txt"]  # no temporary file left
    assert not (tmp_path / "escape.txt").exists()


def test_same_name_other_content_is_a_conflict_unless_replacing(home: Settings) -> None:
    other = ARTICLE.replace(b"Monday", b"Friday")
    report = add_files([("a.txt", ARTICLE), ("a.txt", other)], home)
    assert report.unchanged == ["a.txt"] and report.conflicts == ["a.txt"] and not report.written
    assert (home.corpus_dir / "a.txt").read_bytes() == ARTICLE  # never overwritten without asking
    assert any("rename the file, or replace it" in line for line in report.lines())
    report = add_files([("a.txt", other)], home, replace=True)
    assert report.replaced == ["a.txt"] and (home.corpus_dir / "a.txt").read_bytes() == other


def test_unreadable_empty_and_oversized_files_are_refused_with_the_reason(home: Settings, tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(ARTICLE * 40)
    report = add_files(
        [
            ("binary.txt", bytes(range(256)) * 4),
            ("broken.pdf", b"%PDF-1.4 not really"),
            ("empty.md", b"  \n"),
            ("bad.json", b"{not json"),
            ("big.txt", big),
        ],
        home,
        max_bytes=2000,
    )
    assert not report.written
    assert report.refused["binary.txt"] == "binary file, not text"
    assert "unreadable PDF" in report.refused["broken.pdf"]
    assert "larger than" in report.refused["big.txt"]
    assert set(report.refused) == {"binary.txt", "broken.pdf", "empty.md", "bad.json", "big.txt"}
    assert sorted(p.name for p in home.corpus_dir.iterdir()) == ["a.txt"]


def test_a_latin1_upload_is_read_not_refused(home: Settings) -> None:
    text = "Café in Bogotá\n\nEl señor Pérez llegó a la reunión del Banco Central el martes, según fuentes oficiales."
    report = add_files([("latin.txt", text.encode("latin-1"))], home)
    assert report.added == ["latin.txt"]


def test_report_lines_say_what_happened_to_each_file() -> None:
    report = AddReport(added=["x.txt"], unchanged=["y.txt"], refused={"z.bin": "why"})
    assert report.lines() == ["added x.txt", "unchanged y.txt (the same file is already there)", "not added z.bin: why"]
