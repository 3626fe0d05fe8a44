"""Article -> Chunks: sentence-aware, sized in the embedding model's word pieces, with overlap. Pure."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .articles import Article

TokenCounter = Callable[[str], int]

# A sentence ends at . ! ? or … (optionally followed by a closing quote or bracket) before whitespace
# and a capital, digit or opening quote; or at a paragraph break.
_SENTENCE_END = re.compile(r"(?<=[.!?…])([”\"’)\]]?)\s+(?=[A-Z0-9“\"‘(])|\n\s*\n")
_ABBREV = re.compile(
    r"\b(?:[A-Z]|U\.S|U\.K|Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gen|Col|Lt|St|Jr|Sr|Inc|Corp|Co|No|vs|etc|e\.g|i\.e|Jan|Feb|Mar|Apr|Aug|Sept?|Oct|Nov|Dec)\.$"
)


@dataclass(frozen=True)
class Chunk:
    id: int  # stable int64 id, the FAISS id
    article_id: str
    title: str
    text: str  # the passage, exactly Article.text[start:end]
    start: int
    end: int
    metadata: dict[str, str] = field(default_factory=dict)

    def indexed_text(self) -> str:
        """What gets embedded and keyword-indexed: a header with title and outlet, then the passage."""
        return header(self.title, self.metadata) + self.text


MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def date_words(iso: str) -> str:
    """2023-10-01 -> October 1, 2023: the way questions and articles write dates (others unchanged)."""
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        return iso
    return f"{MONTHS[int(m.group(2)) - 1]} {int(m.group(3))}, {m.group(1)}"


def header(title: str, metadata: dict[str, str]) -> str:
    """The line indexed before each chunk: title | outlet | date in words."""
    parts = [title.strip()]
    if metadata.get("source"):
        parts.append(metadata["source"])
    if metadata.get("date"):
        parts.append(date_words(metadata["date"]))
    return " | ".join(p for p in parts if p) + "\n"


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences in text, whitespace trimmed."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        # subtle: "U.S. officials" and "Mr. Smith" end in a full stop but do not end a sentence
        if "\n" not in m.group(0) and _ABBREV.search(text[max(start, m.start() - 6) : m.start()]):
            continue
        spans.append((start, m.start() + len(m.group(1) or "")))  # a closing quote ends the sentence
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _split_long(text: str, s: int, e: int, count: TokenCounter, budget: int) -> list[tuple[int, int]]:
    """Cut one over-long sentence at word boundaries so each piece fits the budget."""
    pieces: list[tuple[int, int]] = []
    words = [(m.start() + s, m.end() + s) for m in re.finditer(r"\S+", text[s:e])]
    i = 0
    while i < len(words):
        j = i + 1
        while j < len(words) and count(text[words[i][0] : words[j][1]]) <= budget:
            j += 1
        pieces.append((words[i][0], words[j - 1][1]))
        i = j
    return pieces


def chunk_article(
    article: Article, count: TokenCounter, max_tokens: int = 160, overlap: int = 32, id_base: int = 0
) -> list[Chunk]:
    """Pack whole sentences into chunks of at most max_tokens (header included); the next chunk
    starts with the last sentences of the previous one, up to `overlap` tokens."""
    budget = max_tokens - count(header(article.title, article.metadata))
    if budget < 16:
        budget = 16  # a pathological title: still make progress
    text = article.text
    spans: list[tuple[int, int]] = []
    for s, e in sentences(text):
        spans.extend([(s, e)] if count(text[s:e]) <= budget else _split_long(text, s, e, count, budget))
    costs = [count(text[s:e]) for s, e in spans]

    chunks: list[Chunk] = []
    i = 0
    while i < len(spans):
        j, used = i, 0
        while j < len(spans) and used + costs[j] <= budget:
            used += costs[j]
            j += 1
        j = max(j, i + 1)
        start, end = spans[i][0], spans[j - 1][1]
        chunks.append(
            Chunk(id_base + len(chunks), article.id, article.title, text[start:end], start, end, article.metadata)
        )
        if j >= len(spans):
            break
        # step back over whole sentences for the overlap, but always move forward
        k, back = j, 0
        while k - 1 > i and back + costs[k - 1] <= overlap:
            k -= 1
            back += costs[k]
        i = k
    return chunks


def chunk_articles(
    articles: Iterable[Article], count: TokenCounter, max_tokens: int, overlap: int, first_id: int = 0
) -> list[Chunk]:
    out: list[Chunk] = []
    for article in articles:
        out.extend(chunk_article(article, count, max_tokens, overlap, first_id + len(out)))
    return out
