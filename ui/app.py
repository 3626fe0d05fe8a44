"""The web chat: a thin Gradio face over rag's public API (stream_answer, index_status, get_article,
sync_index). `build_app(settings)` returns the Blocks; `main()` launches them (what `rag serve` runs).

Example usage:

    from rag import Settings
    from ui.app import build_app, launch
    launch(build_app(Settings.load()), port=7860)
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from rag import Answer, Citation, Passage, RagError, Settings, get_article, index_status, stream_answer, sync_index
from rag.kinds import KINDS, LABELS

from . import render

if TYPE_CHECKING:
    import gradio as gr

log = logging.getLogger(__name__)

EXAMPLES = [
    "How many Russian contractors are in Venezuela?",
    "In what year did Russia and Venezuela sign a military cooperation treaty?",
    "Which missile system were Russian specialists fixing?",
    "Which country besides Russia backs Maduro?",
    "How many countries are in the Lima Group?",
    "Why does Russia support Maduro?",
    "How did Russia's presence in Venezuela change over the course of 2019?",
    "Do the articles agree on whether Russia sent military personnel to Venezuela?",
]


def _gradio() -> Any:
    try:
        import gradio as gr
    except ImportError:
        raise RagError("The web chat needs gradio; run: pip install -e '.[ui]'") from None
    return gr


class Rebuild:
    """Rebuilds the index in a background thread; the old index keeps answering until the new one is
    swapped in (open_index reloads only then). One rebuild at a time; anyone may watch its progress."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.done, self.total, self.stage, self.note = 0, 0, "idle", ""

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def start(self) -> None:
        with self._lock:
            if self.running:
                return
            self.done, self.total, self.stage, self.note = 0, 0, "reading and chunking the articles", ""
            self.thread = threading.Thread(target=self._run, name="rag-rebuild", daemon=True)
            self.thread.start()

    def _progress(self, done: int, total: int, stage: str) -> None:
        self.done, self.total, self.stage = done, total, stage

    def _run(self) -> None:
        try:
            summary = sync_index(rebuild=True, settings=self.settings, progress=self._progress)
            self.stage, self.note = "done", summary.line()
            self.done = self.total = max(self.total, 1)
        except RagError as e:
            self.stage, self.note = "failed", str(e)
        except Exception as e:  # a bug: keep the traceback in the server log, a line in the page
            log.exception("index rebuild failed")
            self.stage, self.note = "failed", f"{type(e).__name__}: {e}"

    def html(self) -> str:
        return render.progress_html(self.done, self.total, self.stage, self.note)


def _status(settings: Settings) -> str:
    try:
        return render.status_html(index_status(settings=settings))
    except RagError as e:
        return render.error_html(str(e))


def _article_texts(answer: Answer, settings: Settings) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    items: list[Citation | Passage] = [*answer.citations, *answer.related]
    for item in items:
        if item.source not in out:
            try:
                out[item.source] = get_article(item.source, settings=settings).text
            except RagError:
                out[item.source] = None  # removed since: the passage is still shown
    return out


def respond(
    settings: Settings, question: str, k: float, state: dict[str, Any], mode: str = "auto"
) -> Iterator[tuple[Any, ...]]:
    """One chat turn: stream the answer into the chat, then replace it with the checked answer and
    its sources. Earlier Answers go in as history, so follow-ups are made standalone by the library."""
    asked = [*state["messages"], {"role": "user", "content": render.text_html(question)}]
    answers: list[Answer] = list(state["answers"])

    def chat(content: str) -> list[dict[str, str]]:  # a fresh list per update: Gradio may diff them
        return [*asked, {"role": "assistant", "content": content}]

    yield chat(render.PENDING_HTML), state, ""
    pieces: list[str] = []
    content = render.PENDING_HTML
    try:
        for item in stream_answer(question, k=int(k), history=answers, mode=mode, settings=settings):
            if isinstance(item, Answer):
                content = render.answer_html(item, _article_texts(item, settings))
                answers.append(item)
            else:
                pieces.append(item)
                content = render.streaming_html(pieces)
            yield chat(content), state, ""
    except RagError as e:
        content = render.error_html(str(e))
    except Exception as e:  # a bug: the traceback goes to the server log, never into the page
        log.exception("answering %r failed", question)
        content = render.error_html(f"Something went wrong ({type(e).__name__}: {e}). The server log has details.")
    yield chat(content), {"messages": chat(content), "answers": answers}, ""


def build_app(settings: Settings) -> gr.Blocks:
    """The chat over the index in settings.index_dir (see launch() for CSS and serving)."""
    gr = _gradio()
    rebuild = Rebuild(settings)
    empty: dict[str, Any] = {"messages": [], "answers": []}

    with gr.Blocks(title="rag-news: ask the articles") as app:
        state = gr.State(empty)
        with gr.Row():
            with gr.Column(scale=3):
                gr.Markdown(
                    "## Ask the articles\nAnswers cite the passages they come from; open a source to read it in place."
                )
                chat = gr.Chatbot(
                    elem_id="chat",
                    label="Chat",
                    height=620,
                    latex_delimiters=[],
                    sanitize_html=True,
                    feedback_options=None,
                    buttons=["copy"],
                )
                with gr.Row():
                    question = gr.Textbox(
                        elem_id="question",
                        show_label=False,
                        scale=5,
                        autofocus=True,
                        placeholder="Ask a question about the articles, then press Enter",
                    )
                    ask = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                    clear = gr.Button("Clear", scale=1, elem_id="clear")
                gr.Examples(EXAMPLES, inputs=[question], label="Examples")
            with gr.Column(scale=1):
                k = gr.Slider(1, 10, value=settings.k, step=1, label="Passages to retrieve", elem_id="k")
                mode = gr.Dropdown(
                    [("Detect from the question", "auto")] + [(LABELS[kind].capitalize(), kind) for kind in KINDS],
                    value="auto",
                    label="Kind of answer",
                    elem_id="mode",
                )
                gr.Markdown("### Models")
                gr.HTML(render.models_html(settings.models()), elem_id="models")
                gr.Markdown("### Index")
                status = gr.HTML(_status(settings), elem_id="index-status")
                rebuild_button = gr.Button("Rebuild the index", elem_id="rebuild")
                progress = gr.HTML("", elem_id="rebuild-progress")

        def ask_fn(q: str, k_: float, mode_: str, st: dict[str, Any]) -> Iterator[tuple[Any, ...]]:
            yield from respond(settings, q, k_, st, mode_ or "auto")

        def rebuild_fn() -> Iterator[tuple[str, str]]:
            rebuild.start()
            while rebuild.running:
                yield rebuild.html(), gr.skip()
                time.sleep(0.5)
            yield rebuild.html(), _status(settings)

        def clear_fn() -> tuple[list[Any], dict[str, Any], str]:
            return [], {"messages": [], "answers": []}, ""

        io: dict[str, Any] = dict(
            inputs=[question, k, mode, state],
            outputs=[chat, state, question],
            concurrency_id="answer",
            show_progress="minimal",
        )
        question.submit(ask_fn, api_name="ask", **io)  # type: ignore[arg-type]
        ask.click(ask_fn, api_visibility="private", **io)  # type: ignore[arg-type]
        clear.click(clear_fn, outputs=[chat, state, question], api_name="clear")
        chat.clear(clear_fn, outputs=[chat, state, question], api_visibility="private")
        rebuild_button.click(
            rebuild_fn, outputs=[progress, status], api_name="rebuild", concurrency_limit=None, show_progress="hidden"
        )
        app.load(lambda: _status(settings), outputs=[status], api_visibility="private")
    return app


def launch(app: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, **kwargs: Any) -> Any:
    """Serve the app: queued (several people asking at once are answered in turn), with our CSS."""
    app.queue(default_concurrency_limit=1)
    return app.launch(
        server_name=host, server_port=port, css=render.CSS, head=render.HEAD, footer_links=["api"], **kwargs
    )


def main(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    """`rag serve`: build the chat and serve it until interrupted."""
    logging.getLogger(__name__).setLevel(logging.INFO)
    print(f"Chat on http://{host}:{port} (index: {settings.index_dir}); Ctrl+C stops it.")
    launch(build_app(settings), host=host, port=port)
