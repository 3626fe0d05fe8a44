"""The web chat. Unit tests of the HTML it renders (escaping, highlights), then gradio_client against
the app served on 127.0.0.1 with the real models over the bundled articles."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rag import Answer, Citation, Passage, RagError, Settings
from ui import render

EVIL = '<script>window.__xss=1</script> and <img src=x onerror="window.__xss=2">'


# --- pure rendering -------------------------------------------------------------------------------
def test_highlight_escapes_and_marks_overlapping_spans() -> None:
    text = "a <b>bold</b> claim. Next & last."
    html = render.highlight(text, [(0, 20, "rag-hl"), (2, 13, "rag-support")])
    assert "<b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html
    assert html == (
        '<mark class="rag-hl">a </mark><mark class="rag-hl rag-support">&lt;b&gt;bold&lt;/b&gt;</mark>'
        '<mark class="rag-hl"> claim.</mark> Next &amp; last.'
    )


def test_highlight_clamps_spans_and_keeps_line_breaks_on_one_line() -> None:
    html = render.highlight("one\n\ntwo", [(-5, 3, "x"), (5, 99, "y"), (4, 4, "empty")])
    assert html == '<mark class="x">one</mark><br><br><mark class="y">two</mark>'
    assert "\n" not in html


def _citation(text: str, article: str) -> Citation:
    start = article.index(text)
    support = article.index("<img")
    return Citation(1, "evil.txt", "<i>Title</i>", text, start, start + len(text), 0.5, support, support + 30)


def test_answer_html_escapes_every_piece_of_article_text() -> None:
    article = f"Intro. The council said {EVIL} today. End."
    passage = f"The council said {EVIL} today."
    a = Answer("q<b>", f"It said {EVIL} [1]", [_citation(passage, article)], searched="q<b> searched")
    html = render.answer_html(a, {"evil.txt": article})
    assert "<script" not in html and "<img" not in html and "<i>" not in html
    assert html.count("&lt;script&gt;window.__xss=1&lt;/script&gt;") == 3  # answer, passage, article
    assert 'onerror="' not in html and "onerror=&quot;" in html
    assert "Searched: “q&lt;b&gt; searched”" in html
    assert '<mark class="rag-support">&lt;img src=x onerror=&quot;' in html
    assert "\n" not in html


def test_abstained_answer_lists_related_reading_not_sources() -> None:
    p = Passage("a.txt", "T", "some text", 0, 9, 0.3)
    a = Answer("q", "The articles don't say.", abstained=True, related=[p], searched="q")
    html = render.answer_html(a, {"a.txt": "some text"})
    assert "Related reading (not sources)" in html and "Sources</div>" not in html
    assert "Searched" not in html  # the same as typed


@dataclass
class _Fake:
    calls: list[dict[str, Any]]
    error: Exception | None = None

    def __call__(self, question: str, **kwargs: Any) -> Iterator[str | Answer]:
        self.calls.append(kwargs)
        if self.error:
            raise self.error
        yield "Forty"
        yield " two"
        yield Answer(question, "Forty two.", searched=question)


def test_respond_streams_then_keeps_answers_for_follow_ups(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import app

    fake = _Fake([])
    monkeypatch.setattr(app, "stream_answer", fake)
    state: dict[str, Any] = {"messages": [], "answers": []}
    for question in ("first?", "and then?"):
        outs = list(app.respond(Settings(), question, 3, state))
        state = outs[-1][1]
    assert [c["k"] for c in fake.calls] == [3, 3]
    assert fake.calls[1]["history"][0].question == "first?"  # the earlier Answer goes in as history
    contents = [o[0][-1]["content"] for o in outs]
    assert "rag-pending" in contents[0] and "Forty▍" in contents[1] and "Forty two▍" in contents[2]
    assert "rag-final" in contents[-1] and len(state["messages"]) == 4


@pytest.mark.parametrize("error", [RagError("No index at x; run: rag index"), KeyError("boom")])
def test_errors_become_a_chat_message_not_a_traceback(monkeypatch: pytest.MonkeyPatch, error: Exception) -> None:
    from ui import app

    monkeypatch.setattr(app, "stream_answer", _Fake([], error))
    outs = list(app.respond(Settings(), "q", 5, {"messages": [], "answers": []}))
    content = outs[-1][0][-1]["content"]
    assert "rag-error" in content and "Traceback" not in content
    assert ("run: rag index" in content) if isinstance(error, RagError) else ("KeyError" in content)
    assert outs[-1][1]["answers"] == []


# --- the served app ---------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(settings: Settings) -> Iterator[str]:
    """Launch the chat on 127.0.0.1 at a free port in this process; yield its URL."""
    from ui.app import build_app, launch

    app = build_app(settings)
    port = free_port()
    launch(app, port=port, prevent_thread_lock=True, quiet=True)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        app.close()


@pytest.fixture(scope="module")
def url(settings: Settings) -> Iterator[str]:
    with serve(settings) as served:
        yield served


def _final_html(result: Any) -> str:
    content = result[0][-1]["content"]
    return content if isinstance(content, str) else "".join(part.get("text", "") for part in content)


def _ask(client: Any, question: str, k: int = 5) -> tuple[list[str], str]:
    """Submit a question; return the assistant message as each streamed update showed it, and the last."""
    job = client.submit(question, k, api_name="/ask")
    updates = [_final_html(out) for out in job]
    return updates, _final_html(job.result())


@pytest.mark.slow
def test_several_people_asking_at_once_are_all_answered_with_streamed_text_and_sources(url: str) -> None:
    from gradio_client import Client

    questions = {
        "How many Russian contractors are in Venezuela?": "000_dd5b8fe50a26c3e0.txt",
        "Which missile system were Russian specialists fixing?": "001_f402c199f0a04fb1.txt",
    }
    results: dict[str, tuple[list[str], str]] = {}

    def one(q: str) -> None:
        results[q] = _ask(Client(url, verbose=False), q)

    threads = [threading.Thread(target=one, args=(q,)) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert set(results) == set(questions)
    for q, source in questions.items():
        updates, final = results[q]
        print(q, "->", final[:200])
        assert any("rag-streaming" in u for u in updates), "no token was streamed"
        assert "rag-final" in final and "rag-error" not in final
        assert 'class="rag-sources"' in final and "[1]" in final
        assert f'<span class="rag-file">{source}</span>' in final
        assert '<mark class="rag-support">' in final and '<details class="rag-article"' in final


@pytest.mark.slow
def test_follow_up_uses_the_history_and_finds_the_right_article(url: str) -> None:
    from gradio_client import Client

    client = Client(url, verbose=False)
    _, first = _ask(client, "How many countries are in the Lima Group?")
    assert "002_6758639e3ac465d6.txt" in first
    _, follow = _ask(client, "In what year was it created?")
    print(follow[:400])
    assert "Searched: “How many countries are in the Lima Group? In what year was it created?”" in follow
    sources = follow.split('class="rag-sources"', 1)[-1]
    assert 'class="rag-sources"' in follow and '<span class="rag-file">002_6758639e3ac465d6.txt</span>' in sources
    chat, _ = client.predict(api_name="/clear")  # Clear forgets the history: the same words now stand alone
    assert chat == []
    _, alone = _ask(client, "In what year was it created?")
    assert "Searched:" not in alone


@pytest.mark.slow
def test_empty_question_is_a_chat_message(url: str) -> None:
    from gradio_client import Client

    _, final = _ask(Client(url, verbose=False), "   ")
    assert "rag-error" in final and "question is empty" in final


@pytest.mark.slow
def test_rebuild_runs_in_the_background_while_questions_are_answered(settings: Settings, tmp_path: Path) -> None:
    """Rebuild a private copy of the index while a question is asked; both finish."""
    import shutil

    from gradio_client import Client

    from rag import index_status

    index = tmp_path / "index"
    shutil.copytree(settings.index_dir, index, symlinks=True)
    own = settings.replace(index_dir=index)
    before = index_status(settings=own)
    with serve(own) as url_:
        rebuild = Client(url_, verbose=False).submit(api_name="/rebuild")
        _, answered = _ask(
            Client(url_, verbose=False), "In what year did Russia and Venezuela sign a military cooperation treaty?"
        )
        progress, status = rebuild.result()
        assert "rag-final" in answered and "001_f402c199f0a04fb1.txt" in answered
        assert "Rebuilt" in progress and "<progress" in progress
        assert f"<b>chunks</b>: {before.chunks}" in status
        assert index_status(settings=own).built_at >= before.built_at
