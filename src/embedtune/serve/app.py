"""`create_app(index)`: the JSON API (/search, /retrieve, /health), OpenAPI docs at /docs, and
the job-search page at /.

Every bad request gets a 4xx with a readable ``detail``: an empty query or k out of range (422),
bad JSON (422), a body over ``max_body_bytes`` (413), an unknown filter (400), a missing or wrong
API key (401). Search runs in FastAPI's thread pool; the searcher is thread-safe.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Protocol

from fastapi import Depends, FastAPI, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, Field, field_validator

from embedtune.errors import EmbedtuneError
from embedtune.index.search import MAX_K, Hit
from embedtune.index.store import FilterValue
from embedtune.serve.page import PAGE_HTML

DEFAULT_MAX_BODY_BYTES = 64 * 1024
MAX_QUERY_CHARS = 2000

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class SearchIndex(Protocol):
    """What the app needs from an index (:class:`~embedtune.index.Searcher` is one)."""

    def search(
        self, query: str, k: int = 10, filters: dict[str, FilterValue] | None = None
    ) -> list[Hit]: ...

    def retrieve(
        self,
        query: str,
        k: int = 5,
        filters: dict[str, FilterValue] | None = None,
        *,
        max_chars: int = 1500,
    ) -> dict[str, Any]: ...

    def info(self) -> dict[str, Any]: ...


Filters = dict[str, str | int | float | bool | list[str | int | float | bool]]


class _Query(BaseModel):
    query: str = Field(max_length=MAX_QUERY_CHARS, description="What you are looking for.")
    filters: Filters | None = Field(
        default=None, description='Metadata equality filters, e.g. {"location": ["Remote"]}.'
    )

    @field_validator("query")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the query is empty; type a few words, e.g. a role and skills")
        return value


class SearchRequest(_Query):
    k: int = Field(default=10, ge=1, le=MAX_K, description="How many postings to return.")


class RetrieveRequest(_Query):
    k: int = Field(default=5, ge=1, le=MAX_K, description="How many passages to return.")
    max_chars: int = Field(default=1500, ge=50, le=20_000, description="Cut each passage here.")


class SearchHit(BaseModel):
    rank: int
    id: str
    title: str
    score: float
    snippet: str
    highlights: list[tuple[int, int]]
    title_highlights: list[tuple[int, int]]
    metadata: dict[str, str]


class SearchResponse(BaseModel):
    query: str
    k: int
    hits: list[SearchHit]


class Passage(BaseModel):
    rank: int
    id: str
    title: str
    score: float
    text: str


class RetrieveResponse(BaseModel):
    query: str
    passages: list[Passage]
    context: str = Field(description="The passages, numbered, ready to paste into an LLM prompt.")


class BodyLimit:
    """Answer 413 to any request body over ``max_bytes`` (declared or streamed)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._reject(send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return
            body += message.get("body", b"")
            more = bool(message.get("more_body", False))
            if len(body) > self.max_bytes:
                await self._reject(send)
                return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _reject(self, send: Send) -> None:
        response = JSONResponse(
            {"detail": f"request body over {self.max_bytes} bytes; send a shorter query"},
            status_code=413,
        )
        await response({"type": "http"}, _no_receive, send)


async def _no_receive() -> Message:  # pragma: no cover - a response never reads
    return {"type": "http.disconnect"}


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        if error.get("type") == "json_invalid":
            where, message = "body", "invalid JSON"
        parts.append(f"{where}: {message}")
    return "; ".join(parts) or "invalid request"


def create_app(
    index: SearchIndex,
    *,
    api_key: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> FastAPI:
    """The web app over ``index``; with ``api_key`` the JSON endpoints need ``X-API-Key``."""
    if max_body_bytes < 256:
        raise EmbedtuneError(f"max_body_bytes is {max_body_bytes}", fix="allow at least 256 bytes")
    app = FastAPI(
        title="embedtune search",
        description="Semantic job search and RAG retrieval over an embedtune index.",
        version="1",
    )
    header = APIKeyHeader(name="X-API-Key", auto_error=False)

    def require_key(key: str | None = Security(header)) -> None:
        if api_key is None:
            return
        if key is None or not hmac.compare_digest(key.encode(), api_key.encode()):
            raise _HTTPError(401, "missing or wrong API key; send it in the X-API-Key header")

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_message(exc)}, status_code=422)

    @app.exception_handler(EmbedtuneError)
    async def _user_error(request: Request, exc: EmbedtuneError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(_HTTPError)
    async def _http_error(request: Request, exc: _HTTPError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> str:
        return PAGE_HTML

    @app.get("/health")
    def health() -> dict[str, Any]:
        """Liveness, the number of postings, the model and whether an API key is needed."""
        return {"status": "ok", "api_key_required": api_key is not None, **index.info()}

    @app.post("/search", response_model=SearchResponse, dependencies=[Depends(require_key)])
    def search(request: SearchRequest) -> dict[str, Any]:
        """The best ``k`` postings for ``query``: title, score, snippet, highlighted skills."""
        hits = index.search(request.query, request.k, request.filters)  # type: ignore[arg-type]
        return {"query": request.query, "k": request.k, "hits": [h.to_dict() for h in hits]}

    @app.post("/retrieve", response_model=RetrieveResponse, dependencies=[Depends(require_key)])
    def retrieve(request: RetrieveRequest) -> dict[str, Any]:
        """RAG: the top ``k`` passages, in full and as one numbered context block."""
        return index.retrieve(
            request.query,
            request.k,
            request.filters,  # type: ignore[arg-type]
            max_chars=request.max_chars,
        )

    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    return app


class _HTTPError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def serve(
    index: SearchIndex,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    api_key: str | None = None,
    log_level: str = "warning",
) -> None:
    """Run the app with uvicorn until interrupted (bound to loopback unless ``host`` says so)."""
    import uvicorn

    uvicorn.run(create_app(index, api_key=api_key), host=host, port=port, log_level=log_level)
