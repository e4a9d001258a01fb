from __future__ import annotations

from embedtune.queries.frame import query_frame
from embedtune.queries.records import QueryRecord


def test_query_frame_ids_splits_and_repeats() -> None:
    records = [
        QueryRecord("p1", "ml engineer"),
        QueryRecord("p1", "ML Engineer"),  # the same query, other case
        QueryRecord("p1", "senior ml engineer pytorch"),
        QueryRecord("p2", "data analyst sql"),
        QueryRecord("gone", "dropped posting"),
    ]
    frame = query_frame(records, {"p1": "train", "p2": "test"})
    assert frame["query_id"].tolist() == ["p1:q1", "p1:q2", "p2:q1"]
    assert frame["split"].tolist() == ["train", "train", "test"]
    assert frame["query_id"].is_unique
