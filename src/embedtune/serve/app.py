"""`create_app(index)`: the JSON API (/search, /retrieve, /health), OpenAPI docs at /docs, and
the job-search page at /.

Every bad request gets a 4xx with a readable ``detail``: an empty query, k out of range, a field
of the wrong type (``"10"``, ``10.0`` and ``true`` are not integers) or an unknown field (422),
a body that is not JSON, not UTF-8 or nested too deeply (422), a body over ``max_body_bytes``
(413), an unknown filter (400), a ``Host`` header the server does not answer to (400), a missing
or wrong API key (401). Search runs in FastAPI's thread pool; the searcher is thread-safe.

Internal fields (``split`` and ``group``, written by ``embedtune prepare`` for its own
bookkeeping) are neither shown in hits nor offered as filters.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from typing import Any, Protocol

from fastapi import Depends, FastAPI, Request, Security
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import APIKeyHeader
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

from embedtune.data.postings import CORE_COLUMNS as PREPARED_COLUMNS
from embedtune.errors import EmbedtuneError
from embedtune.index.integrity import IndexDamagedError
from embedtune.index.search import MAX_K, Hit
from embedtune.index.store import FilterValue, filter_sql
from embedtune.serve.guards import (
    BodyLimit,
    HostCheck,
    SecurityHeaders,
    check_allowed_hosts,
    is_address,
)
from embedtune.serve.page import PAGE_CSP, PAGE_HTML

DEFAULT_MAX_BODY_BYTES = 64 * 1024
MAX_QUERY_CHARS = 2000
# columns `embedtune prepare` adds for itself (the split and near-duplicate group of a posting)
INTERNAL_FIELDS = frozenset(PREPARED_COLUMNS) - {"id", "title", "text"}
# FastAPI's 400 for a body it could not decode (invalid UTF-8, nesting past the recursion limit)
_BODY_PARSE_ERROR = "There was an error parsing the body"


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
    model_config = ConfigDict(extra="forbid")

    query: StrictStr = Field(max_length=MAX_QUERY_CHARS, description="What you are looking for.")
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
    k: StrictInt = Field(default=10, ge=1, le=MAX_K, description="How many postings to return.")


class RetrieveRequest(_Query):
    k: StrictInt = Field(default=5, ge=1, le=MAX_K, description="How many passages to return.")
    max_chars: StrictInt = Field(
        default=1500, ge=50, le=20_000, description="Cut each passage here."
    )


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


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        if error.get("type") == "json_invalid":
            where, message = "body", "invalid JSON"
        parts.append(f"{where}: {message}")
    return "; ".join(parts) or "invalid request"


def check_api_key(api_key: str | None, source: str = "the API key") -> None:
    """Refuse a blank key: ``--api-key "$KEY"`` with ``$KEY`` unset must not serve without one."""
    if api_key is not None and not api_key.strip():
        raise EmbedtuneError(
            f"{source} is empty (an unset variable?), so the service would be open to anyone",
            fix="set EMBEDTUNE_API_KEY to a secret, or leave both it and --api-key out to serve "
            "without a key",
        )


def create_app(
    index: SearchIndex,
    *,
    api_key: str | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    allowed_hosts: Sequence[str] = (),
) -> FastAPI:
    """The web app over ``index``; with ``api_key`` the JSON endpoints need ``X-API-Key``.

    Requests must name a loopback host, an IP address or one of ``allowed_hosts`` in their
    ``Host`` header (``*.example.com`` for subdomains, ``*`` for any); others get 400.
    """
    if max_body_bytes < 256:
        raise EmbedtuneError(f"max_body_bytes is {max_body_bytes}", fix="allow at least 256 bytes")
    check_api_key(api_key)
    hosts = check_allowed_hosts(allowed_hosts)
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

    # the index's metadata columns are fixed while it is served (restart after changing it)
    visible_filters = [f for f in index.info().get("filters", []) if f not in INTERNAL_FIELDS]

    def checked(filters: Filters | None) -> dict[str, FilterValue] | None:
        if filters:  # an internal field is an unknown filter here (400, naming the valid keys)
            filter_sql(filters, visible_filters)
        return filters  # type: ignore[return-value]

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_message(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _undecodable(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 400 and exc.detail == _BODY_PARSE_ERROR:
            why = _undecodable_reason(exc.__cause__)
            return JSONResponse({"detail": f"body: invalid JSON ({why})"}, status_code=422)
        return await http_exception_handler(request, exc)

    @app.exception_handler(EmbedtuneError)
    async def _user_error(request: Request, exc: EmbedtuneError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)

    @app.exception_handler(IndexDamagedError)
    async def _damaged(request: Request, exc: IndexDamagedError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=503)  # the server's fault

    @app.exception_handler(_HTTPError)
    async def _http_error(request: Request, exc: _HTTPError) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse(PAGE_HTML, headers={"Content-Security-Policy": PAGE_CSP})

    @app.get("/health")
    def health() -> dict[str, Any]:
        """Liveness, the number of postings, the model, the filters and whether a key is needed."""
        info = index.info()
        return {
            "status": "ok",
            "api_key_required": api_key is not None,
            **info,
            "filters": visible_filters,
        }

    @app.post("/search", response_model=SearchResponse, dependencies=[Depends(require_key)])
    def search(request: SearchRequest) -> dict[str, Any]:
        """The best ``k`` postings for ``query``: title, score, snippet, highlighted skills."""
        hits = index.search(request.query, request.k, checked(request.filters))
        shown = [_without_internal(h.to_dict()) for h in hits]
        return {"query": request.query, "k": request.k, "hits": shown}

    @app.post("/retrieve", response_model=RetrieveResponse, dependencies=[Depends(require_key)])
    def retrieve(request: RetrieveRequest) -> dict[str, Any]:
        """RAG: the top ``k`` passages, in full and as one numbered context block."""
        return index.retrieve(
            request.query, request.k, checked(request.filters), max_chars=request.max_chars
        )

    app.add_middleware(BodyLimit, max_bytes=max_body_bytes)
    app.add_middleware(HostCheck, allowed=hosts)
    app.add_middleware(SecurityHeaders)  # added last: outermost, so every answer carries them
    return app


def _without_internal(hit: dict[str, Any]) -> dict[str, Any]:
    hit["metadata"] = {k: v for k, v in hit["metadata"].items() if k not in INTERNAL_FIELDS}
    return hit


def _undecodable_reason(error: BaseException | None) -> str:
    if isinstance(error, UnicodeDecodeError):
        return "not UTF-8"
    if isinstance(error, RecursionError):
        return "nested too deeply"
    return "could not be decoded"


class _HTTPError(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail


def binds_every_interface(host: str) -> bool:
    """Whether binding ``host`` listens on every interface (``0.0.0.0``, ``::``, empty)."""
    return host.strip("[]") in ("", "0.0.0.0", "::")


def serve(
    index: SearchIndex,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    api_key: str | None = None,
    allowed_hosts: Sequence[str] = (),
    log_level: str = "warning",
) -> None:
    """Run the app with uvicorn until interrupted (bound to loopback unless ``host`` says so).

    Besides ``allowed_hosts``, the app answers to loopback names, IP addresses and ``host``
    when ``host`` is a name.
    """
    import uvicorn

    named = [] if binds_every_interface(host) or is_address(host) else [host]
    app = create_app(index, api_key=api_key, allowed_hosts=[*named, *allowed_hosts])
    uvicorn.run(app, host=host, port=port, log_level=log_level)
