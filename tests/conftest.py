"""Shared fixtures. The real default models load once per session; the index of the bundled
articles is built once into a temporary folder (the user's index/ is never touched)."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag import Settings

# gradio_client (the tests' client of the chat) sends telemetry to huggingface.co unless told not to
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
# The benchmarks (../shared/eval-data) are read in place, never copied into the repo. Without them the
# benchmark tests skip and say so; CI sets RAG_REQUIRE_BENCHMARKS=1 so that a missing folder fails instead.
SHARED = Path(os.environ.get("RAG_SHARED") or ROOT.parent / "shared")
if os.environ.get("RAG_REQUIRE_BENCHMARKS") == "1" and not (SHARED / "eval-data").is_dir():
    raise pytest.UsageError(f"benchmarks not found at {SHARED / 'eval-data'}: set RAG_SHARED to the shared folder")
QUESTIONS = ROOT / "tests" / "data" / "questions.jsonl"


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


@pytest.fixture(scope="session")
def corpus_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("corpus")
    for f in CORPUS.glob("*.txt"):
        shutil.copy(f, dest / f.name)
    return dest


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings for the bundled articles with the index in a temporary folder, built once."""
    from rag import build_index

    s = Settings.load(
        corpus_dir=CORPUS,
        index_dir=tmp_path_factory.mktemp("index"),
        collections_dir=tmp_path_factory.mktemp("collections"),  # the chat's collections and conversations
    )
    build_index(settings=s)
    yield s
    if s.store == "server":  # the store-agnostic tests' second pass (RAG_STORE=server, `make test`)
        from rag.pgstore import PgStore

        PgStore.open(s).drop()


@pytest.fixture(scope="session")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The server store's shard URLs, space-separated: the one `make store-up` started (or RAG_STORE_URL),
    else two shards started here for the session (and stopped after)."""
    from rag import storeserver
    from rag.errors import RagError

    try:
        yield " ".join(storeserver.urls(Settings.load()))
        return
    except RagError:
        pass
    s = Settings.load().replace(store_home=tmp_path_factory.mktemp("store"))
    found = storeserver.up(s, shards=2)
    try:
        yield " ".join(found)
    finally:
        storeserver.down(s)


@pytest.fixture(scope="session")
def checker():
    """The claim checker as the pipeline uses it (the real embedder and parser)."""
    from rag.models import get_checker

    return get_checker(Settings.load())
