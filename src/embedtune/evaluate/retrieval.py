"""Retrieval evaluation: embed every document and query, rank the whole corpus, score the ranking.

:func:`evaluate_retrieval` loads nothing: it takes any :class:`~embedtune.models.encoder.Encoder`
(a real model through ``SentenceTransformerEncoder``, or a fake in tests) and a
:class:`~embedtune.evaluate.beir.BeirData`. Ranking is exact top-k in chunks
(:func:`embedtune.negatives.topk.chunked_topk`), so memory stays bounded for any corpus size: no
queries x documents matrix is ever held.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from embedtune.evaluate.beir import BeirData
from embedtune.evaluate.metrics import recall_curve, relevant, retrieval_metrics
from embedtune.models.encoder import Encoder
from embedtune.negatives.topk import chunked_topk
from embedtune.progress import Reporter

DEFAULT_DEPTH = 100
"""How many documents are ranked per query (MAP@100 and the recall curve need 100)."""
NEGATIVES_PER_QUERY = 10
"""Score distribution: per query, the non-relevant documents among the top this many."""


@dataclass
class RetrievalResult:
    """Metrics of one model on one retrieval set, and what the report plots."""

    metrics: dict[str, float]
    num_queries: int
    num_documents: int
    recall_curve: list[float] = field(default_factory=list)
    positive_scores: list[float] = field(default_factory=list)
    negative_scores: list[float] = field(default_factory=list)
    encode_seconds: float | None = None

    @property
    def postings_per_second(self) -> float | None:
        """Documents embedded per second, when the documents were encoded (not from a cache)."""
        if not self.encode_seconds:
            return None
        return self.num_documents / self.encode_seconds

    def to_dict(self) -> dict[str, Any]:
        """The metrics and set sizes, for JSON."""
        return {
            **self.metrics,
            "num_queries": self.num_queries,
            "num_documents": self.num_documents,
        }

    def to_record(self) -> dict[str, Any]:
        """Everything, the plotted scores too: :meth:`from_record` gives the result back."""
        return {
            "metrics": dict(self.metrics),
            "num_queries": self.num_queries,
            "num_documents": self.num_documents,
            "recall_curve": list(self.recall_curve),
            "positive_scores": list(self.positive_scores),
            "negative_scores": list(self.negative_scores),
            "encode_seconds": self.encode_seconds,
        }

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> RetrievalResult:
        """The result :meth:`to_record` wrote.

        >>> r = RetrievalResult({"ndcg@10": 0.5}, 2, 3, [0.5, 1.0], [0.9], [0.1], 1.5)
        >>> RetrievalResult.from_record(r.to_record()) == r
        True
        """
        seconds = record.get("encode_seconds")
        return cls(
            metrics={str(k): float(v) for k, v in record["metrics"].items()},
            num_queries=int(record["num_queries"]),
            num_documents=int(record["num_documents"]),
            recall_curve=[float(x) for x in record.get("recall_curve", [])],
            positive_scores=[float(x) for x in record.get("positive_scores", [])],
            negative_scores=[float(x) for x in record.get("negative_scores", [])],
            encode_seconds=None if seconds is None else float(seconds),
        )


def evaluate_retrieval(
    encoder: Encoder,
    data: BeirData,
    *,
    depth: int = DEFAULT_DEPTH,
    reporter: Reporter | None = None,
) -> RetrievalResult:
    """Embed ``data``'s documents and judged queries with ``encoder``, rank, and score."""
    query_ids = data.judged
    start = time.perf_counter()
    doc_emb = encoder.encode(data.documents, kind="document")
    encode_seconds = time.perf_counter() - start
    query_emb = encoder.encode([data.queries[q] for q in query_ids], kind="query")
    result = score_retrieval(
        query_emb, doc_emb, query_ids, data.doc_ids, data.qrels, depth=depth, reporter=reporter
    )
    result.encode_seconds = encode_seconds
    return result


def score_retrieval(
    query_emb: np.ndarray,
    doc_emb: np.ndarray,
    query_ids: Sequence[str],
    doc_ids: Sequence[str],
    qrels: Mapping[str, Mapping[str, int]],
    *,
    depth: int = DEFAULT_DEPTH,
    reporter: Reporter | None = None,
) -> RetrievalResult:
    """Rank ``doc_ids`` for each query by dot product and compute the metrics (pure).

    Row i of ``query_emb`` is query ``query_ids[i]``; row j of ``doc_emb`` is ``doc_ids[j]``.
    Ties go to the lower document index.
    """
    if len(query_ids) != len(query_emb) or len(doc_ids) != len(doc_emb):
        raise ValueError("one embedding row per query id and per document id")
    k = min(depth, len(doc_ids))
    idx, scores = chunked_topk(query_emb, doc_emb, k, reporter=reporter)
    ranked = {qid: [doc_ids[j] for j in row] for qid, row in zip(query_ids, idx, strict=True)}
    judged = {qid: qrels[qid] for qid in query_ids if qid in qrels}
    position = {did: j for j, did in enumerate(doc_ids)}
    positives: list[float] = []
    negatives: list[float] = []
    for i, qid in enumerate(query_ids):
        rel = relevant(judged.get(qid, {}))
        rows = [position[d] for d in rel if d in position]
        positives.extend(float(s) for s in doc_emb[rows] @ query_emb[i])
        top = idx[i, :NEGATIVES_PER_QUERY]
        negatives.extend(float(scores[i, n]) for n, j in enumerate(top) if doc_ids[j] not in rel)
    return RetrievalResult(
        metrics=retrieval_metrics(ranked, judged),
        num_queries=len(query_ids),
        num_documents=len(doc_ids),
        recall_curve=recall_curve(ranked, judged, k),
        positive_scores=positives,
        negative_scores=negatives,
    )
