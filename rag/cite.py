"""Tie an answer to the passages that support it, and decide when to say the articles don't say.

Citations are checked, never trusted: a statement keeps a citation only when the passage holds
its key words, names and numbers. The model's own [n] markers are kept when their passage passes
the check; otherwise the best passing passage is cited instead.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from .chunking import sentences
from .keyword import key_words
from .retrieve import Passage

MARKER = re.compile(r"\s*\[(\d+(?:\s*,\s*\d+)*)\]")
SUPPORT_MIN = 0.6  # share of a statement's key words that its passage must hold
DECLINE = re.compile(
    r"\b(?:articles?|passages?|text|context)\s+(?:do(?:es)?n[’']?t|do(?:es)?\s+not)\s+(?:say|mention|state|contain|specify|provide)"
    r"|\bnot\s+(?:mentioned|stated|specified|provided|given|available)\b|\bno\s+information\b"
    r"|\bcannot\s+(?:answer|be\s+determined)|\binsufficient\s+information\b|\bunknown\b|\bI\s+don[’']?t\s+know\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Support:
    passage: int  # index into the prompt's passages
    score: float  # share of the statement's key words found in the passage
    sentence_start: int  # offsets of the best supporting sentence, in the cleaned article
    sentence_end: int


def statements(answer: str) -> list[tuple[str, list[int]]]:
    """Split an answer into sentences, each with the passage numbers it cited as [n]."""
    out = []
    for s, e in sentences(answer):
        piece = answer[s:e]
        cited = [int(n) for m in MARKER.finditer(piece) for n in m.group(1).split(",")]
        text = MARKER.sub("", piece).strip()
        if text:
            out.append((text, cited))
    return out


def _share(statement: str, text: str) -> float | None:
    """The share of the statement's key words the text holds; None when it holds too few, or misses
    one of the statement's numbers (a number that is not in the text is never supported)."""
    want = key_words(statement)
    if not want or not all(n in text for n in re.findall(r"\d[\d,.]*\d|\d", statement)):
        return None
    score = len(want & key_words(text)) / len(want)
    return score if score >= SUPPORT_MIN else None


def holds(statement: str, text: str) -> bool:
    """Does the text support the statement (enough of its key words, all its numbers)?"""
    return _share(statement, text) is not None


def support(statement: str, passage: Passage, question: str = "") -> Support | None:
    """How well the passage supports the statement, and its best sentence; None below the bar."""
    score = _share(statement, passage.text)
    if score is None:
        return None
    want = key_words(statement)
    qwords = key_words(question)
    best, best_score = (0, len(passage.text)), -1.0
    for s, e in sentences(passage.text):
        sw = key_words(passage.text[s:e])
        sc = len(want & sw) / len(want) + 0.3 * (len(qwords & sw) / len(qwords) if qwords else 0)
        if sc > best_score:
            best, best_score = (s, e), sc
    return Support(-1, score, passage.start + best[0], passage.start + best[1])


def best_support(
    statement: str,
    passages: Sequence[Passage],
    question: str,
    prefer: Sequence[int] = (),
    evidence: Collection[int] = (),
) -> Support | None:
    """The passage that supports the statement: one the model cited if it passes, else the strongest;
    ties go to a passage whose sentence was in the prompt (`evidence`, 0-based: the model read it
    there), then to the passage that also matches the question, then to the better-ranked one."""
    qwords = key_words(question)
    found: list[tuple[float, float, int, Support]] = []
    for i, p in enumerate(passages):
        s = support(statement, p, question)
        if s is None:
            continue
        qscore = len(qwords & key_words(p.text)) / len(qwords) if qwords else 0.0
        found.append((s.score, qscore, -i, Support(i, s.score, s.sentence_start, s.sentence_end)))
    if not found:
        return None
    cited = [f for f in found if f[3].passage + 1 in prefer]
    pool = cited or found
    return max(pool, key=lambda f: (round(f[0], 2), f[3].passage in evidence, f[1], f[2]))[3]


# A question is answerable from the passages when they hold its rare words (IDF-weighted coverage),
# or most of them while the passage is also close in meaning. Calibrated on tests/data/questions.jsonl:
# every unanswerable question there falls below, every answerable one above (docs/answers.md).
COVERAGE_MIN = 0.5
COVERAGE_WITH_SIMILAR = 0.3
SIMILAR = 0.55
# an answer that spans articles: the retrieved passages together must hold this share (no one of them does)
SPREAD_COVERAGE = 0.4
QUOTE_COVERAGE = 0.4  # a sentence quoted as the answer must hold this share of the question's key words


def answerable(coverage: float, similarity: float) -> bool:
    return coverage >= COVERAGE_MIN or (coverage >= COVERAGE_WITH_SIMILAR and similarity >= SIMILAR)


_NUMBER_Q = re.compile(r"^\s*(?:how\s+(?:many|much|long|old|far)|(?:in\s+)?(?:what|which)\s+year|when)\b", re.I)
_NAME_Q = re.compile(r"^\s*(?:who|whom|whose|(?:what|which)\s+(?:is\s+the\s+)?name|which\s+\w+)\b", re.I)
_NUMBER_WORDS = re.compile(
    r"\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|dozens?|hundreds?|thousands?|millions?|billions?)\b",
    re.I,
)


def expected_type(question: str) -> str | None:
    """'number' for how many / what year / when, 'name' for who / which X; None otherwise."""
    if _NUMBER_Q.match(question):
        return "number"
    if _NAME_Q.match(question):
        return "name"
    return None


def has_expected_type(answer: str, question: str) -> bool:
    """Does the answer hold the kind of thing asked for (a number, or a name the question lacks)?"""
    kind = expected_type(question)
    if kind == "number":
        return bool(re.search(r"\d", answer) or _NUMBER_WORDS.search(answer))
    if kind == "name":
        asked = {w.lower() for w in re.findall(r"[\w’'-]+", question)}
        names = [w for w in re.findall(r"\b[A-Z][\w’'-]*", answer) if w.lower() not in asked]
        return bool(names)
    return True


def declines(answer: str) -> bool:
    """Did the model say the passages don't hold the answer?"""
    return not answer.strip() or bool(DECLINE.search(answer))
