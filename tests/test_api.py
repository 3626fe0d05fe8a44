"""The JSON API (ui/api.py): the real pipeline, models and bundled articles through FastAPI's TestClient,
then `rag api --workers 2` really served on 127.0.0.1, answering from two replica processes."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from rag import Settings
from ui.api import create_app

from .conftest import CORPUS, ROOT

BUNDLED = {f.name for f in CORPUS.glob("*.txt")}


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as c:  # `with`: runs the warm-up (lifespan)
        yield c


# --- no index: the API says so and builds nothing -------------------------------------------------
@pytest.mark.slow
def test_without_an_index_health_and_ask_are_503_and_nothing_is_built(tmp_path: Path) -> None:
    s = Settings.load(corpus_dir=CORPUS, index_dir=tmp_path / "index", collections_dir=tmp_path / "collections")
    with TestClient(create_app(s)) as c:
        health = c.get("/health")
        assert health.status_code == 503 and health.json()["ok"] is False
        assert "rag index" in health.json()["error"]
        r = c.post("/ask", json={"question": "Who backs Maduro?"})
        assert r.status_code == 503 and "rag index" in r.json()["error"]
        assert c.get("/health").status_code == 503  # the API only reads: /ask built nothing
    if s.store == "local":
        assert not (tmp_path / "index").exists()


# --- the real pipeline ----------------------------------------------------------------------------
@pytest.mark.slow
def test_health_reports_the_bundled_articles(client: TestClient, settings: Settings) -> None:
    body = client.get("/health").json()
    assert body["ok"] is True and body["pid"] == os.getpid()
    assert body["articles"] == len(BUNDLED) and body["chunks"] >= len(BUNDLED)
    assert body["collection"] == settings.collection and body["store"] == settings.store


@pytest.mark.slow
def test_ask_answers_with_citations_of_a_bundled_article(client: TestClient) -> None:
    q = "Which missile system are the Russian military specialists reportedly helping to fix?"
    r = client.post("/ask", json={"question": q})
    assert r.status_code == 200, r.text
    assert r.headers["X-Worker-Pid"] == str(os.getpid())
    a = r.json()
    assert a["question"] == q and not a["abstained"]
    assert "S-300" in a["text"] and re.search(r"\[\d+\]", a["text"])
    assert {c["source"] for c in a["citations"]} <= BUNDLED
    assert "001_f402c199f0a04fb1.txt" in {c["source"] for c in a["citations"]}
    assert all(set(c) >= {"n", "source", "title", "text", "start", "end", "score"} for c in a["citations"])


@pytest.mark.slow
def test_ask_passes_filters_and_k_down(client: TestClient) -> None:
    r = client.post("/ask", json={"question": "Who is the Russian ambassador to Venezuela?", "k": 3, "filters": {}})
    assert r.status_code == 200 and "Zaemsky" in r.json()["text"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"question": "   "}, "question is empty"),
        ({"question": "Who backs Maduro?", "filters": {"colour": "red"}}, "Unknown filter 'colour'"),
        ({"question": "Who backs Maduro?", "filters": {"after": "yesterday"}}, "is not a date"),
        ({"question": "Who backs Maduro?", "mode": "poem"}, "poem"),
        ({"question": "Who backs Maduro?", "collection": "no-such-collection"}, "No collection named"),
        ({"question": "Who backs Maduro?", "collection": "../etc"}, "not a collection name"),
    ],
)
def test_bad_input_is_a_400_with_one_line(client: TestClient, body: dict, words: str) -> None:
    r = client.post("/ask", json=body)
    assert r.status_code == 400, r.text
    assert words in r.json()["error"] and "\n" not in r.json()["error"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "body", [{}, {"question": 3}, {"question": "Who?", "k": 0}, {"question": "Who?", "filter": {}}]
)
def test_a_body_of_the_wrong_shape_is_a_422(client: TestClient, body: dict) -> None:
    assert client.post("/ask", json=body).status_code == 422


# --- replicas: `rag api --workers 2` on one port ---------------------------------------------------
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(url: str, server: subprocess.Popen, timeout: float = 180.0) -> dict:
    """The first /health answer with ok true; fails if the server exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"rag api exited with {server.returncode}")
        try:
            r = httpx.get(f"{url}/health", timeout=5)
            if r.status_code == 200:
                return r.json()
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"rag api did not answer /health within {timeout:.0f} s")


@pytest.mark.slow
def test_two_workers_share_one_port(settings: Settings, tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "RAG_CORPUS": str(CORPUS), "RAG_INDEX": str(settings.index_dir)}
    env["RAG_COLLECTIONS"] = str(settings.collections_dir)
    log = (tmp_path / "server.log").open("wb")
    cmd = [sys.executable, "-m", "rag.cli", "api", "--workers", "2", "--port", str(port)]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        assert wait_healthy(url, server)["articles"] == len(BUNDLED)
        r = httpx.post(f"{url}/ask", json={"question": "In what year was the Lima Group created?"}, timeout=120)
        assert r.status_code == 200 and "2017" in r.json()["text"]
        assert httpx.post(f"{url}/ask", json={"question": ""}, timeout=60).status_code == 400
        # each call a new connection, which the kernel hands to whichever worker accepts it first
        pids = set()
        for _ in range(50):
            pids.add(httpx.get(f"{url}/health", timeout=30).json()["pid"])
            if len(pids) == 2:
                break
        assert len(pids) == 2, f"every /health answer came from {pids}"
        assert server.pid not in pids  # the replicas answer; the parent only manages them
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            code = server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
        log.close()
    assert code == 0, (tmp_path / "server.log").read_text(errors="replace")[-3000:]
    for pid in pids:  # the workers went with it
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
