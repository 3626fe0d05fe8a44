"""Regression tests for the defects found when the chat and the CLI were attacked (issue 15), one or
more per defect, numbered as the issue numbers them. The CLI runs as a user runs it: a subprocess,
the real models, real files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag import Settings, index_status, sync_index
from rag.errors import BadFilterError, IndexLocationError
from rag.retrieve import check_filters


def rag(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rag.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})},
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The CLI failed with one line on stderr that starts with 'Error:' (never a traceback)."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    lines = [ln for ln in result.stderr.splitlines() if ln.strip() and not ln.startswith("warning:")]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


# 1. A pasted page (12,000+ characters) used to overflow the LLM's window: ValueError, 34-line traceback.
@pytest.mark.slow
def test_1_a_question_of_two_pages_is_cut_with_a_note_not_a_crash(settings: Settings) -> None:
    page = "Who is Russia's ambassador to Venezuela? " + " ".join(["Moscow sent more advisers to Caracas."] * 400)
    assert len(page) > 12_000
    for mode in ("auto", "explain"):
        r = rag("ask", page, "--mode", mode, "--index", str(settings.index_dir), "--corpus", str(settings.corpus_dir))
        assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]
        assert "The question was cut to its first" in r.stderr and r.stdout.strip()
    one_word = "Who is the ambassador " + "x" * 15_000 + "?"  # one 15,000-character "word"
    r = rag("ask", one_word, "--index", str(settings.index_dir), "--corpus", str(settings.corpus_dir))
    assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr[-2000:]


# 5. RAG_INDEX pointing at a file: FileExistsError traceback, and advice to run a command that crashed too.
@pytest.mark.slow
def test_5_an_index_path_that_is_a_file_is_one_line_naming_the_fix(tmp_path: Path, settings: Settings) -> None:
    afile = tmp_path / "index-file"
    afile.write_text("not a folder")
    for args in (["index"], ["index", "--rebuild"], ["ask", "Who backs Maduro?"]):
        line = one_line_error(rag(*args, env={"RAG_INDEX": str(afile), "RAG_CORPUS": str(settings.corpus_dir)}))
        assert "is a file, not a folder" in line and "--index" in line and "--rebuild" not in line
    with pytest.raises(IndexLocationError):
        index_status(index_dir=afile)
    assert afile.read_text() == "not a folder"


# 6. A missing corpus folder left an empty index folder holding a .lock behind.
def test_6_a_failed_first_build_leaves_no_folder_behind(tmp_path: Path) -> None:
    from rag.errors import CorpusError

    index = tmp_path / "index"
    with pytest.raises(CorpusError, match="No corpus folder"):
        sync_index(tmp_path / "missing", index)
    assert not index.exists()
    (tmp_path / "empty").mkdir()
    with pytest.raises(CorpusError, match="No readable articles"):
        sync_index(tmp_path / "empty", index)
    assert not index.exists()


# 7. --after 2019-13-45 was accepted without complaint.
@pytest.mark.parametrize(
    "filters",
    [
        {"after": "2019-13-45"},
        {"before": "2019-02-30"},
        {"date": "yesterday"},
        {"after": "2019-05-01", "before": "2019-01-01"},
    ],
)
def test_7_impossible_dates_are_refused(filters: dict[str, str]) -> None:
    with pytest.raises(BadFilterError, match=r"not a date|later than"):
        check_filters(filters)


def test_7_real_dates_and_outlet_lists_pass() -> None:
    assert check_filters({"after": "2019-01-05", "before": "2019-01-05T10:00", "source": ["BBC", " ", "CNN"]}) == {
        "after": "2019-01-05",
        "before": "2019-01-05",
        "source": ["BBC", "CNN"],
    }
    with pytest.raises(BadFilterError, match="Unknown filter"):
        check_filters({"colour": "red"})


@pytest.mark.slow
def test_7_the_cli_says_so_in_one_line(settings: Settings) -> None:
    r = rag("ask", "Who backs Maduro?", "--after", "2019-13-45", "--index", str(settings.index_dir))
    assert "'2019-13-45' is not a date; write it as YYYY-MM-DD" in one_line_error(r)


# 8. A Latin-1 file was skipped instead of read. 9. Skip reasons printed twice.
@pytest.mark.slow
def test_8_latin1_is_read_and_9_each_skip_is_reported_once(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bogota.txt").write_bytes(
        "Café con el señor Pérez\n\nEl señor Pérez llegó a Bogotá el martes para la reunión del Banco Central, "
        "según fuentes oficiales.".encode("latin-1")
    )
    (corpus / "photo.txt").write_bytes(bytes(range(256)) * 8)
    r = rag("index", "--corpus", str(corpus), "--index", str(tmp_path / "index"))
    assert r.returncode == 0, r.stderr
    assert "1 articles" in r.stdout and "skipped 1" in r.stdout
    assert r.stderr.count("photo.txt") == 1 and "bogota.txt" not in r.stderr
    from rag import get_article

    text = get_article("bogota.txt", index_dir=tmp_path / "index").text
    assert "señor Pérez llegó a Bogotá" in text


# 10. index_status() rejected corpus_dir=, though the README says every function takes it.
@pytest.mark.slow
def test_10_every_public_function_takes_the_folders_and_the_collection(settings: Settings) -> None:
    import inspect

    import rag

    for name in ("answer", "stream_answer", "retrieve", "sync_index", "build_index", "index_status", "get_article"):
        params = inspect.signature(getattr(rag, name)).parameters
        assert {"corpus_dir", "index_dir", "collection"} <= set(params), name
    status = index_status(corpus_dir=settings.corpus_dir, index_dir=settings.index_dir)
    assert status.articles == 5 and status.corpus_dir == str(settings.corpus_dir)
