from __future__ import annotations

import numpy as np
import pandas as pd
from tests.fakes import HashingEncoder

from embedtune.queries.round_trip import positive_ranks, round_trip_filter


def test_positive_ranks_match_brute_force() -> None:
    rng = np.random.default_rng(0)
    q = rng.normal(size=(37, 8)).astype(np.float32)
    c = rng.normal(size=(50, 8)).astype(np.float32)
    pos = rng.integers(0, 50, size=37)
    scores = q @ c.T
    expected = [(scores[i] > scores[i, pos[i]]).sum() for i in range(37)]
    assert positive_ranks(q, c, pos, chunk=5).tolist() == expected


def test_round_trip_filter_keeps_queries_that_find_their_posting() -> None:
    postings = pd.DataFrame(
        {
            "id": ["a", "b", "c"],
            "text": ["python spark", "sql tableau", "python spark kafka"],
            "split": ["train", "train", "test"],
        }
    )
    queries = pd.DataFrame(
        {
            "query": ["python spark", "python spark", "kafka"],
            "posting_id": ["a", "b", "c"],  # the second points at the wrong posting
            "split": ["train", "train", "test"],
        }
    )
    kept, report = round_trip_filter(
        queries, postings, HashingEncoder(), 1, ("train", "validation", "test")
    )
    assert kept["posting_id"].tolist() == ["a", "c"]
    assert report["removed"] == {"train": 1, "validation": 0, "test": 0}
    assert report["removed_total"] == 1
    assert report["removed_examples"] == [{"query": "python spark", "posting_id": "b"}]
