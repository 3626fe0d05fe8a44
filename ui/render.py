"""HTML for the chat: answers, their sources and whole articles with the cited words highlighted.

Article text is untrusted (it comes from whatever files were indexed), so every piece of it goes
through html.escape before it is wrapped in markup; nothing here trusts its input. Pure functions:
no Gradio, no model.

Subtle: the chat renders messages as Markdown, but a message that is a single line starting with a
<div> is one raw HTML block, so Markdown never touches the (escaped) article text. That is why
newlines become <br> and no raw newline is ever emitted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from html import escape
from itertools import pairwise
from typing import Any, Protocol

from rag.chunking import date_words
from rag.qa import LEFT_OUT


class _Span(Protocol):
    source: str
    title: str
    text: str
    start: int
    end: int
    score: float


def text_html(text: str) -> str:
    """Escaped text with its line breaks kept (as <br>, so the message stays one HTML block)."""
    return escape(text).replace("\r\n", "\n").replace("\n", "<br>")


def highlight(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    """Escape `text` and wrap each (start, end, css_class) span in <mark>; spans may overlap.

    The text is cut at every span boundary; each piece is marked with the classes of all the spans
    covering it, so overlapping spans never produce crossed tags.
    """
    spans = [(max(0, s), min(len(text), e), cls) for s, e, cls in spans if e > s]
    cuts = sorted({0, len(text), *(s for s, _, _ in spans), *(e for _, e, _ in spans)})
    out = []
    for a, b in pairwise(cuts):
        piece = text_html(text[a:b])
        classes = " ".join(dict.fromkeys(cls for s, e, cls in spans if s <= a and b <= e))
        out.append(f'<mark class="{classes}">{piece}</mark>' if classes else piece)
    return "".join(out)


def _head(n: int | None, item: _Span) -> str:
    number = f'<span class="rag-n">[{n}]</span> ' if n is not None else ""
    return (
        f'<div class="rag-source-head">{number}<b class="rag-title">{escape(item.title or item.source)}</b>'
        f' · <span class="rag-file">{escape(item.source)}</span>'
        f' · <span class="rag-score">score {item.score:.2f}</span></div>'
    )


def source_html(item: Any, article_text: str | None, n: int | None = None) -> str:
    """One source: number, title, file name, score, the passage (its supporting sentence marked) and,
    when the article's text is given, a collapsed whole article with the passage marked in place."""
    support = (getattr(item, "support_start", item.start), getattr(item, "support_end", item.start))
    passage = highlight(item.text, [(support[0] - item.start, support[1] - item.start, "rag-support")])
    body = f'<div class="rag-passage">{passage}</div>'
    if article_text is not None:
        marked = highlight(article_text, [(item.start, item.end, "rag-hl"), (*support, "rag-support")])
        body += (
            f'<details class="rag-article" data-source="{escape(item.source)}">'
            f'<summary>Open the article</summary><div class="rag-article-text">{marked}</div></details>'
        )
    return f'<div class="rag-source">{_head(n, item)}{body}</div>'


def answer_html(answer: Any, articles: dict[str, str | None]) -> str:
    """The finished answer: the searched question when it differs, the text, then the sources (or,
    when the articles don't say, the related reading). `articles` maps source -> cleaned text."""
    parts = []
    if answer.searched and answer.searched.strip() != answer.question.strip():
        parts.append(f'<div class="rag-searched">Searched: “{escape(answer.searched)}”</div>')
    for note in getattr(answer, "notes", []):
        parts.append(f'<div class="rag-note">{escape(note)}</div>')
    timeline = timeline_html(answer)
    parts.append(timeline or f'<div class="rag-answer rag-final">{text_html(answer.text)}</div>')
    for warning in getattr(answer, "warnings", []):
        parts.append(f'<div class="rag-warning">⚠ {escape(warning)}</div>')
    if answer.unsupported:
        joined = " | ".join(f"“{escape(s)}”" for s in answer.unsupported)
        parts.append(f'<div class="rag-unsupported">{escape(LEFT_OUT)}: {joined}</div>')
    if answer.citations:
        items = "".join(source_html(c, articles.get(c.source), c.n) for c in answer.citations)
        parts.append(f'<div class="rag-sources"><div class="rag-label">Sources</div>{items}</div>')
    elif answer.related:
        items = "".join(source_html(p, articles.get(p.source)) for p in answer.related)
        parts.append(
            f'<div class="rag-related"><div class="rag-label">Related reading (not sources)</div>{items}</div>'
        )
    return f'<div class="rag-message">{"".join(parts)}</div>'


_LINE = re.compile(r"^- (?:(?P<lead>[^\n]*?)\s*\([^()\n]+\): )?(?P<text>.*?)\s*\[(?P<n>\d+)\]$")


def timeline_html(answer: Any) -> str | None:
    """A change-over-time answer as a dated timeline: one row per cited line, its article's date on the
    left (from the article's metadata, not from the text), oldest first as the answer orders them.
    None when the answer is of another kind or fewer than two of its lines carry a date."""
    if getattr(answer, "kind", "") != "change":
        return None
    dates = {c.n: c.metadata.get("date", "") for c in answer.citations}
    head: list[str] = []
    rows: list[str] = []
    for line in answer.text.splitlines():
        m = _LINE.match(line.strip())
        if m is None:
            (rows if rows else head).append(f'<div class="rag-answer">{text_html(line)}</div>')
            continue
        n = int(m.group("n"))
        day = dates.get(n, "")
        outlet = m.group("lead") or ""
        when = (
            f'<time class="rag-when" datetime="{escape(day)}">{escape(date_words(day))}</time>'
            if day
            else '<span class="rag-when">undated</span>'
        )
        who = f'<span class="rag-outlet">{escape(outlet)}</span> ' if outlet else ""
        rows.append(f'<li>{when}<div class="rag-event">{who}{text_html(m.group("text"))} [{n}]</div></li>')
    if sum('datetime="' in r for r in rows) < 2:
        return None
    return f'{"".join(head)}<ol class="rag-timeline rag-final">{"".join(rows)}</ol>'


def streaming_html(pieces: Sequence[str]) -> str:
    """The answer while the model writes it."""
    return f'<div class="rag-message"><div class="rag-answer rag-streaming">{text_html("".join(pieces))}▍</div></div>'


PENDING_HTML = '<div class="rag-message"><div class="rag-pending">Searching the articles…</div></div>'


def error_html(message: str) -> str:
    return f'<div class="rag-message"><div class="rag-error">⚠ {text_html(message)}</div></div>'


def progress_html(done: int, total: int, stage: str, note: str = "") -> str:
    bar = f'<progress class="rag-progress" value="{done}" max="{max(total, 1)}"></progress>'
    counts = f" {done}/{total}" if total else ""
    tail = f"<div>{escape(note)}</div>" if note else ""
    return f"<div>{bar} {escape(stage)}{counts}{tail}</div>"


def status_html(status: Any) -> str:
    """The index panel: articles, chunks, when built."""
    rows = [
        ("articles", status.articles),
        ("chunks", status.chunks),
        ("built", status.built_at),
        ("embedding", status.embedding_model),
        ("folder", status.index_dir),
    ]
    return "".join(f"<div><b>{escape(k)}</b>: {escape(str(v))}</div>" for k, v in rows)


def focus_html(focus: dict[str, list[str]], filters: dict[str, Any]) -> str:
    """What narrowed the search: the filters set in the chat, and the outlets and days the question named
    (retrieval favours those; a question about two outlets still reads both)."""
    parts = []
    if filters:
        names = {"source": "outlet", "after": "from", "before": "to"}
        shown = "; ".join(f"{names.get(k, k)} {', '.join(v) if isinstance(v, list) else v}" for k, v in filters.items())
        parts.append(f"<span class='rag-filter'>Searched only: {escape(shown)}</span>")
    read = [f"outlet {o}" for o in focus.get("outlets", [])] + [f"date {d}" for d in focus.get("dates", [])]
    if read:
        parts.append(f"<span class='rag-filter'>Read from the question: {escape('; '.join(read))}</span>")
    return f"<div class='rag-focus'>{' · '.join(parts)}</div>" if parts else ""


def lines_html(lines: Sequence[str], tail: str = "") -> str:
    """A list of report lines (escaped), then optional HTML (a progress bar)."""
    items = "".join(f"<li>{escape(line)}</li>" for line in lines)
    return f"<div class='rag-report'><ul>{items}</ul>{tail}</div>"


def models_html(models: dict[str, str]) -> str:
    return "".join(f"<div><b>{escape(role)}</b>: <code>{escape(src)}</code></div>" for role, src in models.items())


CSS = """
.rag-searched { color: #666; font-style: italic; margin-bottom: .4em; }
.rag-error { color: #b00020; }
.rag-pending { color: #888; }
.rag-label { font-weight: 600; margin: .8em 0 .3em; }
.rag-source { border-left: 3px solid #d0d7de; padding: .2em .6em; margin: .4em 0; }
.rag-source-head { font-size: .95em; }
.rag-file, .rag-score { color: #666; font-size: .9em; }
.rag-passage { font-size: .9em; margin: .3em 0; }
.rag-article-text { position: relative; max-height: 22em; overflow-y: auto; font-size: .9em;
  border: 1px solid #d0d7de; border-radius: 4px; padding: .5em; margin-top: .3em; }
mark.rag-hl { background: #fff3b0; color: inherit; }
mark.rag-support { background: #ffd54f; color: inherit; }
.rag-unsupported { color: #8a6d3b; font-size: .9em; }
.rag-note { color: #666; font-size: .9em; margin-bottom: .3em; }
progress.rag-progress { width: 100%; }
.rag-warning { color: #8a3b00; background: #fff4e5; border-left: 3px solid #e67e22; padding: .3em .6em;
  margin: .4em 0; font-size: .92em; }
.rag-focus { color: #555; font-size: .9em; }
.rag-timeline { list-style: none; padding-left: 0; margin: .3em 0; border-left: 2px solid #d0d7de; }
.rag-timeline li { display: flex; gap: .8em; padding: .25em 0 .25em .8em; position: relative; }
.rag-timeline li::before { content: ""; position: absolute; left: -6px; top: .65em; width: 10px; height: 10px;
  border-radius: 50%; background: #57606a; }
.rag-when { flex: 0 0 9.5em; color: #444; font-weight: 600; font-size: .92em; }
.rag-outlet { color: #57606a; font-style: italic; }
.rag-report ul { margin: .2em 0; padding-left: 1.2em; font-size: .9em; }
"""

# Opening an article scrolls its box (only the box) to the highlighted passage.
HEAD = """<script>
document.addEventListener('toggle', function (e) {
  var d = e.target;
  if (!d.matches || !d.matches('details.rag-article') || !d.open) return;
  var box = d.querySelector('.rag-article-text'), m = d.querySelector('mark.rag-hl');
  if (box && m) box.scrollTop = Math.max(0, m.offsetTop - box.clientHeight / 3);
}, true);
</script>"""
