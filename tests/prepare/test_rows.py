from __future__ import annotations

import pandas as pd
import pytest
from tests.fakes import HashingEncoder

from embedtune.errors import EmbedtuneError
from embedtune.negatives.mining import NegativeConfig
from embedtune.prepare.rows import negative_columns, split_rows, triplet_frame


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


def test_triplet_frame_refers_to_the_posting_texts_without_copying_them() -> None:
    postings = _postings()
    queries = pd.DataFrame(
        {"query_id": ["a:q1", "a:q2"], "query": ["qa", "qa2"], "posting_id": ["a", "a"]}
    )
    queries.loc[2] = ["d:q1", "qd", "d"]
    frame, short = triplet_frame(queries, postings, [[3], [3], [0]], 1)
    assert short == 0 and frame["positive_id"].tolist() == ["a", "a", "d"]
    assert frame["positive"].tolist() == ["ta", "ta", "td"]
    # one string per posting, shared by every cell that shows it
    assert frame["positive"][0] is frame["positive"][1] is frame["negative"][2]
    assert frame["negative"][0] is frame["negative"][1] is frame["positive"][2]


@pytest.mark.parametrize(("n", "names"), [(1, ["negative"]), (2, ["negative", "negative_2"])])
def test_negative_columns(n: int, names: list[str]) -> None:
    assert negative_columns(n) == names


def test_split_rows_without_queries_or_with_too_few_postings() -> None:
    postings = _postings().assign(group=["g1", "g2", "g3", "g4"])
    empty = pd.DataFrame(columns=["query_id", "query", "posting_id", "split"])
    frame, report = split_rows("test", postings, empty, NegativeConfig(), HashingEncoder())
    assert len(frame) == 0 and "negative" in frame.columns
    assert report == {"queries": 0, "postings": 4}
    queries = pd.DataFrame(
        {"query_id": ["a:q1"], "query": ["ta"], "posting_id": ["a"], "split": ["test"]}
    )
    with pytest.raises(EmbedtuneError, match="the test split has 4 postings: too few for 4"):
        split_rows("test", postings, queries, NegativeConfig(num_negatives=4), HashingEncoder())
