"""The round-trip filter (``--round-trip-k``): keep a query only when the reference model ranks
its own posting in the top ``k`` of its split."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from embedtune.models.encoder import Encoder
from embedtune.progress import NullReporter, Reporter


def positive_ranks(
    query_emb: np.ndarray, corpus_emb: np.ndarray, positive_idx: np.ndarray, *, chunk: int = 2048
) -> np.ndarray:
    """For each query, how many corpus rows score strictly above its positive (0 = top hit).

    Scored in row chunks, so memory stays at ``chunk x len(corpus)`` floats.

    >>> q = np.array([[1.0, 0.0]], dtype=np.float32)
    >>> c = np.array([[0.0, 1.0], [1.0, 0.0], [0.8, 0.6]], dtype=np.float32)
    >>> positive_ranks(q, c, np.array([2])).tolist()
    [1]
    """
    ranks = np.empty(len(positive_idx), dtype=np.int64)
    for start in range(0, len(positive_idx), chunk):
        stop = start + chunk
        scores = query_emb[start:stop] @ corpus_emb.T
        own = scores[np.arange(scores.shape[0]), positive_idx[start:stop]]
        ranks[start:stop] = (scores > own[:, None]).sum(axis=1)
    return ranks


def round_trip_filter(
    queries: pd.DataFrame,
    postings: pd.DataFrame,
    encoder: Encoder,
    k: int,
    splits: Sequence[str],
    *,
    reporter: Reporter | None = None,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The ``queries`` whose posting ranks in the top ``k`` among the postings of its split.

    ``queries``: query, posting_id, split columns; ``postings``: id, text, split. Returns the
    kept rows (index reset) and a report: removed per split, in total, and a few examples.
    """
    reporter = reporter or NullReporter()
    keep = np.zeros(len(queries), dtype=bool)
    removed: dict[str, int] = {}
    with reporter.task(f"Round-trip filter (top {k})", total=None):
        for name in splits:
            rows = np.flatnonzero((queries["split"] == name).to_numpy())
            split_postings = postings[postings["split"] == name]
            if not len(rows):
                removed[name] = 0
                continue
            position = {pid: i for i, pid in enumerate(split_postings["id"])}
            corpus_emb = encoder.encode(split_postings["text"].tolist(), kind="document")
            query_emb = encoder.encode(queries["query"].iloc[rows].tolist(), kind="query")
            positives = np.array([position[p] for p in queries["posting_id"].iloc[rows]])
            ranks = positive_ranks(query_emb, corpus_emb, positives)
            keep[rows] = ranks < k
            removed[name] = int((ranks >= k).sum())
    examples = queries.loc[~keep, ["query", "posting_id"]].head(5).to_dict("records")
    report = {"k": k, "removed": removed, "removed_total": sum(removed.values())}
    report["removed_examples"] = examples
    return queries[keep].reset_index(drop=True), report
