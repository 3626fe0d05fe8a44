"""Chat conversations kept across restarts, in one SQLite file.

The web chat keeps one file per collection, at `<collection root>/conversations.sqlite3`:

>>> from rag.conversations import ConversationStore, Turn, to_markdown
>>> store = ConversationStore(root / "conversations.sqlite3")
>>> conv = store.create("news", "Who recognised Juan Guaido?")
>>> store.add_turn(conv.id, Turn.from_answer(answer))  # answer: a rag.qa.Answer
>>> [(c.title, c.turns) for c in store.list("news")]
>>> print(to_markdown(store.get(conv.id)))

Every write is one transaction (BEGIN IMMEDIATE ... COMMIT), so a crash leaves no half-written turn.
The file is in WAL mode and one connection is shared by all threads behind a lock: Gradio calls
from several threads at once.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import secrets
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import RagError

if TYPE_CHECKING:
    from .qa import Answer

__all__ = [
    "Conversation",
    "ConversationInfo",
    "ConversationNotFoundError",
    "ConversationStore",
    "ConversationStoreError",
    "Turn",
    "to_markdown",
]

SCHEMA_VERSION = 1  # kept in PRAGMA user_version
TITLE_CHARS = 80
_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    collection TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_by_update ON conversations (collection, updated);
CREATE TABLE IF NOT EXISTS turns (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    question TEXT NOT NULL,
    kind TEXT NOT NULL,
    created TEXT NOT NULL,
    data TEXT NOT NULL,  -- Turn.to_dict() as JSON, for the chat to re-render
    PRIMARY KEY (conversation_id, position)
);
"""


class ConversationStoreError(RagError):
    """The conversations file cannot be opened, is damaged or was written by a newer version."""


class ConversationNotFoundError(RagError, LookupError):
    def __init__(self, conversation_id: str) -> None:
        self.conversation_id = conversation_id
        super().__init__(f"No conversation {conversation_id!r}; it may have been deleted. Pick one from the list")


@dataclass(frozen=True)
class Turn:
    """One question and its answer. Citations are dicts: n, source, title, sentence, metadata (str -> str)."""

    question: str
    text: str
    kind: str = "fact"
    notes: list[str] = field(default_factory=list)
    citations: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # Answer.warnings (rag/suspect.py)

    @classmethod
    def from_answer(cls, answer: Answer) -> Turn:
        """The turn for a `rag.qa.Answer`, each citation with the sentence that supports it."""
        citations = []
        for c in answer.citations:
            a, b = max(0, c.support_start - c.start), max(0, c.support_end - c.start)
            citations.append(
                {
                    "n": c.n,
                    "source": c.source,
                    "title": c.title,
                    "sentence": c.text[a:b].strip() if b > a else c.text.strip(),
                    "support_start": c.support_start,  # offsets in the cleaned article (rag.get_article)
                    "support_end": c.support_end,
                    "metadata": dict(c.metadata),
                    # the passage, so that a reopened conversation shows its sources as they were
                    "passage": c.text,
                    "start": c.start,
                    "end": c.end,
                    "score": c.score,
                }
            )
        return cls(answer.question, answer.text, answer.kind, list(answer.notes), citations, list(answer.warnings))

    def to_answer(self) -> Answer:
        """The turn as a `rag.qa.Answer` again (the chat shows it, and follow-ups take it as history)."""
        from .qa import Answer, Citation

        citations = [
            Citation(
                n=int(c["n"]),
                source=c["source"],
                title=c["title"],
                text=c.get("passage") or c["sentence"],
                start=int(c.get("start", c.get("support_start", 0))),
                end=int(c.get("end", c.get("support_end", 0))),
                score=float(c.get("score", 0.0)),
                support_start=int(c.get("support_start", 0)),
                support_end=int(c.get("support_end", 0)),
                metadata=dict(c.get("metadata") or {}),
            )
            for c in self.citations
        ]
        return Answer(
            self.question,
            self.text,
            citations,
            searched=self.question,
            kind=self.kind,
            notes=list(self.notes),
            warnings=list(self.warnings),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "text": self.text,
            "kind": self.kind,
            "notes": list(self.notes),
            "citations": [dict(c) for c in self.citations],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Turn:
        """The inverse of to_dict; missing fields take their defaults and unknown keys are ignored."""
        citations = [
            {
                **c,
                "n": int(c.get("n", 0)),
                "source": str(c.get("source", "")),
                "title": str(c.get("title", "")),
                "sentence": str(c.get("sentence", "")),
                "metadata": {str(k): str(v) for k, v in (c.get("metadata") or {}).items()},
            }
            for c in data.get("citations") or []
        ]
        notes = [str(n) for n in data.get("notes") or []]
        warnings = [str(w) for w in data.get("warnings") or []]
        return cls(
            str(data.get("question", "")),
            str(data.get("text", "")),
            str(data.get("kind", "fact")),
            notes,
            citations,
            warnings,
        )


@dataclass(frozen=True)
class ConversationInfo:
    """A conversation as the list shows it: no turns, only how many."""

    id: str
    title: str
    collection: str
    created: str  # ISO 8601, UTC
    updated: str
    turns: int


@dataclass(frozen=True)
class Conversation:
    id: str
    title: str
    collection: str
    created: str  # ISO 8601, UTC
    updated: str
    turns: list[Turn] = field(default_factory=list)


def make_title(text: str) -> str:
    """One line of at most TITLE_CHARS characters, cut at a word."""
    line = " ".join(text.split())
    if len(line) > TITLE_CHARS:
        cut = line[: TITLE_CHARS - 1]
        line = (cut.rsplit(" ", 1)[0] if " " in cut else cut).rstrip(" ,;:") + "…"
    return line or "Untitled conversation"


def _stamp(conn: sqlite3.Connection) -> str:
    """Now, in UTC, and later than any stamp already in the file.

    Why: two writes within one clock tick would otherwise tie, and "newest first" would be a guess.
    """
    now = datetime.now(UTC)
    (last,) = conn.execute("SELECT max(updated) FROM conversations").fetchone()
    if last and now <= datetime.fromisoformat(last):
        now = datetime.fromisoformat(last) + timedelta(microseconds=1)
    return now.isoformat(timespec="microseconds")


class ConversationStore:
    """Conversations in one SQLite file, created with its folder on first use.

    Args:
        path: the SQLite file, e.g. `<collection root>/conversations.sqlite3`.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _fix(self) -> str:
        return f"if it is damaged, move it aside (mv {self.path} {self.path}.bad) and a new one will be started"

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ConversationStoreError(f"Cannot create the folder for {self.path}: {e}") from None
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            (version,) = conn.execute("PRAGMA user_version").fetchone()
            if version > SCHEMA_VERSION:
                raise ConversationStoreError(
                    f"{self.path} was written by a newer version of rag (schema {version}; this one reads up to "
                    f"{SCHEMA_VERSION}); upgrade rag, or move the file aside to start afresh"
                )
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            if version < SCHEMA_VERSION:
                conn.execute("BEGIN IMMEDIATE")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
                conn.execute("COMMIT")
        except BaseException:
            conn.close()
            raise
        return conn

    @contextlib.contextmanager
    def _tx(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """The connection, under the lock; a write runs as one transaction. SQLite errors become typed ones."""
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = self._open()
                conn = self._conn
                if not write:
                    yield conn
                    return
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            except sqlite3.DatabaseError as e:
                busy = "locked" in str(e) or "busy" in str(e)
                fix = "another process is holding it; try again" if busy else self._fix()
                raise ConversationStoreError(f"Cannot use the conversations file {self.path} ({e}); {fix}") from e

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def create(self, collection: str, title: str) -> Conversation:
        """A new, empty conversation; the title is cut to one line of TITLE_CHARS characters."""
        title = make_title(title)
        with self._tx(write=True) as conn:
            cid, now = secrets.token_hex(8), _stamp(conn)
            conn.execute("INSERT INTO conversations VALUES (?, ?, ?, ?, ?)", (cid, title, collection, now, now))
        return Conversation(cid, title, collection, now, now, [])

    def add_turn(self, conversation_id: str, turn: Turn) -> None:
        """Append a turn after the last one and mark the conversation as updated now."""
        data = json.dumps(turn.to_dict(), ensure_ascii=False)
        with self._tx(write=True) as conn:
            now = _stamp(conn)
            if conn.execute("UPDATE conversations SET updated = ? WHERE id = ?", (now, conversation_id)).rowcount == 0:
                raise ConversationNotFoundError(conversation_id)
            (position,) = conn.execute(
                "SELECT coalesce(max(position) + 1, 0) FROM turns WHERE conversation_id = ?", (conversation_id,)
            ).fetchone()
            conn.execute(
                "INSERT INTO turns VALUES (?, ?, ?, ?, ?, ?)",
                (conversation_id, position, turn.question, turn.kind, now, data),
            )

    def list(self, collection: str | None = None, limit: int = 100) -> builtins.list[ConversationInfo]:
        """Conversations, most recently updated first; only `collection`'s when given."""
        query = (
            "SELECT c.id, c.title, c.collection, c.created, c.updated,"
            " (SELECT count(*) FROM turns t WHERE t.conversation_id = c.id) FROM conversations c"
            + (" WHERE c.collection = ?" if collection is not None else "")
            + " ORDER BY c.updated DESC, c.rowid DESC LIMIT ?"
        )
        params = (collection, limit) if collection is not None else (limit,)
        with self._tx() as conn:
            rows = conn.execute(query, params).fetchall()
        return [ConversationInfo(*row) for row in rows]

    def get(self, conversation_id: str) -> Conversation:
        """The conversation with its turns in order."""
        with self._tx() as conn:
            row = conn.execute(
                "SELECT id, title, collection, created, updated FROM conversations WHERE id = ?", (conversation_id,)
            ).fetchone()
            if row is None:
                raise ConversationNotFoundError(conversation_id)
            data = conn.execute(
                "SELECT data FROM turns WHERE conversation_id = ? ORDER BY position", (conversation_id,)
            ).fetchall()
        try:
            turns = [Turn.from_dict(json.loads(d)) for (d,) in data]
        except (ValueError, TypeError, AttributeError) as e:
            raise ConversationStoreError(f"A turn of {conversation_id!r} in {self.path} is unreadable ({e})") from e
        cid, title, collection, created, updated = row
        return Conversation(cid, title, collection, created, updated, turns)

    def rename(self, conversation_id: str, title: str) -> None:
        with self._tx(write=True) as conn:
            cur = conn.execute("UPDATE conversations SET title = ? WHERE id = ?", (make_title(title), conversation_id))
            if cur.rowcount == 0:
                raise ConversationNotFoundError(conversation_id)

    def delete(self, conversation_id: str) -> None:
        """Remove the conversation and its turns."""
        with self._tx(write=True) as conn:
            conn.execute("DELETE FROM turns WHERE conversation_id = ?", (conversation_id,))
            if conn.execute("DELETE FROM conversations WHERE id = ?", (conversation_id,)).rowcount == 0:
                raise ConversationNotFoundError(conversation_id)


# --- export -----------------------------------------------------------------------------------------
def _when(stamp: str) -> str:
    """'2024-05-01T12:30:05.123456+00:00' -> '2024-05-01 12:30 UTC'."""
    return f"{stamp[:16].replace('T', ' ')} UTC" if len(stamp) >= 16 else stamp


def _one_line(text: str) -> str:
    # subtle: a newline inside a quoted sentence would end the blockquote, and the rest would read as prose
    return " ".join(str(text).split())


def to_markdown(conversation: Conversation) -> str:
    """The conversation as Markdown: title, collection and dates, then each question, answer and sources."""
    c = conversation
    out = [
        f"# {_one_line(c.title)}",
        "",
        f"Collection: {c.collection} · started {_when(c.created)} · updated {_when(c.updated)}",
    ]
    for turn in c.turns:
        out += ["", "---", "", f"**Q:** {_one_line(turn.question)}", "", turn.text.strip()]
        for note in turn.notes:
            out += ["", f"_Note: {_one_line(note)}_"]
        for warning in turn.warnings:
            out += ["", f"**Warning:** {_one_line(warning)}"]
        if turn.citations:
            out += ["", "**Sources**", ""]
        for cite in turn.citations:
            meta = cite.get("metadata") or {}
            where = ", ".join(str(p) for p in (cite.get("source"), meta.get("source"), meta.get("date")) if p)
            out.append(f"- [{cite.get('n')}] {_one_line(cite.get('title') or '')}" + (f" ({where})" if where else ""))
            if sentence := _one_line(cite.get("sentence") or ""):
                out.append(f'  > "{sentence}"')
    return "\n".join(out) + "\n"
