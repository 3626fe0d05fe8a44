"""How often rag/suspect.py's patterns fire on real news: its false-alarm rate (docs/answers.md).

.venv/bin/python bench/suspect_rate.py [../shared/eval-data/multihop-rag/corpus.json]
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

from rag.chunking import sentences
from rag.suspect import KINDS, kinds

ROOT = Path(__file__).resolve().parent.parent


def main(path: Path) -> None:
    articles = json.loads(path.read_text(encoding="utf-8"))
    per_sentence: Counter[str] = Counter()
    per_article: Counter[str] = Counter()
    total = 0
    for article in articles:
        body = article["body"]
        seen: set[str] = set()
        for start, end in sentences(body):
            total += 1
            found = kinds(body[start:end])
            per_sentence.update(found)
            seen |= found
        per_article.update(seen)
    print(f"{len(articles)} articles, {total} sentences")
    for kind in KINDS:
        print(f"{kind:13s} {per_sentence[kind]:6d} sentences  {per_article[kind]:5d} articles")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared/eval-data/multihop-rag/corpus.json")
