from __future__ import annotations

import pandas as pd
import pytest

from embedtune.data.load import Corpus
from embedtune.errors import EmbedtuneError
from embedtune.queries.column import take_query_column, user_queries


def test_user_queries_follow_their_posting() -> None:
    queries = ['"data engineer kafka"', "", None, "x " * 40, "ml engineer", "analyst"]
    posting_of_row = ["p1", "p2", "p3", "p4", "p1", None]  # row 4 was a duplicate of p1
    records, dropped = user_queries(queries, posting_of_row)
    assert [(r.posting_id, r.query) for r in records] == [
        ("p1", "data engineer kafka"),
        ("p1", "ml engineer"),
    ]
    assert dropped == {"posting_dropped": 1, "empty": 2, "too_long": 1}


def test_user_queries_need_one_query_per_row() -> None:
    with pytest.raises(ValueError, match="one query per input row"):
        user_queries(["a", "b"], ["p1"])


def test_take_query_column_splits_it_off() -> None:
    frame = pd.DataFrame({"title": ["t"], "text": ["x"], "q": ["query"]})
    corpus, values = take_query_column(Corpus(frame, "pairs.csv"), "q")
    assert corpus.frame.columns.tolist() == ["title", "text"] and values == ["query"]
    assert take_query_column(corpus, None) == (corpus, None)
    with pytest.raises(EmbedtuneError, match=r"no column 'nope' in pairs.csv"):
        take_query_column(corpus, "nope")
