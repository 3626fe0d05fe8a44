"""The web chat: a thin Gradio face over rag's public API. `build_app(settings)` returns the Blocks;
`main()` launches them (what `rag serve` runs).

What a person can do here, each also a named API endpoint for scripts (gradio_client):
- ask (`/ask`), with filters by outlet and date range, and clear (`/clear`);
- keep conversations: every answered turn is saved (SQLite, rag/conversations.py); list
  (`/conversations`), reopen (`/open_conversation`), delete (`/delete_conversation`) and export as
  Markdown (`/export_conversation`);
- pick a collection (`/collections`, `/switch_collection`) and create one (`/create_collection`);
- add articles (`/upload`) and rebuild the index (`/rebuild`).
Changing a collection (upload, rebuild, create) is guarded: see Guard.

Nothing leaves the machine: Gradio's analytics and version check are off (analytics_enabled=False,
GRADIO_ANALYTICS_ENABLED), and its fonts are served locally.

Example usage:

    from rag import Settings
    from ui.app import build_app, launch
    launch(build_app(Settings.load()), port=7860)
"""

from __future__ import annotations

import hmac
import logging
import os
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag import (
    Answer,
    Citation,
    Passage,
    RagError,
    Settings,
    get_article,
    index_facets,
    index_status,
    stream_answer,
    sync_index,
)
from rag.errors import IndexMissingError
from rag.kinds import KINDS, LABELS

from . import render

if TYPE_CHECKING:
    import gradio as gr


os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # before gradio is imported: no telemetry, no version check

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
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
MAX_QUESTION_CHARS = 20_000  # the textbox's limit; the library cuts a long question further, with a note


def _gradio() -> Any:
    try:
        import gradio as gr
    except ImportError:
        raise RagError("The web chat needs gradio; run: pip install -e '.[ui]'") from None
    return gr


class NotAllowedError(RagError):
    """Changing a collection was asked for without the right to."""


@dataclass(frozen=True)
class Guard:
    """Who may change a collection (upload, rebuild, create). Asking is always open.

    - A token set (Settings.admin_token, RAG_ADMIN_TOKEN): whoever gives it, wherever the chat is served.
    - No token: anyone, when the chat is served on 127.0.0.1 only; nobody, when served beyond it.
    """

    host: str = "127.0.0.1"
    token: str | None = None

    @property
    def needs_token(self) -> bool:
        return bool(self.token)

    @property
    def open(self) -> bool:
        """Whether changes are possible at all from this server."""
        return bool(self.token) or self.host in LOCAL_HOSTS

    def check(self, given: str | None) -> None:
        if self.token:
            if not given or not hmac.compare_digest(given.encode(), self.token.encode()):
                raise NotAllowedError("Changing the collection needs the admin token; enter it under 'Admin token'")
        elif self.host not in LOCAL_HOSTS:
            raise NotAllowedError(
                "Changing the collection is off on a chat served beyond 127.0.0.1; "
                "the server's owner can turn it on by setting RAG_ADMIN_TOKEN"
            )


class IndexJob:
    """Syncs or rebuilds one index in a background thread; the old index keeps answering until the new
    one is swapped in (open_store reloads only then). One job per index; anyone may watch its progress."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.thread: threading.Thread | None = None
        self.done, self.total, self.stage, self.note = 0, 0, "idle", ""
        self.summary: Any = None

    @property
    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def start(self, settings: Settings, rebuild: bool) -> None:
        with self._lock:
            if self.running:
                return
            self.done, self.total, self.stage, self.note, self.summary = 0, 0, "reading the articles", "", None
            self.thread = threading.Thread(target=self._run, args=(settings, rebuild), name="rag-index", daemon=True)
            self.thread.start()

    def _progress(self, done: int, total: int, stage: str) -> None:
        self.done, self.total, self.stage = done, total, stage

    def _run(self, settings: Settings, rebuild: bool) -> None:
        try:
            self.summary = sync_index(rebuild=rebuild, settings=settings, progress=self._progress)
            self.stage, self.note = "done", self.summary.line()
            self.done = self.total = max(self.total, 1)
        except RagError as e:
            self.stage, self.note = "failed", str(e)
        except Exception as e:  # a bug: keep the traceback in the server log, a line in the page
            log.exception("indexing failed")
            self.stage, self.note = "failed", f"{type(e).__name__}: {e}"

    def html(self) -> str:
        return render.progress_html(self.done, self.total, self.stage, self.note)

    def wait(self, poll: float = 0.5) -> Iterator[str]:
        """The progress as HTML, every `poll` seconds until the job ends (the last one included)."""
        while self.running:
            yield self.html()
            time.sleep(poll)
        yield self.html()


class Jobs:
    """One IndexJob per index folder, shared by every session."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[Path, IndexJob] = {}

    def __call__(self, settings: Settings) -> IndexJob:
        key = Path(settings.index_dir).resolve()
        with self._lock:
            return self._jobs.setdefault(key, IndexJob())


# --- pieces ---------------------------------------------------------------------------------------
def _status(settings: Settings) -> str:
    try:
        return render.status_html(index_status(settings=settings))
    except IndexMissingError:
        return render.text_html(f"No index yet for {settings.collection}: add articles under 'Add articles'.")
    except RagError as e:
        return render.error_html(str(e))


def _outlets(settings: Settings) -> list[str]:
    try:
        return index_facets(settings=settings).outlets
    except RagError:
        return []


def _date_boxes(gr: Any, settings: Settings) -> tuple[Any, Any]:
    """Emptied From / To boxes whose hints give the collection's first and last day published."""
    try:
        facets = index_facets(settings=settings)
        first, last = facets.first_date, facets.last_date
    except RagError:
        first = last = ""
    hint = "YYYY-MM-DD"
    return (
        gr.Textbox(value="", placeholder=f"{hint}, first {first}" if first else hint),
        gr.Textbox(value="", placeholder=f"{hint}, last {last}" if last else hint),
    )


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


def _filters(outlets: list[str] | None, after: str | None, before: str | None) -> dict[str, Any] | None:
    filters = {"source": list(outlets or []), "after": (after or "").strip(), "before": (before or "").strip()}
    return {k: v for k, v in filters.items() if v} or None


def _messages(answers: list[Answer], settings: Settings) -> list[dict[str, str]]:
    out = []
    for a in answers:
        out.append({"role": "user", "content": render.text_html(a.question)})
        out.append({"role": "assistant", "content": render.answer_html(a, _article_texts(a, settings))})
    return out


def empty_state(collection: str) -> dict[str, Any]:
    return {"messages": [], "answers": [], "conversation": None, "collection": collection}


def respond(
    settings: Settings,
    question: str,
    k: float,
    state: dict[str, Any],
    mode: str = "auto",
    filters: dict[str, Any] | None = None,
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
        for item in stream_answer(question, k=int(k), history=answers, mode=mode, filters=filters, settings=settings):
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
    yield chat(content), {**state, "messages": chat(content), "answers": answers}, ""


# --- the app --------------------------------------------------------------------------------------
def build_app(settings: Settings, guard: Guard | None = None) -> gr.Blocks:
    """The chat over settings' collection (see launch() for CSS and serving)."""
    gr = _gradio()
    from rag.collections import add_files, create_collection, list_collections
    from rag.conversations import ConversationStore, Turn, to_markdown

    guard = guard or Guard("127.0.0.1", settings.admin_token)
    jobs = Jobs()
    conversations = ConversationStore(Path(settings.collections_dir) / "conversations.sqlite3")
    exports = Path(tempfile.mkdtemp(prefix="rag-exports-"))

    def settings_of(st: dict[str, Any]) -> Settings:
        return settings.pick(collection=st.get("collection") or settings.collection)

    def collection_names() -> list[str]:
        return [c.name for c in list_collections(settings)]

    def conversation_choices() -> list[tuple[str, str]]:
        """Every saved conversation, newest first, labelled with its collection and number of turns."""
        return [(f"{c.title} · {c.collection} ({c.turns})", c.id) for c in conversations.list()]

    with gr.Blocks(title="rag-news: ask the articles", analytics_enabled=False) as app:
        state = gr.State(empty_state(settings.collection))
        with gr.Row():
            with gr.Column(scale=1, min_width=220):
                gr.Markdown("### Conversations")
                new_chat = gr.Button("New conversation", elem_id="new-conversation", size="sm")
                history = gr.Radio(
                    choices=conversation_choices(),
                    label="Earlier conversations",
                    elem_id="conversations",
                )
                with gr.Row():
                    delete_conv = gr.Button("Delete", elem_id="delete-conversation", size="sm")
                    export = gr.DownloadButton("Export as Markdown", elem_id="export", size="sm")
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
                focus = gr.HTML("", elem_id="focus")
                with gr.Row():
                    question = gr.Textbox(
                        elem_id="question",
                        show_label=False,
                        scale=5,
                        autofocus=True,
                        max_length=MAX_QUESTION_CHARS,
                        placeholder="Ask a question about the articles, then press Enter",
                    )
                    ask = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                    clear = gr.Button("Clear", scale=1, elem_id="clear")
                gr.Examples(EXAMPLES, inputs=[question], label="Examples")
            with gr.Column(scale=1):
                collection = gr.Dropdown(
                    collection_names(), value=settings.collection, label="Collection", elem_id="collection"
                )
                with gr.Accordion("New collection", open=False, visible=guard.open, elem_id="new-collection"):
                    new_name = gr.Textbox("", label="Name", elem_id="new-collection-name", max_length=64)
                    create = gr.Button("Create", elem_id="create-collection", size="sm")
                gr.Markdown("### Search only")
                outlets = gr.Dropdown(
                    _outlets(settings), multiselect=True, label="Outlets", elem_id="outlets", value=[]
                )
                with gr.Row():
                    after = gr.Textbox("", label="From", placeholder="YYYY-MM-DD", elem_id="after", max_length=10)
                    before = gr.Textbox("", label="To", placeholder="YYYY-MM-DD", elem_id="before", max_length=10)
                k = gr.Slider(1, 10, value=settings.k, step=1, label="Passages to retrieve", elem_id="k")
                mode = gr.Dropdown(
                    [("Detect from the question", "auto")] + [(LABELS[kind].capitalize(), kind) for kind in KINDS],
                    value="auto",
                    label="Kind of answer",
                    elem_id="mode",
                )
                token = gr.Textbox(
                    "",
                    label="Admin token (to change the collection)",
                    type="password",
                    visible=guard.needs_token,
                    elem_id="admin-token",
                )
                with gr.Accordion("Add articles", open=True, visible=guard.open, elem_id="add-articles"):
                    files = gr.File(
                        file_count="multiple",
                        type="filepath",
                        label="Articles (.txt .md .html .json .jsonl .pdf)",
                        elem_id="upload-files",
                    )
                    replace = gr.Checkbox(label="Replace articles of the same name", value=False, elem_id="replace")
                    add = gr.Button("Add to this collection", elem_id="upload", size="sm")
                    added = gr.HTML("", elem_id="upload-report")
                gr.Markdown("### Models")
                gr.HTML(render.models_html(settings.models()), elem_id="models")
                gr.Markdown("### Index")
                status = gr.HTML(_status(settings), elem_id="index-status")
                rebuild_button = gr.Button("Rebuild the index", elem_id="rebuild", visible=guard.open)
                progress = gr.HTML("", elem_id="rebuild-progress")

        # --- asking -------------------------------------------------------------------------------
        def ask_fn(
            q: str,
            k_: float,
            mode_: str,
            outlets_: list[str] | None,
            after_: str | None,
            before_: str | None,
            st: dict[str, Any],
        ) -> Iterator[tuple[Any, ...]]:
            own = settings_of(st)
            out: tuple[Any, ...] = ()
            for out in respond(own, q, k_, st, mode_ or "auto", _filters(outlets_, after_, before_)):
                yield (*out, gr.skip(), gr.skip())
            chat_, st2, _ = out
            answers = st2["answers"]
            if len(answers) > len(st["answers"]):  # answered: keep the turn
                a = answers[-1]
                try:
                    if not st2.get("conversation"):
                        st2 = {**st2, "conversation": conversations.create(own.collection, a.question).id}
                    conversations.add_turn(st2["conversation"], Turn.from_answer(a))
                except RagError as e:
                    log.warning("the conversation was not saved: %s", e)
                yield (
                    chat_,
                    st2,
                    "",
                    render.focus_html(a.focus, a.filters),
                    gr.Radio(choices=conversation_choices(), value=st2.get("conversation")),
                )
            else:
                yield chat_, st2, "", "", gr.skip()

        def clear_fn(st: dict[str, Any]) -> tuple[Any, ...]:
            return [], empty_state(st.get("collection") or settings.collection), "", "", gr.Radio(value=None)

        io: dict[str, Any] = dict(
            inputs=[question, k, mode, outlets, after, before, state],
            outputs=[chat, state, question, focus, history],
            concurrency_id="answer",
            show_progress="minimal",
        )

        def ready_export(st: dict[str, Any]) -> str | None:
            """The export of the conversation on screen, so that one click on the button downloads it."""
            if not st.get("conversation"):
                return None
            try:
                return export_conversation(st["conversation"], st)
            except gr.Error:
                return None

        for start in (question.submit(ask_fn, api_name="ask", **io), ask.click(ask_fn, api_visibility="private", **io)):
            start.then(ready_export, inputs=[state], outputs=[export], api_visibility="private")
        clear_io: dict[str, Any] = dict(inputs=[state], outputs=[chat, state, question, focus, history])
        clear.click(clear_fn, api_name="clear", **clear_io)
        chat.clear(clear_fn, api_visibility="private", **clear_io)
        new_chat.click(clear_fn, api_visibility="private", **clear_io)

        # --- conversations ------------------------------------------------------------------------
        def list_conversations(collection: str = "") -> list[dict[str, Any]]:
            """The saved conversations, newest first: all of them, or one collection's."""
            return [vars(c) for c in conversations.list(collection or None)]

        def open_conversation(conversation_id: str | None, st: dict[str, Any]) -> tuple[Any, ...]:
            """Show a saved conversation and go on with it, in its collection."""
            if not conversation_id:
                return (gr.skip(),) * 9
            try:
                conv = conversations.get(conversation_id)
                own = settings.pick(collection=conv.collection)
            except RagError as e:
                return ([{"role": "assistant", "content": render.error_html(str(e))}], *(gr.skip(),) * 8)
            answers = [t.to_answer() for t in conv.turns]
            messages = _messages(answers, own)
            st2 = {"messages": messages, "answers": answers, "conversation": conv.id, "collection": conv.collection}
            return (
                messages,
                st2,
                "",
                gr.Dropdown(choices=collection_names(), value=conv.collection),
                _status(own),
                gr.Dropdown(choices=_outlets(own), value=[]),
                *_date_boxes(gr, own),
                "",
            )

        def delete_conversation(conversation_id: str | None, st: dict[str, Any]) -> tuple[Any, ...]:
            own = settings_of(st)
            if conversation_id:
                try:
                    conversations.delete(conversation_id)
                except RagError as e:
                    log.info("%s", e)
            fresh = st if st.get("conversation") != conversation_id else empty_state(own.collection)
            chat_ = fresh["messages"]
            return chat_, fresh, gr.Radio(choices=conversation_choices(), value=None)

        def export_conversation(conversation_id: str | None, st: dict[str, Any]) -> str | None:
            conversation_id = conversation_id or st.get("conversation")
            if not conversation_id:
                raise gr.Error("Pick a conversation to export (or ask something first)")
            try:
                conv = conversations.get(conversation_id)
            except RagError as e:
                raise gr.Error(str(e)) from None
            path = exports / f"conversation-{conv.id}.md"
            path.write_text(to_markdown(conv), encoding="utf-8")
            return str(path)

        history.input(
            open_conversation,
            inputs=[history, state],
            outputs=[chat, state, question, collection, status, outlets, after, before, focus],
            api_name="open_conversation",
        ).then(ready_export, inputs=[state], outputs=[export], api_visibility="private")
        delete_conv.click(
            delete_conversation, inputs=[history, state], outputs=[chat, state, history], api_name="delete_conversation"
        )
        export.click(export_conversation, inputs=[history, state], outputs=[export], api_name="export_conversation")
        gr.api(list_conversations, api_name="conversations")  # type: ignore[attr-defined]

        # --- collections --------------------------------------------------------------------------
        def switch(name: str | None, st: dict[str, Any]) -> tuple[Any, ...]:
            name = name or settings.collection
            try:
                own = settings.pick(collection=name)
            except RagError as e:
                raise gr.Error(str(e)) from None
            return (
                [],
                empty_state(name),
                _status(own),
                gr.Dropdown(choices=_outlets(own), value=[]),
                *_date_boxes(gr, own),
                gr.Radio(choices=conversation_choices(), value=None),
                "",
            )

        switch_outputs = [chat, state, status, outlets, after, before, history, focus]
        collection.input(switch, inputs=[collection, state], outputs=switch_outputs, api_name="switch_collection")

        def collections_fn() -> list[dict[str, Any]]:
            """The collections: name, article files, whether indexed, corpus folder."""
            return [
                {"name": c.name, "files": c.files, "indexed": c.indexed, "corpus_dir": str(c.corpus_dir)}
                for c in list_collections(settings)
            ]

        gr.api(collections_fn, api_name="collections")  # type: ignore[attr-defined]

        def create_fn(name: str, token_: str | None, st: dict[str, Any]) -> tuple[Any, ...]:
            try:
                guard.check(token_)
                info = create_collection((name or "").strip(), settings)
            except RagError as e:
                raise gr.Error(str(e)) from None
            return (
                gr.Dropdown(choices=collection_names(), value=info.name),
                "",
                *switch(info.name, st),
            )

        create.click(
            create_fn,
            inputs=[new_name, token, state],
            outputs=[collection, new_name, *switch_outputs],
            api_name="create_collection",
        )

        # --- changing the collection ----------------------------------------------------------------
        def upload_fn(
            paths: list[str] | None, replace_: bool, token_: str | None, st: dict[str, Any]
        ) -> Iterator[tuple[str, Any, Any]]:
            own = settings_of(st)
            try:
                guard.check(token_)
                if not paths:
                    raise RagError("Choose one or more article files first")
                items: list[tuple[str, bytes | Path]] = [(Path(p).name, Path(p)) for p in paths]
                report = add_files(items, own, replace=bool(replace_))
            except RagError as e:
                yield render.error_html(str(e)), gr.skip(), gr.skip()
                return
            lines = report.lines()
            if not report.written:
                yield render.lines_html(lines or ["nothing to add"]), gr.skip(), gr.skip()
                return
            job = jobs(own)
            job.start(own, rebuild=False)
            for html in job.wait():
                yield render.lines_html(lines, html), gr.skip(), gr.skip()
            summary = job.summary
            if summary is not None:
                names = set(report.written)
                lines += [f"skipped {s.path}: {s.reason}" for s in summary.skipped if s.path in names]
                indexed = [a for a in sorted({*summary.added, *summary.changed}) if a.split("#")[0] in names]
                if indexed:  # article ids: the file name, plus #n for each record of a .json/.jsonl file
                    lines.append(f"indexed {len(indexed)} article{'s' * (len(indexed) != 1)}: {', '.join(indexed)}")
            yield render.lines_html(lines, job.html()), _status(own), gr.Dropdown(choices=_outlets(own))

        add.click(
            upload_fn,
            inputs=[files, replace, token, state],
            outputs=[added, status, outlets],
            api_name="upload",
            concurrency_limit=None,
            show_progress="hidden",
        )

        def rebuild_fn(token_: str | None, st: dict[str, Any]) -> Iterator[tuple[str, Any]]:
            own = settings_of(st)
            try:
                guard.check(token_)
            except RagError as e:
                yield render.error_html(str(e)), gr.skip()
                return
            job = jobs(own)
            job.start(own, rebuild=True)
            for html in job.wait():
                yield html, gr.skip()
            yield job.html(), _status(own)

        rebuild_button.click(
            rebuild_fn,
            inputs=[token, state],
            outputs=[progress, status],
            api_name="rebuild",
            concurrency_limit=None,
            show_progress="hidden",
        )

        def on_load(st: dict[str, Any]) -> tuple[Any, ...]:
            """A page (re)load: the lists as they are now (others may have added conversations or collections)."""
            own = settings_of(st)
            return (
                _status(own),
                gr.Radio(choices=conversation_choices(), value=st.get("conversation")),
                gr.Dropdown(choices=collection_names(), value=own.collection),
                gr.Dropdown(choices=_outlets(own)),
                *_date_boxes(gr, own),
            )

        app.load(
            on_load,
            inputs=[state],
            outputs=[status, history, collection, outlets, after, before],
            api_visibility="private",
        )
    # the exports are the downloads' source, kept while the chat runs: removed with it (or when it is dropped)
    weakref.finalize(app, shutil.rmtree, exports, ignore_errors=True)
    return app


def launch(app: gr.Blocks, host: str = "127.0.0.1", port: int = 7860, **kwargs: Any) -> Any:
    """Serve the app: queued (several people asking at once are answered in turn), with our CSS."""
    from rag.collections import MAX_UPLOAD_BYTES

    app.queue(default_concurrency_limit=1)
    return app.launch(
        server_name=host,
        server_port=port,
        css=render.CSS,
        head=render.HEAD,
        footer_links=["api"],
        max_file_size=MAX_UPLOAD_BYTES,
        **kwargs,
    )


def main(settings: Settings, host: str = "127.0.0.1", port: int = 7860) -> None:
    """`rag serve`: build the chat and serve it until interrupted."""
    logging.getLogger(__name__).setLevel(logging.INFO)
    guard = Guard(host, settings.admin_token)
    print(f"Chat on http://{host}:{port} (collection {settings.collection}: {settings.index_dir}); Ctrl+C stops it.")
    if not guard.open:
        print("Changing collections is off (served beyond 127.0.0.1); set RAG_ADMIN_TOKEN to allow it with a token.")
    launch(build_app(settings, guard), host=host, port=port)
