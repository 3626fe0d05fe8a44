"""Fit the claim checker's scoring weights (rag/checker.json) on the tune half of its data.

    python bench/fit_checker.py [--shared ../shared]

Data: the news-faithfulness dev split (QAGS-C, QAGS-X, XSumFaith; CLIFF's whole summaries are only
reported) and our fabrication set tests/data/claims.jsonl. Only rows whose article falls in the
"tune" half (rag.faithfulness.part) are used; `rag eval` reports the "report" half beside it.
Each dataset and label weighs the same, so the fit aims at balanced accuracy, not at the majority.
A logistic model over rag.claims.FEATURES, fitted by gradient descent with a small L2 penalty
(seeded; deterministic), then the threshold that maximises the mean balanced accuracy on the tune half.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag import claims, faithfulness  # noqa: E402
from rag.config import Settings  # noqa: E402
from rag.models import get_embedder  # noqa: E402

FIT_ON = ("qags_cnndm", "qags_xsum", "xsumfaith")  # single sentences; fabrication kinds are added below


def collect(checker: claims.ClaimChecker, rows: list[faithfulness.Claim]) -> tuple[list, list, list, list]:
    xs, ys, groups, scores = [], [], [], []
    for c in rows:
        v = faithfulness.judge(checker, c)
        feats = checker.last_features
        if v.label == claims.CONTRADICTED or feats is None:
            continue  # decided by structure, not by the weights
        xs.append(feats)
        ys.append(c.label)
        groups.append(c.group)
        scores.append(v.score)
    return xs, ys, groups, scores


def fit(x: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = 1e-3, steps: int = 4000) -> tuple[np.ndarray, float]:
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = (x - mu) / sd
    coef, bias = np.zeros(z.shape[1]), 0.0
    lr = 0.5
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(z @ coef + bias)))
        g = (p - y) * w
        coef -= lr * (z.T @ g / w.sum() + l2 * coef)
        bias -= lr * g.sum() / w.sum()
    # back to raw feature units, so the checker needs no scaler
    return coef / sd, bias - float((coef * mu / sd).sum())


def weights_for(groups: list[str], ys: list[bool]) -> np.ndarray:
    counts: dict[tuple[str, bool], int] = {}
    for g, y in zip(groups, ys, strict=True):
        counts[(g, y)] = counts.get((g, y), 0) + 1
    return np.array([1.0 / counts[(g, y)] for g, y in zip(groups, ys, strict=True)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=Path(os.environ.get("RAG_SHARED") or ROOT.parent / "shared"))
    ap.add_argument("--rounds", type=int, default=2, help="refits: each picks the best window under the last fit")
    args = ap.parse_args()
    np.random.seed(0)
    news = faithfulness.load_claims(args.shared / "eval-data" / "news-faithfulness" / "dev.jsonl")
    fab = faithfulness.load_claims(ROOT / "tests" / "data" / "claims.jsonl", ROOT / "corpus")
    tune = [c for c in news if c.group in FIT_ON and faithfulness.part(c.key) == "tune"]
    tune += [
        faithfulness.Claim(c.id, "fabrication", c.claim, c.label, c.evidence, c.key)
        for c in fab
        if faithfulness.part(c.key) == "tune"
    ]
    embed = get_embedder(Settings.load()).embed
    model = claims.default_model()
    for r in range(args.rounds):
        checker = claims.ClaimChecker(embed=embed, model=model)
        xs, ys, groups, _ = collect(checker, tune)
        x, y = np.array(xs), np.array(ys, dtype=float)
        coef, bias = fit(x, y, weights_for(groups, ys))
        model = claims.Model(tuple(float(c) for c in coef), float(bias), 0.5)
        print(
            f"round {r + 1}: {len(xs)} claims; weights {dict(zip(claims.FEATURES, np.round(coef, 3), strict=False))}",
            file=sys.stderr,
        )
    # the threshold: the one that maximises mean balanced accuracy over the tune groups
    checker = claims.ClaimChecker(embed=embed, model=model)
    verdicts = [(c, faithfulness.judge(checker, c)) for c in tune]
    best = (0.0, 0.5)
    for t in np.linspace(0.05, 0.95, 91):
        per = []
        for g in sorted({c.group for c in tune}):
            items = [(c, v) for c, v in verdicts if c.group == g]
            pred = [v.label != claims.CONTRADICTED and v.score >= t for _, v in items]
            per.append(faithfulness.balanced_accuracy(pred, [c.label for c, _ in items]))
        mean = float(np.mean(per))
        if mean > best[0]:
            best = (mean, float(t))
    print(f"threshold {best[1]:.2f}: mean balanced accuracy on the tune half {best[0]:.4f}", file=sys.stderr)
    out = {
        "features": list(claims.FEATURES),
        "weights": [round(float(c), 5) for c in model.weights],
        "bias": round(model.bias, 5),
        "threshold": round(best[1], 3),
        "fitted_on": "tune half of news-faithfulness dev (qags_cnndm, qags_xsum, xsumfaith) and tests/data/claims.jsonl",
    }
    claims.WEIGHTS.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {claims.WEIGHTS}", file=sys.stderr)


if __name__ == "__main__":
    main()
