"""Query an index: encode the query with the index's own model, search, shape hits for people.

:class:`Searcher` is what the CLI and the web service use. It refuses a model other than the one
that built the index (by weight fingerprint), so scores always compare like with like.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from embedtune.errors import EmbedtuneError
from embedtune.index.batching import QueryBatcher
from embedtune.index.model_info import ModelInfo, check_same_model, describe_model
from embedtune.index.snippets import (
    format_passages,
    highlight_spans,
    make_snippet,
    query_terms,
    title_or_start,
)
from embedtune.index.store import FilterValue, PostingStore, StoredHit, filter_sql
from embedtune.models.encoder import Encoder

MAX_K = 100
# how queries are encoded: the model in torch, or its ONNX export (fp32 or int8 weights)
QueryEncoder = Literal["torch", "onnx", "onnx-int8"]
ONNX_FILES: dict[str, str] = {"onnx": "onnx/model.onnx", "onnx-int8": "onnx/model_qint8.onnx"}


@dataclass(frozen=True)
class _Request:
    query: str
    k: int
    filters: dict[str, FilterValue] | None


@dataclass(frozen=True)
class Hit:
    """A ranked result: ``highlights`` are ``[start, end)`` spans of query terms in ``snippet``."""

    rank: int
    id: str
    title: str
    score: float
    snippet: str
    highlights: list[tuple[int, int]]
    title_highlights: list[tuple[int, int]]
    metadata: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "id": self.id,
            "title": self.title,
            "score": round(self.score, 6),
            "snippet": self.snippet,
            "highlights": [list(s) for s in self.highlights],
            "title_highlights": [list(s) for s in self.title_highlights],
            "metadata": self.metadata,
        }


def shape_hits(query: str, hits: list[StoredHit], snippet_chars: int = 240) -> list[Hit]:
    """Stored hits -> ranked hits with a snippet and the query's skills marked (pure).

    An untitled posting (a corpus without a title column) is titled with the start of its text.
    """
    terms = query_terms(query)
    out = []
    for rank, h in enumerate(hits, start=1):
        snippet = make_snippet(h.text, terms, snippet_chars)
        title = title_or_start(h.title, h.text)
        out.append(
            Hit(
                rank=rank,
                id=h.id,
                title=title,
                score=h.score,
                snippet=snippet,
                highlights=highlight_spans(snippet, terms),
                title_highlights=highlight_spans(title, terms),
                metadata=h.metadata,
            )
        )
    return out


def check_k(k: int) -> None:
    if not 1 <= k <= MAX_K:
        raise EmbedtuneError(f"k must be between 1 and {MAX_K}, got {k}", fix="pass e.g. -k 10")


class Searcher:
    """An index plus the encoder of the model that built it; thread-safe for concurrent queries."""

    def __init__(self, store: PostingStore, encoder: Encoder, model: ModelInfo) -> None:
        check_same_model(store.model, model, str(store.path))
        self.store = store
        self.encoder = encoder
        self.model = model
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._batcher: QueryBatcher[_Request, list[StoredHit]] = QueryBatcher(self._run_batch)

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        model: str | None = None,
        device: str | None = None,
        query_encoder: QueryEncoder = "torch",
        threads: int | None = None,
    ) -> Searcher:
        """Open the index at ``path`` with its recorded model, or ``model`` (which must match).

        ``query_encoder="onnx"`` / ``"onnx-int8"`` encodes queries with the model's ONNX export
        (``embedtune export``, files in ``MODEL/onnx/``) through onnxruntime instead of torch; the
        model is still loaded once to check that it is the one that built the index.
        """
        from embedtune.models.encoder import SentenceTransformerEncoder
        from embedtune.models.registry import load_model, resolve_model

        store = PostingStore.open(path)
        name = model or store.model.name
        try:
            st_model = load_model(name, device=device)
        except EmbedtuneError as e:
            if model is None:
                raise EmbedtuneError(
                    f"cannot load {name}, the model that built index {path}: {e.problem}",
                    fix="pass --model with that model's folder",
                ) from e
            raise
        info = describe_model(st_model, name)
        if query_encoder == "torch":
            return cls(store, SentenceTransformerEncoder(st_model, cache=False), info)
        if query_encoder not in ONNX_FILES:
            raise EmbedtuneError(
                f"unknown query encoder {query_encoder!r}", fix="use torch, onnx or onnx-int8"
            )
        from embedtune.export.onnx_encoder import OnnxEncoder

        # checked here too (the constructor checks again) so a wrong model is reported before
        # a missing ONNX export
        check_same_model(store.model, info, str(store.path))
        folder = Path(resolve_model(name).location)
        del st_model
        onnx = OnnxEncoder(folder, ONNX_FILES[query_encoder], threads=threads)
        return cls(store, onnx, info)

    def encode_queries(self, queries: Sequence[str]) -> np.ndarray:
        """The queries' vectors; repeats of recent queries come from an LRU cache."""
        with self._lock:
            todo = list(dict.fromkeys(q for q in queries if q not in self._cache))
        fresh = (
            dict(zip(todo, self.encoder.encode(todo, kind="query"), strict=True)) if todo else {}
        )
        with self._lock:
            rows = [fresh[q] if q in fresh else self._cache[q] for q in queries]
            for q in queries:
                if q in self._cache:
                    self._cache.move_to_end(q)
            self._cache.update(fresh)
            while len(self._cache) > 1024:
                self._cache.popitem(last=False)
        return np.stack(rows)

    def encode_query(self, query: str) -> np.ndarray:
        return self.encode_queries([query])[0]

    def _run_batch(self, requests: Sequence[_Request]) -> list[list[StoredHit]]:
        """Encode a batch of concurrent requests at once, then search per (k, filters) group."""
        vectors = self.encode_queries([r.query for r in requests])
        groups: dict[tuple[int, str], list[int]] = {}
        for i, r in enumerate(requests):
            groups.setdefault((r.k, repr(sorted((r.filters or {}).items()))), []).append(i)
        out: list[list[StoredHit]] = [[] for _ in requests]
        for rows in groups.values():
            first = requests[rows[0]]
            for i, hits in zip(
                rows,
                self.store.search(
                    vectors[rows], first.k, first.filters, texts=[requests[i].query for i in rows]
                ),
                strict=True,
            ):
                out[i] = hits
        return out

    def _stored_hits(
        self, query: str, k: int, filters: Mapping[str, FilterValue] | None
    ) -> list[StoredHit]:
        if filters:  # check the keys here, so that a bad filter fails only its own request
            filter_sql(filters, self.store.metadata_columns)
        return self._batcher.encode(_Request(query, k, dict(filters) if filters else None))

    def search(
        self,
        query: str,
        k: int = 10,
        filters: Mapping[str, FilterValue] | None = None,
        *,
        snippet_chars: int = 240,
    ) -> list[Hit]:
        """The ``k`` best postings for ``query``, best first."""
        if not query.strip():
            raise EmbedtuneError(
                "the query is empty", fix="type a few words, e.g. a role and skills"
            )
        check_k(k)
        return shape_hits(query, self._stored_hits(query, k, filters), snippet_chars)

    def retrieve(
        self,
        query: str,
        k: int = 5,
        filters: Mapping[str, FilterValue] | None = None,
        *,
        max_chars: int = 1500,
    ) -> dict[str, Any]:
        """Top ``k`` full passages for RAG, and the same formatted as a prompt context block."""
        if not query.strip():
            raise EmbedtuneError("the query is empty", fix="type a few words")
        check_k(k)
        hits = self._stored_hits(query, k, filters)
        passages = [
            {"rank": n, "id": h.id, "title": h.title, "score": round(h.score, 6), "text": h.text}
            for n, h in enumerate(hits, start=1)
        ]
        context = format_passages([(h.id, h.title, h.text) for h in hits], max_chars)
        return {"query": query, "passages": passages, "context": context}

    def info(self) -> dict[str, Any]:
        return {
            "postings": self.store.count(),
            "model": self.model.to_dict(),
            "ann": self.store.meta.get("ann"),
            "filters": self.store.metadata_columns,
            "known_queries": {
                "count": self.store.known_count(),
                "weight": self.store.known_weight,
            },
            "lexical_weight": self.store.lexical_weight,
        }


def open_index(
    path: Path,
    *,
    model: str | None = None,
    device: str | None = None,
    query_encoder: QueryEncoder = "torch",
) -> Searcher:
    """The :class:`Searcher` over the index at ``path`` (its own model unless ``model``)."""
    return Searcher.open(path, model=model, device=device, query_encoder=query_encoder)
