"""Reading and cleaning articles (pure logic, no models)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.articles import clean_text, load_corpus
from rag.errors import CorpusError

from .conftest import CORPUS

BOILERPLATE = [
    "Advertisement",
    "Subscribe to our newsletter",
    "Sign up here to get the latest news",
    "Get real time updates",
    "Related Posts",
    "Why Doesn’t Elizabeth Warren Fund Her Own Childcare Plan",
    "Tiananmen",
    "Please follow and like us",
    "About the Author",
    "Have lived and invested in Venezuela",
    "Please contribute",
    "0 2,738",
    "https://t.co",
    "(@JuliaEAinsley)",
    "originally posted on PanAm Post",
]


def test_bundled_articles_lose_their_boilerplate_and_keep_the_story() -> None:
    corpus = load_corpus(CORPUS)
    assert len(corpus.articles) == 5 and not corpus.skipped
    text = "\n".join(a.text for a in corpus.articles)
    for junk in BOILERPLATE:
        assert junk not in text, junk
    # the story survives
    for fact in ["about 400", "S-300", "The Lima Group has 14 countries", "Rosneft", "Craig Faller", "Hua Chunying"]:
        assert fact in text, fact
    titles = {a.id: a.title for a in corpus.articles}
    assert titles["002_6758639e3ac465d6.txt"] == "Latin America’s US puppets beg Russia to stop helping Venezuela"


def test_clean_text_drops_related_headlines_but_not_the_next_paragraph() -> None:
    raw = "Story starts here.\nRelated Posts\nSome Other Headline\nAnother one…\nThe story goes on, fully.\n"
    assert clean_text(raw) == "Story starts here.\n\nThe story goes on, fully."


def test_formats(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Markdown title\n\nBody of the markdown article.\n")
    (tmp_path / "b.json").write_text(json.dumps({"title": "JSON title", "body": "JSON body text.", "source": "TechCrunch",
                                                  "published_at": "2023-10-01T14:00:29+00:00", "author": "A. Writer"}))
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps({"title": f"T{i}", "text": f"Text {i}."}) for i in range(3)))
    (tmp_path / "d.html").write_text(
        "<html><head><title>HTML title</title></head><body><nav>Home | About | Contact</nav>"
        "<article><h1>HTML title</h1><p>" + "The council approved the new budget on Tuesday after a long debate. " * 5
        + "</p></article><footer>Copyright 2024</footer></body></html>"
    )
    corpus = load_corpus(tmp_path)
    by_id = {a.id: a for a in corpus.articles}
    assert by_id["a.md"].title == "Markdown title"
    assert by_id["b.json"].metadata == {"source": "TechCrunch", "date": "2023-10-01", "author": "A. Writer"}
    assert {"c.jsonl#0", "c.jsonl#1", "c.jsonl#2"} <= set(by_id)
    assert "council approved the new budget" in by_id["d.html"].text
    assert "Home | About" not in by_id["d.html"].text


def test_bad_files_are_skipped_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("Title\nA good article body.")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "latin1.txt").write_bytes("Título\nCafé con leche".encode("latin-1"))
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "broken.json").write_text("{not json")
    (tmp_path / "odd name ✓ (1).txt").write_text("Odd\nA file with an odd name.")
    (tmp_path / "loop").symlink_to(tmp_path)
    corpus = load_corpus(tmp_path)
    assert sorted(a.id for a in corpus.articles) == ["good.txt", "odd name ✓ (1).txt"]
    reasons = {s.path: s.reason for s in corpus.skipped}
    assert reasons["empty.txt"] == "empty file"
    assert "UTF-8" in reasons["latin1.txt"]
    assert "binary" in reasons["binary.txt"]
    assert "broken.json" in reasons


def test_unreadable_file_is_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "good.txt").write_text("Title\nBody.")
    secret = tmp_path / "secret.txt"
    secret.write_text("Title\nBody.")
    secret.chmod(0)
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:  # root reads mode-000 files, so make the denial explicit
        if self.name == "secret.txt":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    corpus = load_corpus(tmp_path)
    assert [(s.path, s.reason) for s in corpus.skipped] == [("secret.txt", "Permission denied")]


def test_missing_or_empty_corpus_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="No corpus folder"):
        load_corpus(tmp_path / "nope")
    with pytest.raises(CorpusError, match="No readable articles"):
        load_corpus(tmp_path)
