"""BM25 keyword index over the chunks' indexed text (bm25s, English stemming and stop words).

Dense search misses exact names, numbers and outlets; BM25 finds them. The index is built with
the vectors and saved beside them, never per query.
"""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

# Words that carry no content in a question or a statement (on top of the usual stop words).
STOP = frozenset(
    """
    a an the and or but if of to in on at by for with from as is are was were be been being has have had do
    does did this that these those it its they them their there here he she his her him we our you your i me
    my not no so than then too very can could will would should may might must about into over after before
    also just which who whom whose what when where why how all any both each few more most other some such
    only own same s t said says say according name named called quoted described use besides article articles
    reported
    """.split()  # noqa: SIM905  (a word list reads best as words)
)


def _quiet() -> None:
    import logging

    logging.getLogger("bm25s").setLevel(logging.ERROR)


def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


# how key_words reads a text: an index whose keyword part was built another way is rebuilt on its next sync
SCHEME = "stem-fold-3"


def key_words(text: str) -> set[str]:
    """Stemmed content words, accents off: what lexical checks compare (question coverage, citation
    support). "Guaidó" in an article is the question's "Guaido"."""
    from .lexicon import fold

    words = [w for w in re.findall(r"[\w']+", fold(text)) if w not in STOP]
    words = [w.removesuffix("'s") for w in words if len(w) > 1 or w.isdigit()]
    # a stop word in any form: the question's "call" is the article's "called", "reports" is "reported"
    return set(_cached_stemmer().stemWords(words)) - _stop_stems()


@lru_cache(maxsize=1)
def _cached_stemmer() -> Any:
    return _stemmer()


@lru_cache(maxsize=1)
def _stop_stems() -> frozenset[str]:
    return frozenset(_cached_stemmer().stemWords(sorted(STOP)))


def tokenize(texts: list[str]) -> list[list[str]]:
    import bm25s

    out = bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)
    return [list(t) for t in out]  # type: ignore[union-attr]


class KeywordIndex:
    def __init__(self, retriever: Any, ids: list[int], df: dict[str, int] | None = None) -> None:
        self.retriever = retriever
        self.ids = ids
        self.vocab: dict[str, int] = retriever.vocab_dict if retriever is not None else {}
        self.df = df or {}  # key word -> number of chunks holding it

    def idf(self, word: str) -> float:
        """Rarity of a key word in this collection; a word the collection lacks counts as rarest."""
        n = len(self.ids)
        return math.log((n + 1) / (min(self.df.get(word, 0), n) + 0.5))

    def coverage(self, question: str, text: str) -> float:
        """IDF-weighted share of the question's key words that the text holds (0..1)."""
        want = key_words(question)
        total = sum(self.idf(w) for w in want)
        return sum(self.idf(w) for w in want & key_words(text)) / total if total > 0 else 0.0

    @classmethod
    def build(cls, texts: list[str], ids: list[int]) -> KeywordIndex:
        import bm25s

        if not texts:
            return cls(None, [])
        _quiet()
        retriever = bm25s.BM25()  # Lucene BM25, k1=1.5, b=0.75
        retriever.index(tokenize(texts), show_progress=False)
        df: dict[str, int] = {}
        for text in texts:
            for w in key_words(text):
                df[w] = df.get(w, 0) + 1
        return cls(retriever, list(ids), df)

    def search(self, query: str, k: int) -> list[tuple[int, float]]:
        """(chunk id, BM25 score) best first; empty when no query word is in the collection."""
        if self.retriever is None or not self.ids:
            return []
        tokens = [t for t in tokenize([query])[0] if t in self.vocab]
        if not tokens:
            return []
        k = min(k, len(self.ids))
        docs, scores = self.retriever.retrieve([tokens], k=k, show_progress=False, n_threads=1)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0], strict=False) if s > 0]

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "ids.json").write_text(json.dumps(self.ids))
        (folder / "df.json").write_text(json.dumps(self.df, ensure_ascii=False))
        if self.retriever is not None:
            self.retriever.save(str(folder))

    @classmethod
    def load(cls, folder: Path) -> KeywordIndex:
        import bm25s

        saved = json.loads((folder / "ids.json").read_text())
        if not saved:
            return cls(None, [])
        _quiet()
        df = json.loads((folder / "df.json").read_text())
        return cls(bm25s.BM25.load(str(folder)), saved, df)


# --- BM25 as sparse vectors (the server store, rag/pgstore.py) -------------------------------------
# A chunk is stored as its BM25 term weights tf / (tf + k1 (1 - b + b dl/avgdl)) and a question as
# count x idf per term: their inner product is bm25s's Lucene BM25 score. The IDF is on the question's
# side, so adding articles changes only the document frequencies, never another chunk's vector.
# Terms are hashed into TERM_SPACE dimensions: no shared vocabulary is needed across shards or workers.
K1, B = 1.5, 0.75  # bm25s's defaults, as KeywordIndex.build uses them
TERM_SPACE = 1_000_000_000  # pgvector's largest sparsevec dimension


def term_id(token: str) -> int:
    """A token's dimension in the sparse BM25 vectors (stable across processes and machines)."""
    import hashlib

    return int.from_bytes(hashlib.blake2b(token.encode("utf-8", "surrogatepass"), digest_size=8).digest()) % TERM_SPACE


def term_counts(text: str) -> dict[int, int]:
    """Term id -> count in the text, tokenised as the keyword index tokenises."""
    counts: dict[int, int] = {}
    for token in tokenize([text])[0]:
        t = term_id(token)
        counts[t] = counts.get(t, 0) + 1
    return counts


def doc_weights(counts: dict[int, int], avgdl: float) -> dict[int, float]:
    """A chunk's side of BM25: term id -> tf / (tf + k1 (1 - b + b dl/avgdl))."""
    dl = sum(counts.values())
    norm = K1 * (1 - B + B * dl / avgdl) if avgdl > 0 else K1
    return {t: tf / (tf + norm) for t, tf in counts.items()}


def bm25_idf(df: int, n: int) -> float:
    """Lucene's IDF, as bm25s computes it."""
    return math.log(1 + (n - df + 0.5) / (df + 0.5))
