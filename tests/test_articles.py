"""Reading and cleaning articles (pure logic, no models)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.articles import clean_text, load_corpus
from rag.errors import CorpusError

from .conftest import CORPUS, SHARED

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


def test_clean_text_drops_an_advertisement_marker_between_paragraphs() -> None:
    raw = "Savannah Montano was a trending name.\n\nADVERTISEMENT Article continues below this ad\n\nShe moved on."
    assert clean_text(raw) == "Savannah Montano was a trending name.\n\nShe moved on."


def test_clean_text_drops_a_widgets_loading_placeholder() -> None:
    """The Age and The Sydney Morning Herald leave "Loading" where an embed was: it had made "Loading Google" the
    name of a company in answers."""
    raw = (
        "The Nasdaq lost 1.6 per cent.\n\nLoading September has brought a loss. Loading Wall Street has dealt with it."
    )
    assert (
        clean_text(raw)
        == "The Nasdaq lost 1.6 per cent.\n\nSeptember has brought a loss. Wall Street has dealt with it."
    )
    kept = "Loading the ships took days. The page said: loading docks were full."
    assert clean_text(kept) == kept


def test_clean_text_drops_related_headlines_but_not_the_next_paragraph() -> None:
    raw = "Story starts here.\nRelated Posts\nSome Other Headline\nAnother one…\nThe story goes on, fully.\n"
    assert clean_text(raw) == "Story starts here.\n\nThe story goes on, fully."


def test_formats(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Markdown title\n\nBody of the markdown article.\n")
    (tmp_path / "b.json").write_text(
        json.dumps(
            {
                "title": "JSON title",
                "body": "JSON body text.",
                "source": "TechCrunch",
                "published_at": "2023-10-01T14:00:29+00:00",
                "author": "A. Writer",
            }
        )
    )
    (tmp_path / "c.jsonl").write_text("\n".join(json.dumps({"title": f"T{i}", "text": f"Text {i}."}) for i in range(3)))
    (tmp_path / "d.html").write_text(
        "<html><head><title>HTML title</title></head><body><nav>Home | About | Contact</nav>"
        "<article><h1>HTML title</h1><p>"
        + "The council approved the new budget on Tuesday after a long debate. " * 5
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
    assert sorted(a.id for a in corpus.articles) == ["good.txt", "latin1.txt", "odd name ✓ (1).txt"]
    latin1 = next(a for a in corpus.articles if a.id == "latin1.txt")  # read in its own encoding (defect 8)
    assert latin1.title == "Título" and "Café con leche" in latin1.text
    reasons = {s.path: s.reason for s in corpus.skipped}
    assert reasons["empty.txt"] == "empty file"
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


# --- more formats -----------------------------------------------------------------------------------
def tiny_pdf(lines: list[str]) -> bytes:
    """A minimal valid one-page PDF (Helvetica text, correct xref), written by hand."""
    text = " ".join(f"({ln}) Tj T*" for ln in lines)
    stream = f"BT /F1 12 Tf 14 TL 72 720 Td {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_pdf_markdown_front_matter_and_html_metadata(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_bytes(
        tiny_pdf(
            ["Harbour bridge reopens", "The harbour bridge reopened on Friday after repairs.", "Traffic was light."]
        )
    )
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog")
    (tmp_path / "note.md").write_text(
        '---\ntitle: "Council votes"\ndate: 2024-02-01\nsource: Town Crier\nauthor: Jo Bloggs\n'
        "url: https://crier.example/votes\n---\n## Budget\n\nThe **council** voted for the [new budget](https://x.example) today.\n"
    )
    (tmp_path / "page.html").write_text(
        "<html><head><title>Dam opens</title><meta property='og:site_name' content='Daily Planet'>"
        "<meta name='author' content='Lois Lane'><meta property='article:published_time' content='2024-03-05T10:00:00Z'>"
        "<link rel='canonical' href='https://planet.example/dam'></head><body><nav>Home | Sport | Weather</nav>"
        "<article><h1>Dam opens</h1><p>"
        + "The new dam opened on Tuesday and will power ten thousand homes. " * 4
        + "</p></article><footer>Copyright 2024 Daily Planet. All rights reserved.</footer></body></html>"
    )
    corpus = load_corpus(tmp_path)
    by_id = {a.id: a for a in corpus.articles}
    pdf = by_id["report.pdf"]
    assert pdf.title == "Harbour bridge reopens"
    assert "reopened on Friday after repairs" in pdf.text
    assert [s.path for s in corpus.skipped] == ["broken.pdf"] and "PDF" in corpus.skipped[0].reason
    md = by_id["note.md"]
    assert md.title == "Council votes"
    assert md.metadata == {
        "source": "Town Crier",
        "date": "2024-02-01",
        "author": "Jo Bloggs",
        "url": "https://crier.example/votes",
    }
    assert "The council voted for the new budget today." in md.text and "**" not in md.text and "##" not in md.text
    html = by_id["page.html"]
    assert html.metadata == {
        "source": "Daily Planet",
        "date": "2024-03-05",
        "author": "Lois Lane",
        "url": "https://planet.example/dam",
    }
    assert (
        html.text.startswith("The new dam opened") and "Home | Sport" not in html.text and "Copyright" not in html.text
    )


def test_content_hash_follows_what_is_indexed(tmp_path: Path) -> None:
    """Reordered JSON keys or extra whitespace change no hash; a changed word does."""
    record = {"title": "T", "body": "Body text here.", "source": "S"}
    (tmp_path / "a.json").write_text(json.dumps(record))
    h1 = load_corpus(tmp_path).articles[0].hash
    (tmp_path / "a.json").write_text(json.dumps(dict(reversed(list(record.items()))), indent=4))
    assert load_corpus(tmp_path).articles[0].hash == h1
    (tmp_path / "a.json").write_text(json.dumps({**record, "body": "Body text there."}))
    assert load_corpus(tmp_path).articles[0].hash != h1


MULTIHOP = SHARED / "eval-data" / "multihop-rag" / "corpus.json"


@pytest.mark.skipif(not MULTIHOP.exists(), reason="needs ../shared/eval-data/multihop-rag")
def test_multihop_corpus_json_loads_as_a_collection_with_metadata_on_every_chunk(tmp_path: Path) -> None:
    from rag import Settings
    from rag.chunking import chunk_articles
    from rag.models import get_embedder

    (tmp_path / "corpus.json").symlink_to(MULTIHOP)
    corpus = load_corpus(tmp_path)
    records = json.loads(MULTIHOP.read_text())
    assert len(corpus.articles) == len(records) == 609 and not corpus.skipped
    first = corpus.articles[0]
    assert first.id == "corpus.json#0" and first.title == records[0]["title"]
    assert first.metadata["source"] == records[0]["source"] and first.metadata["url"] == records[0]["url"]
    assert first.metadata["date"] == records[0]["published_at"][:10]
    assert "author" not in first.metadata  # "None" in the data means no author
    with_author = next(a for a, r in zip(corpus.articles, records, strict=True) if r["author"] not in (None, "None"))
    assert with_author.metadata["author"]
    # every chunk carries its article's metadata (the tokenizer only: no model is loaded)
    count = get_embedder(Settings.load()).count_tokens
    sample = corpus.articles[:25]
    chunks = chunk_articles(sample, count, 160, 32)
    by_id = {a.id: a for a in sample}
    assert len(chunks) > len(sample)
    assert all(c.metadata == by_id[c.article_id].metadata and c.metadata.get("url") for c in chunks)


# --- more bad files -----------------------------------------------------------------------------------
def test_every_kind_of_bad_file_is_reported_and_the_rest_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    (tmp_path / "good.txt").write_text("Good\nA good article body.")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "nested.md").write_text("# Nested\nAn article in a sub folder.")
    (tmp_path / "sub" / "up").symlink_to(tmp_path)  # a folder loop
    big = tmp_path / "huge.txt"
    with big.open("wb") as f:  # 50 MB, sparse: made at once, and must never be read
        f.truncate(50 * 2**20)
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")  # a file loop
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would block for ever
    (tmp_path / "whitespace.md").write_text("  \n\n ")
    (tmp_path / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    (tmp_path / "bad.jsonl").write_text('{"title": "ok", "text": "fine."}\n{oops\n')
    fd = os.open(os.fsencode(tmp_path) + b"/caf\xe9.txt", os.O_WRONLY | os.O_CREAT)  # latin-1 name
    os.write(fd, b"Cafe\nA story in a badly named file.")
    os.close(fd)
    odd = ["-dash leading.txt", "new\nline.txt", "quote\"s and 'ticks'.txt", "emoji 📰.txt", "spaces   many.txt"]
    for name in odd:
        (tmp_path / name).write_text(f"{name}\nAn article whose file name is odd but valid.")
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        assert self.name != "huge.txt", "the 50 MB file was read"
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    corpus = load_corpus(tmp_path)
    assert sorted(a.id for a in corpus.articles) == sorted(["good.txt", "sub/nested.md", *odd])
    reasons = {s.path: s.reason for s in corpus.skipped}
    assert "larger than 20 MB" in reasons["huge.txt"]
    assert "symbolic links" in reasons["a.txt"] and "symbolic links" in reasons["b.txt"]
    assert "No such file" in reasons["dangling.txt"]
    assert reasons["pipe.txt"] == "not a regular file"
    assert reasons["whitespace.md"] == "empty file"
    assert "not an article format" in reasons["photo.jpg"]
    assert "line 2 is not JSON" in reasons["bad.jsonl"]
    assert "symlink loop" in reasons["sub/up"]
    assert "not UTF-8" in reasons["caf\\xe9.txt"]
    assert len(reasons) == 10
