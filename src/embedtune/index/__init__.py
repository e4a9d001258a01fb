"""A persistent search index over postings (LanceDB), built and queried with one model."""

from __future__ import annotations

from embedtune.index.build import (
    add_known_queries,
    add_known_to_index,
    build_index,
    build_index_from_prepared,
    delete_postings,
    update_postings,
)
from embedtune.index.config import IndexConfig
from embedtune.index.integrity import IndexDamagedError, writer_lock
from embedtune.index.model_info import ModelInfo, check_same_model, describe_model
from embedtune.index.search import Hit, Searcher, open_index, shape_hits
from embedtune.index.snippets import (
    format_passages,
    highlight_spans,
    make_snippet,
    query_terms,
    title_or_start,
)
from embedtune.index.source import Columns, Posting, iter_postings
from embedtune.index.store import PostingStore, StoredHit, filter_sql

__all__ = [
    "Columns",
    "Hit",
    "IndexConfig",
    "IndexDamagedError",
    "ModelInfo",
    "Posting",
    "PostingStore",
    "Searcher",
    "StoredHit",
    "add_known_queries",
    "add_known_to_index",
    "build_index",
    "build_index_from_prepared",
    "check_same_model",
    "delete_postings",
    "describe_model",
    "filter_sql",
    "format_passages",
    "highlight_spans",
    "iter_postings",
    "make_snippet",
    "open_index",
    "query_terms",
    "shape_hits",
    "title_or_start",
    "update_postings",
    "writer_lock",
]
