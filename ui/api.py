"""The JSON API: `POST /ask` and `GET /health` over `rag.answer`, for scripts and for replicas.

A thin face like the web chat: it parses the request, calls the one pipeline and words its errors.
`rag api --workers N` serves N replica processes on one port through uvicorn's own process manager;
each one builds its app with `create_app()` (Settings from the environment) and warms up before it
takes a request. The API only reads: it never builds an index and exposes no admin actions.

    POST /ask  {"question": "...", "k": 5, "filters": {"source": "Reuters"}, "collection": "...", "mode": "auto"}
        200: Answer.to_dict()   400: bad input {"error": ...}   503: no usable index {"error": ...}
        422: a body that is not that shape (FastAPI's own answer)
    GET /health
        200: {"ok": true, "pid", "collection", "store", "articles", "chunks"}   503: {"ok": false, "pid", "error"}

Every answer carries the header X-Worker-Pid: which replica answered.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from rag import RagError, Settings, answer, index_status
from rag.collections import CollectionError
from rag.config import DEFAULT_COLLECTION
from rag.errors import BadFilterError, BadModeError, ConfigError, EmptyQuestionError
from rag.retrieve import search
from rag.stores import open_store

log = logging.getLogger(__name__)

# the request's own fault (400); every other RagError means this server cannot answer now (503):
# no index, an index built with another model, a damaged index, a write in progress, a missing model
BAD_REQUEST = (EmptyQuestionError, BadModeError, BadFilterError, ConfigError, CollectionError)


class AskRequest(BaseModel):
    """The body of POST /ask: untrusted JSON, so pydantic checks its shape; the library checks the values."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field ("filter") fails loudly, not silently

    question: str
    k: int | None = Field(default=None, ge=1, le=50)
    filters: dict[str, Any] | None = None
    collection: str | None = None
    mode: str | None = None


def _one_line(e: Exception) -> str:
    return " ".join(str(e).split())


def _pick(settings: Settings, name: str | None) -> Settings:
    """The settings for the collection asked for; an unknown one is the request's fault, not a missing index."""
    if not name or name == settings.collection:
        return settings
    s = settings.pick(collection=name)  # ConfigError for a name that is not a plain folder name
    if name != DEFAULT_COLLECTION and not (Path(s.corpus_dir).is_dir() or Path(s.index_dir).is_dir()):
        raise CollectionError(f"No collection named {name!r}; see: rag collections")
    return s


def warm_up(settings: Settings) -> None:
    """Open the index and run one tiny retrieval, so the embedder and index are loaded before the first request."""
    try:
        search("warm up", open_store(settings, build_if_missing=False), settings, 1)
    except RagError as e:  # the worker still starts: /health and /ask say what is wrong
        log.warning("Not warmed up: %s", _one_line(e))


def create_app(settings: Settings | None = None) -> FastAPI:
    """The API over `settings` (default: Settings.load(), i.e. the environment; uvicorn's factory calls it so)."""
    base = settings or Settings.load()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        warm_up(base)  # blocking on purpose: nothing is served until it is done
        yield

    app = FastAPI(
        title="rag-news", summary="Questions about news articles, answered with cited passages", lifespan=lifespan
    )

    @app.middleware("http")
    async def worker_pid(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers["X-Worker-Pid"] = str(os.getpid())
        return response

    @app.exception_handler(RagError)
    async def rag_error(request: Request, e: RagError) -> JSONResponse:
        return JSONResponse({"error": _one_line(e)}, status_code=400 if isinstance(e, BAD_REQUEST) else 503)

    # plain `def` endpoints: FastAPI runs them in its threadpool, so CPU-bound answers don't block the loop
    @app.post("/ask")
    def ask(body: AskRequest) -> dict[str, Any]:
        s = _pick(base, body.collection)
        open_store(s, build_if_missing=False)  # the API only reads: a missing index is a 503, never built here
        return answer(body.question, k=body.k, filters=body.filters, mode=body.mode, settings=s).to_dict()

    @app.get("/health")
    def health() -> JSONResponse:
        try:
            st = index_status(settings=base)
        except RagError as e:
            return JSONResponse({"ok": False, "pid": os.getpid(), "error": _one_line(e)}, status_code=503)
        return JSONResponse(
            {
                "ok": True,
                "pid": os.getpid(),
                "collection": base.collection,
                "store": base.store,
                "articles": st.articles,
                "chunks": st.chunks,
            }
        )

    return app
