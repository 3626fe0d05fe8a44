"""Read a folder of articles and strip the publishers' boilerplate.

Formats: .txt (first non-empty line is the title), .md, .html/.htm (main text via trafilatura),
.json (one article, a list of articles, or {"articles": [...]}), .jsonl (one per line), .pdf (pypdf).
Offsets used downstream are into `Article.text`, the cleaned body.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CorpusError

log = logging.getLogger(__name__)

SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".json", ".jsonl", ".pdf"}
MAX_FILE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Article:
    id: str  # file name relative to the corpus folder; "#n" added for records of a collection file
    title: str
    text: str  # cleaned body; every offset in the system points into this
    metadata: dict[str, str] = field(default_factory=dict)  # source, date, author, url, category
    hash: str = ""  # sha256 of the raw record, for incremental sync


@dataclass
class Skipped:
    path: str
    reason: str


@dataclass
class Corpus:
    articles: list[Article]
    skipped: list[Skipped]
    file_hashes: dict[str, str] = field(default_factory=dict)  # relative file path -> sha256


# --- boilerplate -------------------------------------------------------------------------------
# Whole lines that are never part of the story on the news sites we have seen.
_DROP_LINE = re.compile(
    r"""^(?:
        -*\s*advertisement\s*-*
      | (?:subscribe|sign\s+up)\b.*\b(?:newsletter|updates|inbox|subscribe\s+now)\b.*
      | get\s+real[\s-]time\s+updates.*
      | please\s+(?:follow\s+and\s+like|share)\s+us:?
      | (?:share|tweet|email|print)(?:\s+(?:this|on\s+\w+))*:?
      | [\d.,\s]+                                 # share and view counters
      | this\s+(?:post|article|story)\s+was\s+originally\s+(?:posted|published)\b.*
      | .*\bhttps?://t\.co/\S+.*                  # embedded tweet text
      | [—-]\s*.{1,80}\(@\w{1,30}\)\s+\w+\s+\d{1,2},\s+\d{4}   # embedded tweet attribution
      | (?:read\s+more|continue\s+reading|view\s+original\s+article|click\s+here)\b.{0,80}
      | (?:image|photo|video)(?:\s+credit)?:.{0,120}
      | [^.]{20,300}\s\([a-z][\w.]{1,30}\)          # photo caption ending in a lower-case credit
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# Donation appeals and similar pleas: dropped when two of these appear in one paragraph.
_APPEAL = re.compile(
    r"\b(?:please\s+(?:contribute|donate|support)|our\s+readers|donat(?:e|ion)|"
    r"become\s+a\s+(?:member|patron)|support\s+(?:us|our\s+journalism)|"
    r"independent\s+media|take\s+advertisements)\b",
    re.IGNORECASE,
)
# A heading after which the rest is a list of other stories' headlines.
_RELATED = re.compile(r"^(?:related(?:\s+(?:posts|articles|stories|news))?|more\s+from\s+.*|you\s+may\s+also\s+like|recommended(?:\s+for\s+you)?|read\s+next|also\s+read):?$", re.IGNORECASE)
# A heading after which everything is about the author, not the story.
_TAIL = re.compile(r"^(?:about\s+the\s+author|about\s+us|author\s+bio|comments?)\s*:?$", re.IGNORECASE)


def _is_headline(line: str) -> bool:
    """A stray headline: short and not a sentence (no final full stop), or trailing off."""
    words = line.split()
    return len(words) <= 16 and (not line.rstrip().endswith((".", "\"", "”")) or line.endswith(("…", "...")))


def clean_text(raw: str) -> str:
    """Drop boilerplate lines and paragraphs; paragraphs are joined by a blank line."""
    lines = [re.sub(r"[ \t\u00a0]+", " ", ln).strip() for ln in raw.replace("\r\n", "\n").split("\n")]
    lines = [ln for ln in lines if ln]
    kept: list[str] = []
    skipping_related = False
    for line in lines:
        if _TAIL.match(line):
            break
        if _RELATED.match(line):
            skipping_related = True
            continue
        if skipping_related:
            if _is_headline(line):
                continue
            skipping_related = False
        if _DROP_LINE.match(line):
            continue
        if len(set(m.group(0).lower() for m in _APPEAL.finditer(line))) >= 2:
            continue
        kept.append(line)
    return "\n\n".join(kept)


# --- formats ------------------------------------------------------------------------------------
def _title_and_body(text: str) -> tuple[str, str]:
    lines = text.strip().split("\n", 1)
    title = lines[0].strip().lstrip("#").strip()
    return title, lines[1] if len(lines) > 1 else ""


def _decode(data: bytes, rel: str) -> str:
    if b"\x00" in data[:8192]:
        raise ValueError("binary file, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"not UTF-8 text ({e.reason} at byte {e.start})") from None


_META_KEYS = {
    "source": ("source", "outlet", "publisher", "site_name"),
    "date": ("date", "published_at", "published", "pubdate"),
    "author": ("author", "authors", "byline"),
    "url": ("url", "link"),
    "category": ("category", "section"),
}


def _meta(record: dict[str, object]) -> dict[str, str]:
    meta: dict[str, str] = {}
    for key, names in _META_KEYS.items():
        for name in names:
            value = record.get(name)
            if value and str(value) not in ("None", "null"):
                meta[key] = str(value) if not isinstance(value, list) else ", ".join(map(str, value))
                break
    if "date" in meta:
        meta["date"] = meta["date"][:10]  # ISO day: enough for filters and prompts
    return meta


def _from_record(record: object, rel: str, ident: str) -> Article:
    if not isinstance(record, dict):
        raise ValueError("a JSON article must be an object with a title and a body or text")
    body = str(record.get("body") or record.get("text") or record.get("content") or "")
    title = str(record.get("title") or "").strip()
    raw = json.dumps(record, sort_keys=True, ensure_ascii=False)
    return Article(ident, title or rel, clean_text(body), _meta(record), _sha(raw.encode()))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_file(path: Path, rel: str, data: bytes) -> list[Article]:
    """Articles in one file (several for a .json list or .jsonl). Raises ValueError when unreadable."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return [_parse_pdf(path, rel, data)]
    text = _decode(data, rel)
    if suffix in (".json", ".jsonl"):
        if suffix == ".jsonl":
            records = [json.loads(ln) for ln in text.splitlines() if ln.strip()]
        else:
            loaded = json.loads(text)
            records = loaded.get("articles", [loaded]) if isinstance(loaded, dict) else loaded
        if not isinstance(records, list):
            raise ValueError("expected a JSON object or a list of objects")
        if len(records) == 1:
            return [_from_record(records[0], rel, rel)]
        return [_from_record(r, rel, f"{rel}#{i}") for i, r in enumerate(records)]
    if suffix in (".html", ".htm"):
        return [_parse_html(text, rel, data)]
    title, body = _title_and_body(text)
    return [Article(rel, title, clean_text(body), {}, _sha(data))]


def _parse_html(text: str, rel: str, data: bytes) -> Article:
    import trafilatura

    doc = trafilatura.bare_extraction(text, include_comments=False, include_tables=False, with_metadata=True)
    if doc is None:
        raise ValueError("no article text found in the HTML")
    d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    meta = _meta({"source": d.get("sitename"), "date": d.get("date"), "author": d.get("author"), "url": d.get("url")})
    return Article(rel, str(d.get("title") or rel), clean_text(str(d.get("text") or "")), meta, _sha(data))


def _parse_pdf(path: Path, rel: str, data: bytes) -> Article:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as e:
        raise ValueError(f"unreadable PDF ({e})") from None
    info_title = (reader.metadata.title if reader.metadata else None) or ""
    title, body = _title_and_body("\n".join(pages))
    return Article(rel, info_title.strip() or title, clean_text(body if not info_title else "\n".join(pages)), {}, _sha(data))


# --- folder -------------------------------------------------------------------------------------
def _walk(root: Path) -> Iterator[Path]:
    """Article files below root, sorted; symlinks to files are followed, symlinked folders are not (no loops)."""
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=None):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and Path(name).suffix.lower() in SUFFIXES:
                yield Path(dirpath) / name


def load_corpus(corpus_dir: Path) -> Corpus:
    """Read every article below corpus_dir; unreadable files are skipped with a reason."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"No corpus folder at {corpus_dir}; create it and put articles in it, or pass --corpus DIR")
    articles: list[Article] = []
    skipped: list[Skipped] = []
    hashes: dict[str, str] = {}
    for path in _walk(corpus_dir):
        rel = path.relative_to(corpus_dir).as_posix()
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise ValueError(f"larger than {MAX_FILE_BYTES // 2**20} MB")
            data = path.read_bytes()
            if not data.strip():
                raise ValueError("empty file")
            found = [a for a in parse_file(path, rel, data) if a.text.strip()]
            if not found:
                raise ValueError("no article text after cleaning")
        except (OSError, ValueError) as e:  # json.JSONDecodeError is a ValueError
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            skipped.append(Skipped(rel, reason))
            log.warning("skipped %s: %s", rel, reason)
            continue
        hashes[rel] = _sha(data)
        articles.extend(found)
    if not articles:
        why = f" ({len(skipped)} unreadable)" if skipped else ""
        raise CorpusError(
            f"No readable articles in {corpus_dir}{why}; add .txt, .md, .html, .json or .pdf files"
        )
    return Corpus(articles, skipped, hashes)
