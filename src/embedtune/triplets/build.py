"""Pure steps from (postings, queries, negatives) to training rows and an evaluation view.

Everything here works on data in memory: pandas frames in, frames and plain lists out. Loading,
encoding and writing live in :mod:`embedtune.triplets.pipeline`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from embedtune.queries.clean import clean_line
from embedtune.queries.records import QueryRecord

QUERY_COLUMNS = ("query_id", "query", "posting_id", "split")
MAX_QUERY_WORDS = 32


def query_frame(records: Sequence[QueryRecord], split_of: dict[str, str]) -> pd.DataFrame:
    """Queries as a frame with stable ids ``{posting_id}:q{n}`` and their posting's split.

    Records whose posting is not in ``split_of`` are left out; a repeat of the same query for
    the same posting is kept once.

    >>> query_frame([QueryRecord("p1", "ml engineer"), QueryRecord("p1", "ml engineer")],
    ...             {"p1": "train"}).to_dict("records")
    [{'query_id': 'p1:q1', 'query': 'ml engineer', 'posting_id': 'p1', 'split': 'train'}]
    """
    rows: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()
    count: dict[str, int] = {}
    for record in records:
        key = (record.posting_id, record.query.casefold())
        if record.posting_id not in split_of or key in seen:
            continue
        seen.add(key)
        count[record.posting_id] = count.get(record.posting_id, 0) + 1
        rows.append(
            {
                "query_id": f"{record.posting_id}:q{count[record.posting_id]}",
                "query": record.query,
                "posting_id": record.posting_id,
                "split": split_of[record.posting_id],
            }
        )
    return pd.DataFrame(rows, columns=list(QUERY_COLUMNS))


def user_queries(
    queries: Sequence[Any],
    posting_of_row: Sequence[str | None],
    *,
    max_words: int = MAX_QUERY_WORDS,
) -> tuple[list[QueryRecord], dict[str, int]]:
    """The user's own queries (one per input row) attached to the posting each row became.

    Rows whose posting was dropped (filtered or empty) lose their query; a duplicate posting's
    query moves to the kept original. Queries are cleaned like LLM answers (quotes, list marks),
    and empty or over-long ones are dropped. Returns the records and counts of what was dropped.
    """
    if len(queries) != len(posting_of_row):
        raise ValueError("one query per input row")
    records: list[QueryRecord] = []
    dropped = {"posting_dropped": 0, "empty": 0, "too_long": 0}
    for raw, posting in zip(queries, posting_of_row, strict=True):
        text = clean_line(str(raw)) if raw is not None and not _is_missing(raw) else ""
        if posting is None:
            dropped["posting_dropped"] += 1
        elif not text:
            dropped["empty"] += 1
        elif len(text.split()) > max_words:
            dropped["too_long"] += 1
        else:
            records.append(QueryRecord(posting_id=posting, query=text))
    return records, dropped


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


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


def negative_columns(n: int) -> list[str]:
    """``negative``, ``negative_2``, ... for ``n`` negatives.

    >>> negative_columns(3)
    ['negative', 'negative_2', 'negative_3']
    """
    return ["negative" if k == 1 else f"negative_{k}" for k in range(1, n + 1)]


def triplet_frame(
    queries: pd.DataFrame,
    postings: pd.DataFrame,
    negatives: Sequence[Sequence[int]] | None,
    num_negatives: int,
) -> tuple[pd.DataFrame, int]:
    """Training rows for one split: anchor, positive, negative(_2, ...) and their ids.

    ``queries`` rows refer to ``postings`` by ``posting_id``; ``negatives[i]`` holds row indices
    into ``postings`` for query ``i`` (None: in-batch negatives only, no negative columns). Rows
    with fewer than ``num_negatives`` negatives (a negative equal to the positive does not count)
    are left out; their number is returned too.
    """
    position = {pid: i for i, pid in enumerate(postings["id"])}
    texts = postings["text"].tolist()
    ids = postings["id"].tolist()
    names = negative_columns(num_negatives) if negatives is not None else []
    columns = ["anchor", "positive", *names, "query_id", "positive_id"]
    columns += [f"{name}_id" for name in names]
    rows: list[dict[str, str]] = []
    short = 0
    for i, q in enumerate(queries.itertuples(index=False)):
        pos = position[q.posting_id]
        row = {"anchor": q.query, "positive": texts[pos], "query_id": q.query_id}
        row["positive_id"] = ids[pos]
        if negatives is not None:
            chosen = [j for j in list(negatives[i])[:num_negatives] if j != pos]
            if len(chosen) < num_negatives:
                short += 1
                continue
            for name, j in zip(names, chosen, strict=True):
                row[name], row[f"{name}_id"] = texts[j], ids[j]
        rows.append(row)
    return pd.DataFrame(rows, columns=columns), short


def beir_records(
    postings: pd.DataFrame, queries: pd.DataFrame
) -> tuple[list[dict[str, str]], list[dict[str, str]], list[tuple[str, str, int]]]:
    """The BEIR view of one split: corpus (every posting), queries, and qrels (score 1)."""
    corpus = [
        {"_id": pid, "title": title, "text": text}
        for pid, title, text in zip(
            postings["id"], postings["title"], postings["text"], strict=True
        )
    ]
    qs = [
        {"_id": qid, "text": text}
        for qid, text in zip(queries["query_id"], queries["query"], strict=True)
    ]
    qrels = [
        (qid, pid, 1) for qid, pid in zip(queries["query_id"], queries["posting_id"], strict=True)
    ]
    return corpus, qs, qrels
