"""Read a folder of articles and strip the publishers' boilerplate.

Formats: .txt (first non-empty line is the title), .md (optional front matter for title, date, source,
author, url; markup stripped), .html/.htm (main text via trafilatura), .json (one article, a list of
articles, or {"articles": [...]}), .jsonl (one per line), .pdf (pypdf).
Offsets used downstream are into `Article.text`, the cleaned body.

A file that cannot be read (too big, not UTF-8, binary, empty, no permission, a symlink loop, a name
that is not UTF-8, not a regular file, an unknown type) is skipped with a reason; the rest is read.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import stat
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
    hash: str = ""  # sha256 of what gets indexed (title, text, metadata), for incremental sync


def make_article(ident: str, title: str, text: str, metadata: dict[str, str]) -> Article:
    """An Article whose hash covers exactly what is indexed: a file re-saved with the same story (or a
    JSON record with reordered keys) is not re-embedded, while a change in the cleaning rules is."""
    key = json.dumps([title, text, sorted(metadata.items())], ensure_ascii=False)
    return Article(ident, title, text, metadata, _sha(key.encode("utf-8", "surrogatepass")))


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
        -*\s*advertisement\s*-*(?:\s*article\s+continues\s+below\s+(?:this\s+)?ad(?:vertisement)?)?
      | article\s+continues\s+below\s+(?:this\s+)?ad(?:vertisement)?
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
# The placeholder a page's embedded widget leaves in the text ("... so far for the year. Loading September has
# brought ..."): cut where a sentence or a line begins with it.
_PLACEHOLDER = re.compile(r"(?:^|(?<=[.!?”\"’]))\s*Loading(?:\.{3}|…)?\s+(?=[A-Z“\"‘])")
# Donation appeals and similar pleas: dropped when two of these appear in one paragraph.
_APPEAL = re.compile(
    r"\b(?:please\s+(?:contribute|donate|support)|our\s+readers|donat(?:e|ion)|"
    r"become\s+a\s+(?:member|patron)|support\s+(?:us|our\s+journalism)|"
    r"independent\s+media|take\s+advertisements)\b",
    re.IGNORECASE,
)
# A heading after which the rest is a list of other stories' headlines.
_RELATED = re.compile(
    r"^(?:related(?:\s+(?:posts|articles|stories|news))?|more\s+from\s+.*|you\s+may\s+also\s+like|recommended(?:\s+for\s+you)?|read\s+next|also\s+read):?$",
    re.IGNORECASE,
)
# A heading after which everything is about the author, not the story.
_TAIL = re.compile(r"^(?:about\s+the\s+author|about\s+us|author\s+bio|comments?)\s*:?$", re.IGNORECASE)


def _is_headline(line: str) -> bool:
    """A stray headline: short and not a sentence (no final full stop), or trailing off."""
    words = line.split()
    return len(words) <= 16 and (not line.rstrip().endswith((".", '"', "”")) or line.endswith(("…", "...")))


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
        line = _PLACEHOLDER.sub(lambda m: " " if m.start() else "", line)
        if line:
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
        utf8 = f"{e.reason} at byte {e.start}"
    # another encoding (Latin-1, Windows-1252, ...): charset-normalizer guesses it from the bytes
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        raise ValueError(f"not text in any encoding found (not UTF-8: {utf8}); save it as UTF-8") from None
    # a short Western text fits several code pages equally well ("señor" is "seńor" in cp1250): among
    # those tied with the best, take Windows-1252, the usual one for Western news (a superset of Latin-1)
    tied = [m for m in matches if (m.chaos, m.coherence) == (best.chaos, best.coherence)]
    best = next((m for m in tied if m.encoding == "cp1252"), best)
    log.info("%s: read as %s (not UTF-8: %s)", rel, best.encoding, utf8)
    return str(best)


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
    return make_article(ident, title or rel, clean_text(body), _meta(record))


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_file(path: Path, rel: str, data: bytes) -> list[Article]:
    """Articles in one file (several for a .json list or .jsonl). Raises ValueError when unreadable."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return [_parse_pdf(rel, data)]
    text = _decode(data, rel)
    if suffix in (".json", ".jsonl"):
        if suffix == ".jsonl":
            records = []
            for n, ln in enumerate(text.splitlines(), 1):
                if ln.strip():
                    try:
                        records.append(json.loads(ln))
                    except ValueError as e:
                        raise ValueError(f"line {n} is not JSON ({e})") from None
        else:
            loaded = json.loads(text)
            records = loaded.get("articles", [loaded]) if isinstance(loaded, dict) else loaded
        if not isinstance(records, list):
            raise ValueError("expected a JSON object or a list of objects")
        if len(records) == 1:
            return [_from_record(records[0], rel, rel)]
        return [_from_record(r, rel, f"{rel}#{i}") for i, r in enumerate(records)]
    if suffix in (".html", ".htm"):
        return [_parse_html(text, rel)]
    if suffix in (".md", ".markdown"):
        return [_parse_markdown(text, rel)]
    title, body = _title_and_body(text)
    return [make_article(rel, title or rel, clean_text(body), {})]


_FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.DOTALL)
_MD_INLINE = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # bold
    (re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?!\w)"), r"\1"),  # italics
    (re.compile(r"`([^`\n]+)`"), r"\1"),  # inline code
    (re.compile(r"^\s{0,3}(?:#{1,6}\s+|>\s?|[-*+]\s+(?=\S))", re.MULTILINE), ""),  # headings, quotes, bullets
    (re.compile(r"^\s*(?:```.*|[-*_]{3,})\s*$", re.MULTILINE), ""),  # fences, rules
)


def _parse_markdown(text: str, rel: str) -> Article:
    """Front matter (key: value lines) gives the title and metadata; the markup is dropped from the body."""
    record: dict[str, object] = {}
    m = _FRONT.match(text)
    if m:
        for line in m.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep:
                record[key.strip().lower()] = value.strip().strip("\"'")
        text = text[m.end() :]
    title, body = (str(record["title"]), text) if record.get("title") else _title_and_body(text)
    for pattern, repl in _MD_INLINE:
        body = pattern.sub(repl, body)
    return make_article(rel, title or rel, clean_text(body), _meta(record))


def _parse_html(text: str, rel: str) -> Article:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(text, include_comments=False, include_tables=False, with_metadata=True)
    except Exception as e:  # malformed markup can trip the parser; skip the file, not the corpus
        raise ValueError(f"unreadable HTML ({type(e).__name__}: {e})") from None
    if doc is None:
        raise ValueError("no article text found in the HTML")
    d = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    meta = _meta({"source": d.get("sitename"), "date": d.get("date"), "author": d.get("author"), "url": d.get("url")})
    title = str(d.get("title") or rel).strip()
    body = str(d.get("text") or "")
    first, _, rest = body.partition("\n")
    if first.strip() == title:  # trafilatura repeats the headline as the first line
        body = rest
    return make_article(rel, title, clean_text(body), meta)


def _parse_pdf(rel: str, data: bytes) -> Article:
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in reader.pages]
    except PdfReadError as e:
        raise ValueError(f"unreadable PDF ({e})") from None
    except Exception as e:  # a damaged PDF can make pypdf fail in many ways; skip the file, not the corpus
        raise ValueError(f"unreadable PDF ({type(e).__name__}: {e})") from None
    info_title = (reader.metadata.title if reader.metadata else None) or ""
    title, body = _title_and_body("\n".join(pages))
    return make_article(
        rel, info_title.strip() or title or rel, clean_text(body if not info_title else "\n".join(pages)), {}
    )


# --- folder -------------------------------------------------------------------------------------
def _walk(root: Path, skipped: list[Skipped]) -> Iterator[Path]:
    """Files below root, sorted. Symlinks are followed, but a folder reached twice (a symlink loop, or
    two links to one folder) is read once; folders that cannot be listed are reported."""
    seen: set[tuple[int, int]] = set()

    def rel(path: str) -> str:
        return _printable(Path(path).relative_to(root).as_posix())

    def onerror(e: OSError) -> None:
        skipped.append(Skipped(rel(e.filename) if e.filename else "?", f"folder not readable ({e.strerror})"))

    for dirpath, dirnames, filenames in os.walk(root, followlinks=True, onerror=onerror):
        st = os.stat(dirpath)
        if (st.st_dev, st.st_ino) in seen:  # subtle: os.walk has already listed it, so prune here
            dirnames[:] = []
            skipped.append(Skipped(rel(dirpath), "symlink loop or second link to a folder already read"))
            continue
        seen.add((st.st_dev, st.st_ino))
        keep = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            full = os.path.join(dirpath, d)
            try:
                dst = os.stat(full)
            except OSError as e:
                skipped.append(Skipped(rel(full), f"broken folder link ({e.strerror})"))
                continue
            if (dst.st_dev, dst.st_ino) in seen:
                skipped.append(Skipped(rel(full), "symlink loop or second link to a folder already read"))
                continue
            keep.append(d)
        dirnames[:] = keep
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def _printable(rel: str) -> str:
    """A file name that is not UTF-8 (surrogate escapes), with the bad bytes shown as \\x.. escapes."""
    try:
        rel.encode("utf-8")
        return rel
    except UnicodeEncodeError:
        return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _read(path: Path) -> bytes:
    """The file's bytes; refuses what is not a regular file or is too big, without reading it."""
    st = path.stat()  # follows symlinks: a link loop raises ELOOP here
    if not stat.S_ISREG(st.st_mode):
        raise ValueError("not a regular file")
    if st.st_size > MAX_FILE_BYTES:
        raise ValueError(f"larger than {MAX_FILE_BYTES // 2**20} MB ({st.st_size // 2**20} MB)")
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:  # it grew while we looked
        raise ValueError(f"larger than {MAX_FILE_BYTES // 2**20} MB")
    return data


def load_corpus(corpus_dir: Path) -> Corpus:
    """Read every article below corpus_dir; unreadable files are skipped with a reason."""
    if not corpus_dir.is_dir():
        raise CorpusError(f"No corpus folder at {corpus_dir}; create it and put articles in it, or pass --corpus DIR")
    articles: list[Article] = []
    skipped: list[Skipped] = []
    hashes: dict[str, str] = {}
    for path in _walk(corpus_dir, skipped):
        rel = path.relative_to(corpus_dir).as_posix()
        shown = _printable(rel)
        try:
            if shown != rel:
                raise ValueError("file name is not UTF-8; rename the file")
            if path.suffix.lower() not in SUFFIXES:
                raise ValueError(
                    f"not an article format ({path.suffix or 'no extension'}); use {', '.join(sorted(SUFFIXES))}"
                )
            data = _read(path)
            if not data.strip():
                raise ValueError("empty file")
            found = [a for a in parse_file(path, rel, data) if a.text.strip()]
            if not found:
                raise ValueError("no article text after cleaning")
        except (OSError, ValueError, RecursionError) as e:  # json.JSONDecodeError is a ValueError
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e) or type(e).__name__
            skipped.append(Skipped(shown, reason))  # reported by the caller (IndexSummary.skipped), once
            log.info("skipped %s: %s", shown, reason)
            continue
        hashes[rel] = _sha(data)
        articles.extend(found)
    if not articles:
        why = f" ({len(skipped)} unreadable)" if skipped else ""
        raise CorpusError(f"No readable articles in {corpus_dir}{why}; add .txt, .md, .html, .json or .pdf files")
    return Corpus(articles, skipped, hashes)
