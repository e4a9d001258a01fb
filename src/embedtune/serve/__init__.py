"""The search service: a FastAPI app over a :class:`~embedtune.index.Searcher`, and its web page."""

from __future__ import annotations

try:
    import fastapi  # noqa: F401
    import uvicorn  # noqa: F401
except ImportError as e:  # pragma: no cover - both are dependencies of embedtune
    raise ImportError(
        "embedtune.serve needs fastapi and uvicorn: pip install 'fastapi>=0.110' 'uvicorn>=0.30'"
    ) from e

from embedtune.serve.app import DEFAULT_MAX_BODY_BYTES, create_app, serve
from embedtune.serve.settings import ServeSettings

__all__ = ["DEFAULT_MAX_BODY_BYTES", "ServeSettings", "create_app", "serve"]
