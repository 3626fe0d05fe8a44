"""Conversations in SQLite: kept across restarts, ordered, exported as Markdown, safe under threads."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from rag.conversations import (
    ConversationNotFoundError,
    ConversationStore,
    ConversationStoreError,
    Turn,
    to_markdown,
)
from rag.errors import RagError
from rag.qa import Answer, Citation

ARTICLE = (
    "Caracas, Jan 24. The United States recognised Juan Guaido as interim president on Wednesday.\n"
    "Russia called it a usurpation of power."
)
SENTENCE = "The United States recognised Juan Guaido as interim president on Wednesday."


def _answer() -> Answer:
    start = 200  # the passage's offset in the cleaned article
    s0 = start + ARTICLE.index(SENTENCE)
    citation = Citation(
        n=1,
        source="guaido.txt",
        title="U.S. backs Guaido",
        text=ARTICLE,
        start=start,
        end=start + len(ARTICLE),
        score=0.71,
        support_start=s0,
        support_end=s0 + len(SENTENCE),
        metadata={"source": "Reuters", "date": "2019-01-24"},
    )
    return Answer(
        "Who recognised Guaido?",
        "The United States recognised Guaido [1].",
        [citation],
        kind="fact",
        notes=["the question was cut"],
    )


def _turn(question: str, n: int = 1) -> Turn:
    citation = {"n": n, "source": "a.txt", "title": "A", "sentence": "S.", "metadata": {"source": "AP"}}
    return Turn(question, f"Answer to {question} [{n}].", "fact", [], [citation])


def test_turn_from_answer_keeps_the_supporting_sentence() -> None:
    turn = Turn.from_answer(_answer())
    assert (turn.question, turn.text, turn.kind, turn.notes) == (
        "Who recognised Guaido?",
        "The United States recognised Guaido [1].",
        "fact",
        ["the question was cut"],
    )
    (c,) = turn.citations
    assert c["sentence"] == SENTENCE
    assert (c["n"], c["source"], c["title"]) == (1, "guaido.txt", "U.S. backs Guaido")
    assert c["metadata"] == {"source": "Reuters", "date": "2019-01-24"}
    assert Turn.from_dict(turn.to_dict()) == turn


def test_a_saved_turn_is_an_answer_again_with_its_citations() -> None:
    original = _answer()
    again = Turn.from_answer(original).to_answer()
    assert (again.question, again.text, again.kind, again.notes) == (
        original.question,
        original.text,
        original.kind,
        original.notes,
    )
    assert again.citations == original.citations  # passage, offsets, score and metadata all kept


def test_round_trip_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "conversations.sqlite3"  # the folder is created on first use
    store = ConversationStore(path)
    conv = store.create("news", "Who recognised Guaido?")
    store.add_turn(conv.id, Turn.from_answer(_answer()))
    store.add_turn(conv.id, _turn("And Russia?", 2))
    store.close()

    again = ConversationStore(path).get(conv.id)  # a fresh store: as after a restart
    assert (again.id, again.title, again.collection, again.created) == (conv.id, conv.title, "news", conv.created)
    assert again.updated > conv.updated
    assert [t.question for t in again.turns] == ["Who recognised Guaido?", "And Russia?"]
    assert again.turns[0] == Turn.from_answer(_answer())
    with contextlib.closing(sqlite3.connect(path)) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_title_is_one_short_line(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.sqlite3")
    long = "Why did   the United States\nrecognise Juan Guaido " + "and what happened next " * 10
    title = store.create("news", long).title
    assert len(title) <= 80 and title.endswith("…") and "\n" not in title and "  " not in title
    assert title.startswith("Why did the United States recognise Juan Guaido")


def test_list_newest_first_with_counts(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.sqlite3")
    a = store.create("news", "first")
    b = store.create("news", "second")
    other = store.create("sports", "elsewhere")
    store.add_turn(a.id, _turn("q1"))
    store.add_turn(a.id, _turn("q2"))
    assert [(c.id, c.turns) for c in store.list("news")] == [(a.id, 2), (b.id, 0)]
    assert [c.id for c in store.list()] == [a.id, other.id, b.id]
    assert [c.id for c in store.list(limit=1)] == [a.id]
    store.add_turn(b.id, _turn("q3"))
    assert [c.id for c in store.list("news")] == [b.id, a.id]
    store.rename(b.id, "renamed")
    assert store.get(b.id).title == "renamed"


def test_delete_and_not_found(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.sqlite3")
    keep, gone = store.create("news", "keep"), store.create("news", "gone")
    store.add_turn(gone.id, _turn("q"))
    store.delete(gone.id)
    assert [c.id for c in store.list()] == [keep.id]
    for call in (
        lambda: store.get(gone.id),
        lambda: store.delete(gone.id),
        lambda: store.add_turn(gone.id, _turn("q")),
        lambda: store.rename(gone.id, "x"),
    ):
        with pytest.raises(ConversationNotFoundError, match=gone.id) as info:
            call()
        assert isinstance(info.value, RagError)
    with contextlib.closing(sqlite3.connect(tmp_path / "c.sqlite3")) as db:  # the turns went with it
        assert db.execute("SELECT count(*) FROM turns").fetchone() == (0,)


def test_markdown_export(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.sqlite3")
    conv = store.create("news", "Who recognised Guaido?")
    store.add_turn(conv.id, Turn.from_answer(_answer()))
    md = to_markdown(store.get(conv.id))
    assert md.startswith("# Who recognised Guaido?\n")
    assert "news" in md and conv.created[:10] in md
    assert "**Q:** Who recognised Guaido?" in md
    assert "The United States recognised Guaido [1]." in md
    assert "[1] U.S. backs Guaido (guaido.txt, Reuters, 2019-01-24)" in md
    assert f'> "{SENTENCE}"' in md
    assert "_Note: the question was cut_" in md


def test_markdown_quote_survives_a_newline(tmp_path: Path) -> None:
    store = ConversationStore(tmp_path / "c.sqlite3")
    conv = store.create("news", "q")
    cite = {"n": 3, "source": "b.txt", "title": "B", "sentence": "One line\n\nand  another.", "metadata": {}}
    store.add_turn(conv.id, Turn("q", "Answer [3].", "fact", [], [cite]))
    lines = to_markdown(store.get(conv.id)).splitlines()
    assert "- [3] B (b.txt)" in lines
    assert '  > "One line and another."' in lines


def test_damaged_file_is_a_typed_error(tmp_path: Path) -> None:
    path = tmp_path / "conversations.sqlite3"
    path.write_bytes(os.urandom(8192))
    with pytest.raises(ConversationStoreError) as info:
        ConversationStore(path).list()
    assert str(path) in str(info.value) and "move it aside" in str(info.value)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "conversations.sqlite3"
    ConversationStore(path).create("news", "q")
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA user_version = 99")
    with pytest.raises(ConversationStoreError, match="newer version"):
        ConversationStore(path).list()


def test_concurrent_add_turn(tmp_path: Path) -> None:
    """Threads on one store, and on a second store over the same file: every turn once, in order."""
    path = tmp_path / "c.sqlite3"
    stores = [ConversationStore(path), ConversationStore(path)]
    conv = stores[0].create("news", "busy")
    threads, per_thread = 8, 25
    errors: list[BaseException] = []

    def work(t: int) -> None:
        try:
            for i in range(per_thread):
                stores[t % 2].add_turn(conv.id, _turn(f"t{t}-{i}"))
        except BaseException as e:
            errors.append(e)

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for th in pool:
        th.start()
    for th in pool:
        th.join()
    assert not errors
    questions = [turn.question for turn in ConversationStore(path).get(conv.id).turns]
    assert sorted(questions) == sorted(f"t{t}-{i}" for t in range(threads) for i in range(per_thread))
    for t in range(threads):  # each thread's turns in the order it added them
        assert [q for q in questions if q.startswith(f"t{t}-")] == [f"t{t}-{i}" for i in range(per_thread)]
    with contextlib.closing(sqlite3.connect(path)) as db:
        positions = [p for (p,) in db.execute("SELECT position FROM turns ORDER BY position")]
    assert positions == list(range(threads * per_thread))
