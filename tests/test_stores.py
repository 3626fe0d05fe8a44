"""The store interface (rag/stores.py) and the server store (rag/pgstore.py, PostgreSQL + pgvector):
the same passages as the index folder, sync by content hash, shards, and the Ray indexing job's
exactly-once writes after a kill -9. The server is the real one (`make store-up`, or started here)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from rag import Settings, build_index, retrieve, sync_index
from rag import keyword as K
from tests.conftest import CORPUS, SHARED, load_questions

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent


def _server(settings: Settings, url: str, index_dir: Path | None = None, **changes: Any) -> Settings:
    return settings.replace(store="server", store_url=url, index_dir=index_dir, **changes)


def _pg(s: Settings) -> Any:
    from rag.pgstore import PgStore

    return PgStore.open(s)


def _exactly_once(st: Any) -> dict[str, int]:
    """The store's own bookkeeping, recounted: every article once, its chunks once, the term counts equal
    to what the chunks hold."""
    t = st._t
    articles = st._rows(f"select article_id, n_chunks from {t('articles')}")
    per_article = Counter(a for (a,) in st._rows(f"select article_id from {t('chunks')}"))
    assert len({a for a, _ in articles}) == len(articles)
    assert {a: n for a, n in articles if n} == dict(per_article), "chunks per article differ from the articles rows"
    ids = [i for (i,) in st._rows(f"select id from {t('chunks')}")]
    assert len(ids) == len(set(ids)), "a chunk is stored twice (on two shards)"
    counted = Counter(x for (terms,) in st._rows(f"select terms from {t('chunks')}") for x in terms)
    stats: Counter[int] = Counter()
    for term, df in st._rows(f"select term, df from {t('term_stats')}"):
        stats[int(term)] += int(df)
    assert stats == counted, "BM25 document frequencies differ from the chunks"
    return {"articles": len(articles), "chunks": len(ids)}


def test_bm25_as_sparse_vectors_scores_as_bm25s() -> None:
    """The server store's BM25 (document weights x query IDF, an inner product) equals bm25s's."""
    texts = [p.strip() for f in sorted(CORPUS.glob("*.txt")) for p in f.read_text().split("\n\n") if len(p) > 80]
    assert len(texts) > 40
    index = K.KeywordIndex.build(texts, list(range(len(texts))))
    lengths = [len(t) for t in K.tokenize(texts)]
    avgdl = sum(lengths) / len(lengths)
    docs = [K.doc_weights(K.term_counts(t), avgdl) for t in texts]
    df = Counter(t for d in docs for t in d)
    for q in [row["question"] for row in load_questions()[:15]]:
        query = {t: c * K.bm25_idf(df[t], len(texts)) for t, c in K.term_counts(q).items() if df[t]}
        scores = sorted(
            ((i, sum(query.get(t, 0.0) * w for t, w in d.items())) for i, d in enumerate(docs)), key=lambda r: -r[1]
        )
        want = index.search(q, 5)
        mine = dict(scores)
        assert [s for _, s in want] == pytest.approx([s for _, s in scores[: len(want)]], rel=1e-5), q
        assert [s for _, s in want] == pytest.approx([mine[i] for i, _ in want], rel=1e-5), q  # ties in any order


@pytest.fixture(scope="module")
def server(settings: Settings, store_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The bundled articles in the server store (its own schema)."""
    s = _server(settings, store_url, tmp_path_factory.mktemp("pg-index"))
    summary = build_index(settings=s)
    assert summary.chunks > 0 and summary.where.startswith("the server store's d_")
    yield s
    _pg(s).drop()


def _passages(question: str, s: Settings, **kw: Any) -> list[tuple[str, int, int, float]]:
    return [(p.source, p.start, p.end, p.score) for p in retrieve(question, k=5, settings=s, **kw)]


def _same(a: list[tuple[str, int, int, float]], b: list[tuple[str, int, int, float]]) -> bool:
    """The same passages in the same order, with the same scores (to float rounding)."""
    return [x[:3] for x in a] == [x[:3] for x in b] and all(abs(x[3] - y[3]) < 1e-4 for x, y in zip(a, b, strict=True))


def test_server_store_gives_the_passages_of_the_local_one(settings: Settings, server: Settings) -> None:
    from rag.store import read_manifest

    local_manifest, server_manifest = read_manifest(settings.index_dir), _pg(server).manifest()
    assert server_manifest.articles == local_manifest.articles
    assert server_manifest.chunks == local_manifest.chunks
    same = 0
    questions = [row["question"] for row in load_questions()]
    for q in questions:
        same += _same(_passages(q, settings), _passages(q, server))
    assert same == len(questions)


@pytest.fixture(scope="module")
def multihop(
    settings: Settings, store_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Settings, Settings]]:
    """40 MultiHop-RAG articles (with outlets and dates) in both stores: (local, server)."""
    home = tmp_path_factory.mktemp("mh")
    corpus = _multihop_corpus(home / "corpus", 40)
    local = settings.replace(corpus_dir=corpus, index_dir=home / "local")
    server = _server(local, store_url, home / "server")
    build_index(settings=local)
    build_index(settings=server)
    yield local, server
    _pg(server).drop()


@pytest.mark.parametrize(
    "filters",
    [
        None,
        {"source": "techcrunch"},
        {"source": ["Polygon", "The Age"]},
        {"after": "2023-11-01"},
        {"after": "2023-10-01", "before": "2023-10-31", "category": "technology"},
        {"date": "2023-10-04"},
        {"source": "no such outlet"},
        {"source": "crunch"},  # a part of a word is no outlet's name
    ],
)
def test_filters_mean_the_same_in_both_stores(multihop: tuple[Settings, Settings], filters: dict | None) -> None:
    local, server = multihop
    for q in ("What did the company announce about artificial intelligence?", "Who won the game on Sunday?"):
        a, b = _passages(q, local, filters=filters), _passages(q, server, filters=filters)
        assert _same(a, b), (q, filters, a, b)
        if filters and filters.get("source") in ("no such outlet", "crunch"):
            assert a == []


def test_answers_and_facets_through_the_server_store(server: Settings, multihop: tuple[Settings, Settings]) -> None:
    from rag import answer, get_article, index_facets, index_status

    a = answer("Who recognised Juan Guaido as interim president?", settings=server)
    assert a.citations and not a.abstained
    article = get_article(a.citations[0].source, settings=server)
    assert a.citations[0].text in article.text
    status = index_status(settings=server)
    assert status.articles == len(list(CORPUS.glob("*.txt"))) and status.index_type == "hnsw"
    local, pg = multihop
    assert index_facets(settings=pg) == index_facets(settings=local)
    assert index_facets(settings=pg).outlets


def test_sync_adds_changes_and_removes_by_content_hash(settings: Settings, store_url: str, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    files = sorted(CORPUS.glob("*.txt"))
    for f in files:
        (corpus / f.name).write_text(f.read_text())
    s = _server(settings, store_url, tmp_path / "index", corpus_dir=corpus)
    st = _pg(s)
    try:
        first = sync_index(settings=s)
        assert first.rebuilt and len(first.added) == len(files)
        again = sync_index(settings=s)
        assert (again.added, again.changed, again.removed, again.embedded) == ([], [], [], 0)
        (corpus / "zorblax.txt").write_text(
            "Zorblax treaty signed\n\nThe Zorblax treaty was signed in Caracas by nine envoys.\n"
        )
        (corpus / files[0].name).write_text(
            files[0].read_text() + "\n\nA late paragraph about the Quillfeather accord.\n"
        )
        (corpus / files[1].name).unlink()
        third = sync_index(settings=s)
        assert third.added == ["zorblax.txt"] and third.changed == [files[0].name] and third.removed == [files[1].name]
        assert third.embedded < first.embedded  # only the new and the changed article
        assert st.keyword_search("Zorblax treaty", 3)[0][0] in st.chunks(
            [c for c, _ in st.keyword_search("Zorblax", 3)]
        )
        assert not any(
            c.article_id == files[1].name
            for c in st.chunks([i for i, _ in st.keyword_search("Venezuela Russia", 200)]).values()
        )
        assert retrieve("Quillfeather accord", k=1, settings=s)[0].source == files[0].name
        counts = _exactly_once(st)
        assert counts["articles"] == len(files) and counts["chunks"] == third.chunks
    finally:
        st.drop()


def test_two_shards_answer_as_one(settings: Settings, store_url: str, server: Settings, tmp_path: Path) -> None:
    urls = store_url.split()
    assert len(urls) >= 2, "the server store runs at least two shards (make store-up)"
    one = _server(settings, urls[0], tmp_path / "one-shard")
    build_index(settings=one)
    try:
        st = _pg(server)
        per_shard = [
            len(rows) for rows in st._each(lambda c: c.execute(f"select 1 from {st._t('articles')}").fetchall())
        ]
        assert len(per_shard) == len(urls) and sum(per_shard) == len(list(CORPUS.glob("*.txt")))
        assert sum(1 for n in per_shard if n) >= 2, per_shard  # the articles are spread over the shards
        for row in load_questions():
            assert _same(_passages(row["question"], one), _passages(row["question"], server)), row["question"]
    finally:
        _pg(one).drop()


def _rag(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "rag"), *args], capture_output=True, text=True, env={**os.environ, **env}, timeout=900
    )


def test_cli_server_store_errors_are_one_line(tmp_path: Path) -> None:
    bad = _rag(
        "index",
        env={"RAG_STORE": "server", "RAG_STORE_URL": "postgresql://rag:x@127.0.0.1:9/rag", "RAG_INDEX": str(tmp_path)},
    )
    assert bad.returncode == 1 and "does not answer" in bad.stderr and "make store-up" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    wrong = _rag("index", env={"RAG_STORE": "cloud"})
    assert wrong.returncode == 1 and "RAG_STORE='cloud'" in wrong.stderr
    local = _rag("index", "--workers", "2", "--index", str(tmp_path / "i"), env={"RAG_STORE": "local"})
    assert local.returncode == 1 and "RAG_STORE=server" in local.stderr


def _multihop_corpus(dest: Path, n: int) -> Path:
    """n MultiHop-RAG articles as .json files, as `rag eval` writes them."""
    corpus = json.loads((SHARED / "eval-data" / "multihop-rag" / "corpus.json").read_text())[:n]
    dest.mkdir(parents=True)
    for i, record in enumerate(corpus):
        (dest / f"mh-{i:03d}.json").write_text(json.dumps(record, ensure_ascii=False))
    return dest


def _ray_leftovers(tmp: str) -> list[int]:
    """Processes of the killed job's Ray cluster (its session folder is under tmp)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if tmp.encode() in (proc / "cmdline").read_bytes():
                    pids.append(int(proc.name))
            except OSError:
                continue
    return pids


def test_kill_9_of_the_ray_job_then_rerun_indexes_every_article_once(
    settings: Settings, store_url: str, tmp_path: Path
) -> None:
    corpus = _multihop_corpus(tmp_path / "corpus", 60)
    ray_tmp = f"/tmp/rk{os.getpid()}"
    env = {
        "RAG_STORE": "server",
        "RAG_STORE_URL": store_url,
        "RAY_TMPDIR": ray_tmp,
    }
    where = ["--corpus", str(corpus), "--index", str(tmp_path / "index")]  # its own schema (pgstore.namespace)
    s = Settings.load(corpus_dir=corpus, index_dir=tmp_path / "index").replace(store="server", store_url=store_url)
    st = _pg(s)
    job = subprocess.Popen(
        [str(BIN / "rag"), "index", "--workers", "2", *where],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        written = 0
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and job.poll() is None:
            written = len(st.article_hashes())
            if written >= 5:
                break
            time.sleep(0.2)
        assert job.poll() is None, (
            f"the job ended before it could be killed: {job.stderr.read().decode()[-2000:] if job.stderr else ''}"
        )
        os.kill(job.pid, signal.SIGKILL)  # kill -9 of the embedding job, midway
        job.wait()
        for pid in _ray_leftovers(ray_tmp):  # its cluster's processes too, so that they write no more
            os.kill(pid, signal.SIGKILL)
        # what was written before the kill: once the count stops moving (a batch the server had already received
        # still commits; reading it after a fixed second raced with that commit)
        midway, still_since = len(st.article_hashes()), time.monotonic()
        while time.monotonic() - still_since < 3 and time.monotonic() < deadline:
            time.sleep(0.5)
            now = len(st.article_hashes())
            if now != midway:
                midway, still_since = now, time.monotonic()
        assert 5 <= midway < 60, midway
        rerun = _rag("index", "--workers", "2", *where, env=env)
        assert rerun.returncode == 0, rerun.stderr[-2000:]
        assert f"added {60 - midway}," in rerun.stdout, rerun.stdout
        counts = _exactly_once(st)
        assert counts["articles"] == 60
        third = _rag("index", "--workers", "2", *where, env=env)
        assert "added 0, changed 0, removed 0" in third.stdout and "embedded 0 chunks" in third.stdout
        assert _exactly_once(st) == counts
    finally:
        if job.poll() is None:
            job.kill()
        for pid in _ray_leftovers(ray_tmp):
            os.kill(pid, signal.SIGKILL)
        st.drop()
