from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from embedtune.queries.records import QueryRecord
from embedtune.triplets.build import (
    beir_records,
    negative_columns,
    positive_ranks,
    query_frame,
    triplet_frame,
    user_queries,
)


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


def test_user_queries_follow_their_posting() -> None:
    queries = ['"data engineer kafka"', "", None, "x " * 40, "ml engineer", "analyst"]
    posting_of_row = ["p1", "p2", "p3", "p4", "p1", None]  # row 4 was a duplicate of p1
    records, dropped = user_queries(queries, posting_of_row)
    assert [(r.posting_id, r.query) for r in records] == [
        ("p1", "data engineer kafka"),
        ("p1", "ml engineer"),
    ]
    assert dropped == {"posting_dropped": 1, "empty": 2, "too_long": 1}


def test_positive_ranks_match_brute_force() -> None:
    rng = np.random.default_rng(0)
    q = rng.normal(size=(37, 8)).astype(np.float32)
    c = rng.normal(size=(50, 8)).astype(np.float32)
    pos = rng.integers(0, 50, size=37)
    scores = q @ c.T
    expected = [(scores[i] > scores[i, pos[i]]).sum() for i in range(37)]
    assert positive_ranks(q, c, pos, chunk=5).tolist() == expected


def _postings() -> pd.DataFrame:
    return pd.DataFrame(
        {"id": ["a", "b", "c", "d"], "title": list("ABCD"), "text": ["ta", "tb", "tc", "td"]}
    )


def test_triplet_frame_columns_and_short_rows() -> None:
    queries = pd.DataFrame(
        {
            "query_id": ["a:q1", "b:q1", "c:q1"],
            "query": ["qa", "qb", "qc"],
            "posting_id": ["a", "b", "c"],
            "split": ["train"] * 3,
        }
    )
    frame, short = triplet_frame(queries, _postings(), [[1, 2], [0], [2, 3]], 2)
    # b has one negative (short); c's first "negative" is its own positive (does not count)
    assert short == 2
    assert frame.columns.tolist() == [
        "anchor",
        "positive",
        "negative",
        "negative_2",
        "query_id",
        "positive_id",
        "negative_id",
        "negative_2_id",
    ]
    assert frame.iloc[0].to_dict() == {
        "anchor": "qa",
        "positive": "ta",
        "negative": "tb",
        "negative_2": "tc",
        "query_id": "a:q1",
        "positive_id": "a",
        "negative_id": "b",
        "negative_2_id": "c",
    }
    in_batch, short = triplet_frame(queries, _postings(), None, 1)
    assert short == 0 and in_batch.columns.tolist() == [
        "anchor",
        "positive",
        "query_id",
        "positive_id",
    ]


def test_beir_records() -> None:
    queries = pd.DataFrame({"query_id": ["a:q1"], "query": ["qa"], "posting_id": ["a"]})
    corpus, qs, qrels = beir_records(_postings(), queries)
    assert [d["_id"] for d in corpus] == ["a", "b", "c", "d"]
    assert corpus[0] == {"_id": "a", "title": "A", "text": "ta"}
    assert qs == [{"_id": "a:q1", "text": "qa"}]
    assert qrels == [("a:q1", "a", 1)]


@pytest.mark.parametrize(("n", "names"), [(1, ["negative"]), (2, ["negative", "negative_2"])])
def test_negative_columns(n: int, names: list[str]) -> None:
    assert negative_columns(n) == names
