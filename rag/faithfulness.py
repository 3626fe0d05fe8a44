"""Claim-checker benchmarks: does the checker tell supported statements from unsupported ones?

Two layouts, both jsonl:
    claim rows         {dataset, article, claim, label}            news-faithfulness (QAGS, XSumFaith, CLIFF)
    fabrication rows   {statement, label, kind, source, evidence}  tests/data/claims.jsonl, over a corpus folder
Figures per dataset (or per kind): balanced accuracy at the checker's threshold, ROC AUC of its score, n.

Tuning and reporting are kept apart: `part(row_id)` puts each article in the tune or the report half
by a hash of its id, bench/fit_checker.py fits on "tune" only, and `rag eval` prints both halves.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .claims import CONTRADICTED, ClaimChecker, Verdict, split
from .errors import RagError

SUPPORTED_LABELS = {"supported", "consistent", "faithful", "correct", "1", "true"}


@dataclass(frozen=True)
class Claim:
    id: str
    group: str  # dataset name, or corruption kind
    claim: str
    label: bool  # True: supported
    evidence: tuple[str, ...]  # the candidate sentences
    key: str  # what the tune/report split hashes (the article)


def part(key: str) -> str:
    """'tune' or 'report': half the articles each, by a hash of the article's id."""
    return "tune" if int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % 2 == 0 else "report"


def is_claim_file(path: Path) -> bool:
    """A jsonl whose first row has a claim (or statement) and a label."""
    try:
        with path.open(encoding="utf-8") as f:
            first = next((line for line in f if line.strip()), "")
        row = json.loads(first)
    except (OSError, ValueError):
        return False
    return isinstance(row, dict) and "label" in row and ("claim" in row or "statement" in row)


def claim_file(folder: Path) -> Path | None:
    """The one .jsonl of claim rows in a folder (any name), else None."""
    files = [p for p in sorted(folder.glob("*.jsonl")) if is_claim_file(p)]
    if len(files) > 1:
        raise RagError(f"{folder} holds {len(files)} claim files; keep one .jsonl of claim rows in the folder")
    return files[0] if files else None


def _label(value: Any) -> bool:
    return str(value).strip().lower() in SUPPORTED_LABELS


def load_claims(path: Path, corpus_dir: Path | None = None) -> list[Claim]:
    """Rows of either layout; fabrication rows take every sentence of the corpus as candidate evidence."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except ValueError as e:
            raise RagError(f"{path}:{n}: not JSON ({e})") from None
    corpus: list[str] | None = None
    out = []
    for n, r in enumerate(rows, 1):
        try:
            if "statement" in r:
                if corpus is None:
                    corpus = _corpus_sentences(corpus_dir)
                out.append(
                    Claim(
                        str(r.get("id", n)),
                        r["kind"],
                        r["statement"],
                        _label(r["label"]),
                        tuple(corpus),
                        str(r.get("id", n)),
                    )
                )
            else:
                key = str(r.get("article_id") or hashlib.sha1(r["article"].encode()).hexdigest())
                out.append(
                    Claim(
                        str(r.get("id", n)),
                        str(r.get("dataset", "all")),
                        r["claim"],
                        _label(r["label"]),
                        tuple(split(r["article"])),
                        key,
                    )
                )
        except (KeyError, TypeError) as e:
            raise RagError(f"{path}:{n}: not a claim row (missing {e}); see docs/checker.md for the format") from None
    return out


def _corpus_sentences(corpus_dir: Path | None) -> list[str]:
    from .articles import load_corpus

    if corpus_dir is None:
        raise RagError("Fabrication rows need the articles they are about: pass --corpus")
    return [s for a in load_corpus(Path(corpus_dir)).articles for s in split(a.text)]


def judge(checker: ClaimChecker, c: Claim) -> Verdict:
    """A claim of several sentences (a whole summary) is supported only when each sentence is; the claim's
    score is its weakest sentence's."""
    verdicts = checker.check_all(split(c.claim) or [c.claim], c.evidence)
    return min(verdicts, key=lambda v: (v.supported, v.score))


def score_value(v: Verdict) -> float:
    """A continuous score for ROC AUC: the checker's score; a contradiction ranks below everything."""
    return -1.0 if v.label == CONTRADICTED else v.score


def auc(scores: Sequence[float], labels: Sequence[bool]) -> float:
    """ROC AUC by the rank-sum (Mann-Whitney) formula, ties counted half."""
    pos = [s for s, y in zip(scores, labels, strict=True) if y]
    neg = [s for s, y in zip(scores, labels, strict=True) if not y]
    if not pos or not neg:
        return float("nan")
    wins = sum((p > q) + 0.5 * (p == q) for p in pos for q in neg)
    return wins / (len(pos) * len(neg))


def balanced_accuracy(predicted: Sequence[bool], labels: Sequence[bool]) -> float:
    pos = [p for p, y in zip(predicted, labels, strict=True) if y]
    neg = [p for p, y in zip(predicted, labels, strict=True) if not y]
    tpr = sum(pos) / len(pos) if pos else float("nan")
    tnr = sum(not p for p in neg) / len(neg) if neg else float("nan")
    if not pos:
        return tnr
    if not neg:
        return tpr
    return (tpr + tnr) / 2


def figures(results: Iterable[tuple[Claim, Verdict]]) -> dict[str, dict[str, Any]]:
    """Per group and per part: balanced accuracy, AUC, n; for fabrication kinds also the caught share."""
    by: dict[str, list[tuple[Claim, Verdict]]] = {}
    for c, v in results:
        by.setdefault(c.group, []).append((c, v))
    out: dict[str, dict[str, Any]] = {}
    for group, items in sorted(by.items()):
        row: dict[str, Any] = _stats(items)
        for name in ("tune", "report"):
            sub = [(c, v) for c, v in items if part(c.key) == name]
            if sub:
                row[name] = _stats(sub)
        out[group] = row
    return out


def _stats(items: list[tuple[Claim, Verdict]]) -> dict[str, Any]:
    labels = [c.label for c, _ in items]
    predicted = [v.supported for _, v in items]
    row: dict[str, Any] = {
        "balanced_accuracy": round(balanced_accuracy(predicted, labels), 4),
        "auc": round(auc([score_value(v) for _, v in items], labels), 4),
        "n": len(items),
    }
    if all(labels) or not any(labels):  # one class: the share judged right (paraphrases kept, corruptions caught)
        row["right"] = round(sum(p == y for p, y in zip(predicted, labels, strict=True)) / len(items), 4)
    return row


def run(
    claims: Sequence[Claim],
    checker: ClaimChecker,
    progress: bool = True,
) -> list[tuple[Claim, Verdict]]:
    from tqdm import tqdm

    out = []
    for c in tqdm(claims, desc="claims", unit="claim", file=sys.stderr, leave=False, disable=not progress):
        v = judge(checker, c)
        out.append((c, v))
    return out


# The best zero-shot checker figures quoted in the data's PROVENANCE.md (balanced accuracy, their own splits).
PUBLISHED = {
    "qags_cnndm": "QAFactEval 0.754",
    "qags_xsum": "QAFactEval 0.756",
    "cliff": "QuestEval 0.740 (CNN/DM)",
    "xsumfaith": "SummaC-Conv 0.664-0.675",
}


def table(name: str, per: dict[str, dict[str, Any]]) -> str:
    head = (
        f"{'dataset':<14} {'n':>5} {'BAcc':>6} {'AUC':>6}  {'tune BAcc':>9} {'report BAcc':>11} {'right':>6}  published"
    )
    lines = [f"{name}: claim checker", head, "-" * len(head)]
    for group, f in per.items():
        tune = f.get("tune", {}).get("balanced_accuracy", float("nan"))
        report = f.get("report", {}).get("balanced_accuracy", float("nan"))
        right = f"{f['right']:.3f}" if "right" in f else ""
        lines.append(
            f"{group:<14} {f['n']:>5} {f['balanced_accuracy']:>6.3f} {f['auc']:>6.3f}  {tune:>9.3f} {report:>11.3f} "
            f"{right:>6}  {PUBLISHED.get(group, '')}"
        )
    return "\n".join(lines)
