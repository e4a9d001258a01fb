"""Queries as a table: one row per (query, posting) with a stable id and the posting's split."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from embedtune.queries.records import QueryRecord

QUERY_COLUMNS = ("query_id", "query", "posting_id", "split")


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
