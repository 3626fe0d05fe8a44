"""Change-over-time answers in the chat: a dated timeline, oldest first, each row cited (ui/render.py).
The first test is the rendering's pure logic; the second runs the real pipeline on MultiHop-RAG articles,
which carry their publication dates."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pytest

from rag import answer
from rag.config import Settings
from ui import render

from .conftest import ROOT

MH = ROOT.parent / "shared" / "eval-data" / "multihop-rag"


@dataclass
class _Cite:
    n: int
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class _Answer:
    text: str
    kind: str
    citations: list[_Cite]


def test_a_change_answer_is_a_timeline_and_other_kinds_are_not() -> None:
    text = (
        "In the order the articles were published:\n"
        "- TechCrunch (November 17, 2023): Altman <b>was</b> fired. [1]\n"
        "- The Verge (November 21, 2023): Altman returned as CEO. [2]"
    )
    cites = [_Cite(1, {"date": "2023-11-17"}), _Cite(2, {"date": "2023-11-21"})]
    html = render.timeline_html(_Answer(text, "change", cites))
    assert html is not None
    assert re.findall(r'datetime="([^"]+)"', html) == ["2023-11-17", "2023-11-21"]
    assert "&lt;b&gt;was&lt;/b&gt;" in html and "<b>was</b>" not in html  # article text stays escaped
    assert "[1]" in html and "[2]" in html and "TechCrunch" in html
    assert render.timeline_html(_Answer(text, "explain", cites)) is None
    undated = [_Cite(1), _Cite(2)]  # the bundled .txt articles carry no dates: no timeline, plain lines
    assert render.timeline_html(_Answer(text, "change", undated)) is None


@pytest.fixture(scope="module")
def openai_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The MultiHop-RAG articles about Sam Altman's firing (real dates from several outlets)."""
    if not (MH / "corpus.json").exists():
        pytest.fail(f"{MH} is missing: the shared evaluation data must sit next to the repo")
    home = tmp_path_factory.mktemp("openai")
    corpus = home / "corpus"
    corpus.mkdir()
    articles = [a for a in json.loads((MH / "corpus.json").read_text()) if "Altman" in a["title"]][:12]
    assert len(articles) >= 4
    for i, a in enumerate(articles):
        doc = {"title": a["title"], "text": a["body"], "source": a["source"], "date": a["published_at"][:10]}
        (corpus / f"{i:03d}.json").write_text(json.dumps(doc), encoding="utf-8")
    return Settings.load(corpus_dir=corpus, index_dir=home / "index")


def test_a_real_change_answer_renders_as_a_dated_timeline_oldest_first(openai_settings: Settings) -> None:
    a = answer("How did Sam Altman's status at OpenAI change in November 2023?", settings=openai_settings)
    assert a.kind == "change" and not a.abstained, a.text
    html = render.answer_html(a, {})
    days = re.findall(r'<time class="rag-when" datetime="([^"]+)"', html)
    assert len(days) >= 2, a.text
    assert days == sorted(days)
    cited = {c.n: c.metadata.get("date") for c in a.citations}
    rows = re.findall(r'datetime="([^"]+)".*?\[(\d+)\]</div></li>', html)
    assert rows and all(cited[int(n)] == day for day, n in rows)  # each row's date is its cited article's
