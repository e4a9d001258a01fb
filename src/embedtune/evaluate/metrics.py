"""Ranking metrics from ranked document ids and graded relevance judgements (qrels).

The conventions are BEIR's (pytrec_eval): a document is relevant when its grade is above 0;
nDCG takes the grade as gain and ``log2(rank + 1)`` as discount, with the ideal ranking built
from every relevant judged document; Recall@k and AP divide by the number of relevant documents
of the query; queries without any relevant document are left out of the averages.

Worked example: relevant ``{"a": 2, "b": 1}`` and ranking ``["x", "a", "b"]``:

* DCG@10 = 2/log2(3) + 1/log2(4) = 1.262 + 0.5; ideal = 2/log2(2) + 1/log2(3) = 2.631;
  nDCG@10 = 0.670
* MRR@10 = 1/2 (the first relevant document is at rank 2); Recall@1 = 0, Recall@5 = 1
* AP = (1/2 + 2/3) / 2 = 0.583; accuracy@1 = 0 (the top hit is not relevant)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np

Qrels = Mapping[str, Mapping[str, int]]
"""query id -> {document id: grade}; grade > 0 is relevant, 0 (or below) is judged not relevant."""

METRIC_NAMES = (
    "ndcg@10",
    "mrr@10",
    "recall@1",
    "recall@5",
    "recall@10",
    "map@100",
    "accuracy@1",
)
"""The metrics :func:`retrieval_metrics` returns, in this order."""


def relevant(judgements: Mapping[str, int]) -> dict[str, int]:
    """The judged documents with a grade above 0.

    >>> relevant({"a": 2, "b": 0, "c": 1})
    {'a': 2, 'c': 1}
    """
    return {doc: grade for doc, grade in judgements.items() if grade > 0}


def dcg(gains: Sequence[float]) -> float:
    """Discounted cumulative gain: ``sum(gain_i / log2(i + 1))`` for ranks i = 1, 2, ...

    >>> round(dcg([1, 0, 1]), 4)
    1.5
    """
    return sum(g / math.log2(i + 2) for i, g in enumerate(gains))


def ndcg_at_k(ranked: Sequence[str], judgements: Mapping[str, int], k: int) -> float:
    """nDCG@k with graded gains; 0 when nothing is relevant."""
    rel = relevant(judgements)
    ideal = dcg(sorted(rel.values(), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg([rel.get(doc, 0) for doc in ranked[:k]]) / ideal


def reciprocal_rank_at_k(ranked: Sequence[str], judgements: Mapping[str, int], k: int) -> float:
    """1 / rank of the first relevant document within the top ``k``, else 0."""
    rel = relevant(judgements)
    for i, doc in enumerate(ranked[:k]):
        if doc in rel:
            return 1.0 / (i + 1)
    return 0.0


def recall_at_k(ranked: Sequence[str], judgements: Mapping[str, int], k: int) -> float:
    """Share of the relevant documents found in the top ``k``; 0 when nothing is relevant."""
    rel = relevant(judgements)
    if not rel:
        return 0.0
    return len(rel.keys() & set(ranked[:k])) / len(rel)


def average_precision_at_k(ranked: Sequence[str], judgements: Mapping[str, int], k: int) -> float:
    """AP over the top ``k``: mean precision at each relevant hit, over all relevant documents."""
    rel = relevant(judgements)
    if not rel:
        return 0.0
    hits, total = 0, 0.0
    for i, doc in enumerate(ranked[:k]):
        if doc in rel:
            hits += 1
            total += hits / (i + 1)
    return total / len(rel)


def hit_at_k(ranked: Sequence[str], judgements: Mapping[str, int], k: int) -> float:
    """1 when a relevant document is in the top ``k`` (accuracy@k), else 0."""
    rel = relevant(judgements)
    return float(any(doc in rel for doc in ranked[:k]))


def judged_queries(qrels: Qrels) -> list[str]:
    """The queries with at least one relevant document, in qrels order: the ones averaged."""
    return [qid for qid, judgements in qrels.items() if relevant(judgements)]


def retrieval_metrics(ranked: Mapping[str, Sequence[str]], qrels: Qrels) -> dict[str, float]:
    """The :data:`METRIC_NAMES` averaged over the queries of ``qrels`` with a relevant document.

    ``ranked[qid]`` is the ranking for query ``qid``, best first (at least 100 deep for an exact
    MAP@100 unless the corpus is smaller). A judged query missing from ``ranked`` is an error.
    """
    queries = judged_queries(qrels)
    if not queries:
        raise ValueError("no query has a relevant document (grade > 0) in qrels")
    missing = [qid for qid in queries if qid not in ranked]
    if missing:
        raise ValueError(f"{len(missing)} judged queries have no ranking, e.g. {missing[0]!r}")
    per_query = {
        "ndcg@10": lambda r, j: ndcg_at_k(r, j, 10),
        "mrr@10": lambda r, j: reciprocal_rank_at_k(r, j, 10),
        "recall@1": lambda r, j: recall_at_k(r, j, 1),
        "recall@5": lambda r, j: recall_at_k(r, j, 5),
        "recall@10": lambda r, j: recall_at_k(r, j, 10),
        "map@100": lambda r, j: average_precision_at_k(r, j, 100),
        "accuracy@1": lambda r, j: hit_at_k(r, j, 1),
    }
    return {
        name: float(np.mean([fn(ranked[qid], qrels[qid]) for qid in queries]))
        for name, fn in per_query.items()
    }


def recall_curve(ranked: Mapping[str, Sequence[str]], qrels: Qrels, max_k: int) -> list[float]:
    """Mean Recall@k for k = 1 .. ``max_k`` over the judged queries (``curve[k - 1]``)."""
    queries = judged_queries(qrels)
    if not queries or max_k < 1:
        return []
    curve = np.zeros(max_k)
    for qid in queries:
        rel = relevant(qrels[qid])
        found = np.zeros(max_k)
        for i, doc in enumerate(ranked[qid][:max_k]):
            if doc in rel:
                found[i] = 1
        curve += np.cumsum(found) / len(rel)
    return [float(x) for x in curve / len(queries)]


def rank_ids(scores: np.ndarray, doc_ids: Sequence[str], k: int) -> list[list[str]]:
    """The ``k`` best documents per row of a (queries x documents) score matrix, ties by index.

    The plain reference for small inputs; :mod:`embedtune.evaluate.retrieval` ranks in chunks.

    >>> rank_ids(np.array([[0.1, 0.9, 0.5]]), ["a", "b", "c"], 2)
    [['b', 'c']]
    """
    order = np.argsort(-np.asarray(scores), axis=1, kind="stable")[:, :k]
    return [[doc_ids[j] for j in row] for row in order]
