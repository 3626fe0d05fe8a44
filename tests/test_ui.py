"""The web chat. Unit tests of the HTML it renders (escaping, highlights), then gradio_client against
the app served on 127.0.0.1 with the real models over the bundled articles."""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from rag import Answer, Citation, Passage, RagError, Settings
from rag.qa import LEFT_OUT
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


def test_what_the_model_wrote_and_the_answer_left_out_is_shown_apart_and_escaped() -> None:
    article = f"Intro. The council said {EVIL} today. End."
    passage = f"The council said {EVIL} today."
    a = Answer("How many?", "Two. [1]", [_citation(passage, article)], searched="How many?", unsupported=["1 <b>."])
    html = render.answer_html(a, {"evil.txt": article})
    assert f'<div class="rag-unsupported">{LEFT_OUT}: “1 &lt;b&gt;.”</div>' in html
    assert html.index("Two. ") < html.index(LEFT_OUT) < html.index("Sources</div>")


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
def serve(settings: Settings, guard: Any = None) -> Iterator[str]:
    """Launch the chat on 127.0.0.1 at a free port in this process; yield its URL."""
    from ui.app import build_app, launch

    app = build_app(settings, guard)
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
    chat, *_ = client.predict(api_name="/clear")  # Clear forgets the history: the same words now stand alone
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


# --- who may change things (issue 15, defect 3) -------------------------------------------------------
def test_guard_opens_changes_on_localhost_or_with_the_token_only() -> None:
    from ui.app import Guard, NotAllowedError

    Guard("127.0.0.1").check(None)  # local, no token: open
    with pytest.raises(NotAllowedError, match="RAG_ADMIN_TOKEN"):
        Guard("0.0.0.0").check("anything")  # served beyond localhost, no token: closed to everyone
    for host in ("127.0.0.1", "0.0.0.0"):
        guard = Guard(host, "s3cret")
        guard.check("s3cret")
        for wrong in (None, "", "S3CRET", "s3cret "):
            with pytest.raises(NotAllowedError, match="admin token"):
                guard.check(wrong)
    assert not Guard("0.0.0.0").open and Guard("0.0.0.0", "t").open and Guard("::1").open


@pytest.mark.slow
def test_rebuild_and_upload_are_refused_on_a_public_chat_without_the_token(settings: Settings, tmp_path: Path) -> None:
    import shutil

    from gradio_client import Client, handle_file

    from rag import index_status
    from ui.app import Guard

    index = tmp_path / "index"
    shutil.copytree(settings.index_dir, index, symlinks=True)
    own = settings.replace(index_dir=index, collections_dir=tmp_path / "collections")
    before = index_status(settings=own)
    article = tmp_path / "new.txt"
    article.write_text("Harbour bridge reopens\n\nThe Glimmerton harbour bridge reopens on Monday, the council said.\n")
    with serve(own, Guard("0.0.0.0")) as url_:  # as `rag serve --host 0.0.0.0` builds it, with no token set
        client = Client(url_, verbose=False)
        progress, _ = client.predict("", api_name="/rebuild")
        assert "off on a chat served beyond 127.0.0.1" in progress
        report, _, _ = client.predict([handle_file(str(article))], False, "", api_name="/upload")
        assert "off on a chat served beyond 127.0.0.1" in report
        _, final = _ask(client, "How many countries are in the Lima Group?")  # asking stays open
        assert "rag-final" in final
    with serve(own, Guard("0.0.0.0", "s3cret")) as url_:
        client = Client(url_, verbose=False)
        report, _, _ = client.predict([handle_file(str(article))], False, "wrong", api_name="/upload")
        assert "needs the admin token" in report
    assert index_status(settings=own).built_at == before.built_at
    assert not (own.corpus_dir / "new.txt").exists()


# --- offline for real (issue 15, defect 2) ------------------------------------------------------------
@pytest.mark.slow
def test_the_chat_starts_and_answers_with_no_network_and_tries_none(settings: Settings, tmp_path: Path) -> None:
    """In a network namespace with only loopback (unshare), the chat starts and answers; an audit hook
    records every connection and name lookup the process attempts beyond 127.0.0.1: there are none."""
    import json
    import shutil
    import subprocess
    import sys

    unshare = shutil.which("unshare")
    assert unshare, "needs util-linux's unshare (apt-get install util-linux)"
    probe = Path(__file__).with_name("offline_probe.py")
    args = [
        sys.executable,
        str(probe),
        str(settings.corpus_dir),
        str(settings.index_dir),
        str(tmp_path),
        str(free_port()),
    ]
    script = "ip link set lo up && exec " + " ".join(f"'{a}'" for a in args)
    env = {k: v for k, v in os.environ.items() if k != "GRADIO_ANALYTICS_ENABLED"}  # the app must turn it off itself
    r = subprocess.run(
        [unshare, "--net", "--map-root-user", "sh", "-c", script], capture_output=True, text=True, timeout=600, env=env
    )
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("RESULT ")]
    assert r.returncode == 0 and lines, r.stderr[-3000:]
    result = json.loads(lines[-1][len("RESULT ") :])
    assert result["outbound"] == [], result["outbound"]
    assert result["analytics"] is False and result["external_in_page"] == []
    assert "rag-final" in result["answer"] and "000_dd5b8fe50a26c3e0.txt" in result["answer"]


# --- collections, uploads, filters and conversations through the chat's API (issue 15) -----------------
NEWS = [
    {
        "title": "COP28 ends with a deal on fossil fuels",
        "source": "Harbour Herald",
        "published_at": "2023-12-13",
        "body": "Delegates at the COP28 climate summit in Dubai agreed on Wednesday to transition away from fossil "
        "fuels, the first such pledge in 28 years of talks. Sultan al-Jaber, the summit's president, called the "
        "deal historic.",
    },
    {
        "title": "Glimmerton bridge reopens",
        "source": "Valley Post",
        "published_at": "2023-11-02",
        "body": "The Glimmerton harbour bridge reopened on Thursday after eight months of repairs that cost 4 million "
        "euros, the town council said. Mayor Ines Vidal cut the ribbon.",
    },
    {
        "title": "Glimmerton ferry strike ends",
        "source": "Harbour Herald",
        "published_at": "2023-11-20",
        "body": "Ferry crews in Glimmerton ended a two-week strike on Monday after the operator agreed to a 6 percent "
        "pay rise, the union said. Ferries to the islands run again from Tuesday.",
    },
]


def _sources(html: str) -> set[str]:
    import re

    return set(re.findall(r'<span class="rag-file">([^<]+)</span>', html.split('class="rag-sources"', 1)[-1]))


@pytest.mark.slow
def test_collections_uploads_filters_and_conversations_kept_across_restarts(settings: Settings, tmp_path: Path) -> None:
    import json

    from gradio_client import Client, handle_file

    own = settings.replace(collections_dir=tmp_path / "collections")
    news = tmp_path / "news.jsonl"
    news.write_text("\n".join(json.dumps(a) for a in NEWS), encoding="utf-8")
    photo = tmp_path / "photo.txt"
    photo.write_bytes(bytes(range(256)) * 8)
    with serve(own) as url_:
        client = Client(url_, verbose=False)
        assert [c["name"] for c in client.predict(api_name="/collections")] == ["default"]
        with pytest.raises(Exception, match="not a collection name"):
            client.predict("../escape", "", api_name="/create_collection")
        made = client.predict("local", "", api_name="/create_collection")
        assert made[0]["value"] == "local"  # created and switched to
        report, status, outlets = client.predict(
            [handle_file(str(news)), handle_file(str(photo))], False, "", api_name="/upload"
        )
        print(report)
        assert "added news.jsonl" in report and "not added photo.txt: binary file, not text" in report
        assert "Rebuilt" in report and "<b>articles</b>: 3" in status
        assert sorted(outlets["choices"][i][0] for i in range(2)) == ["Harbour Herald", "Valley Post"]
        again, _, _ = client.predict([handle_file(str(news))], False, "", api_name="/upload")
        assert "unchanged news.jsonl" in again
        assert (own.collections_dir / "local" / "corpus").exists()
        assert sorted(p.name for p in (own.collections_dir / "local" / "corpus").iterdir()) == ["news.jsonl"]

        # filters: the outlet chosen in the chat narrows the search, and the chat shows it
        q = "What happened in Glimmerton?"
        chat, _, focus, _ = client.predict(q, 5, "auto", ["Valley Post"], "", "", api_name="/ask")
        html = _final_html((chat,))
        assert _sources(html) == {"news.jsonl#1"} and "Searched only: outlet Valley Post" in focus
        chat, _, focus, _ = client.predict(
            "What did the Harbour Herald report about the ferry strike?", 5, api_name="/ask"
        )
        assert "Read from the question: outlet Harbour Herald" in focus
        bad, *_ = client.predict(q, 5, "auto", [], "2023-13-45", "", api_name="/ask")
        assert "is not a date" in _final_html((bad,))

        convs = client.predict("local", api_name="/conversations")
        assert len(convs) == 1 and convs[0]["turns"] == 2 and convs[0]["title"] == q
        exported = Path(client.predict(convs[0]["id"], api_name="/export_conversation"))
        md = exported.read_text(encoding="utf-8")
        assert md.startswith(f"# {q}") and "**Q:** What did the Harbour Herald report" in md and '> "' in md

    with serve(own) as url_:  # a restart: the conversation is still there, and reopens in its collection
        client = Client(url_, verbose=False)
        convs = client.predict(api_name="/conversations")
        assert [c["id"] for c in convs] == [convs[0]["id"]] and convs[0]["collection"] == "local"
        opened = client.predict(convs[0]["id"], api_name="/open_conversation")
        chat, collection = opened[0], opened[2]
        assert collection["value"] == "local" and len(chat) == 4  # two turns: question, answer, question, answer
        assert "rag-final" in json.dumps(chat) and "news.jsonl#1" in json.dumps(chat)
        _, follow = _ask(client, "And when did the ferries run again?")  # goes on in the reopened collection
        assert "news.jsonl" in follow
        assert client.predict("local", api_name="/conversations")[0]["turns"] == 3
        client.predict(convs[0]["id"], api_name="/delete_conversation")
        assert client.predict(api_name="/conversations") == []


def test_the_folder_of_exported_conversations_is_removed_when_the_chat_exits(
    settings: Settings, tmp_path: Path
) -> None:
    """Each chat kept its exported conversations in a temporary folder (rag-exports-*) that nothing removed: every
    start left one behind. The folder goes with the process."""
    import subprocess
    import sys

    code = (
        "import sys, tempfile; from pathlib import Path; from rag.config import Settings; from ui.app import build_app; "
        "build_app(Settings.load(corpus_dir=sys.argv[1], index_dir=sys.argv[2], collections_dir=sys.argv[3])); "
        "print(len(list(Path(tempfile.gettempdir()).glob('rag-exports-*'))))"
    )
    temp = tmp_path / "tmp"
    temp.mkdir()
    args = [str(settings.corpus_dir), str(settings.index_dir), str(settings.collections_dir)]
    run = subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**os.environ, "TMPDIR": str(temp)},
        capture_output=True,
        text=True,
        timeout=300,
        cwd=Path(__file__).parents[1],
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split()[-1] == "1", run.stdout  # the chat had its folder while it ran
    assert not list(temp.glob("rag-exports-*")), list(temp.iterdir())
