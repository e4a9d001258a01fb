from __future__ import annotations

from pathlib import Path

import pandas as pd

from embedtune.evaluate.beir import load_beir
from embedtune.evaluate.titles import title_records, write_titles


def _postings() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e"],
            "title": ["Data Scientist", "data  scientist ", "Nurse", "", "Nurse"],
            "text": [
                "Data Scientist\nCredit risk models.",
                "data  scientist\nFraud models in SQL.",
                "Nurse\nNight shifts on the ward.",
                "Cook\nSoups and stews.",
                "Ward nurse for nights.",  # the text does not start with its title line
            ],
        }
    )


def test_each_distinct_title_is_a_query_for_every_posting_with_it() -> None:
    corpus, queries, qrels = title_records(_postings())
    assert queries == [{"_id": "t1", "text": "data scientist"}, {"_id": "t2", "text": "nurse"}]
    assert qrels == [("t1", "a", 1), ("t1", "b", 1), ("t2", "c", 1), ("t2", "e", 1)]
    # every posting is a document, without the title line a query would find it by
    assert [d["text"] for d in corpus] == [
        "Credit risk models.",
        "Fraud models in SQL.",
        "Night shifts on the ward.",
        "Cook\nSoups and stews.",  # no title: kept whole, a distractor no query finds relevant
        "Ward nurse for nights.",
    ]
    assert {d["title"] for d in corpus} == {""}


def test_written_view_loads_back(tmp_path: Path) -> None:
    assert write_titles(tmp_path / "v", _postings())
    data = load_beir(tmp_path / "v")
    assert data.doc_ids == ["a", "b", "c", "d", "e"]
    assert data.queries == {"t1": "data scientist", "t2": "nurse"}
    assert data.qrels == {"t1": {"a": 1, "b": 1}, "t2": {"c": 1, "e": 1}}
    untitled = _postings().assign(title="")
    assert not write_titles(tmp_path / "none", untitled)
    assert not (tmp_path / "none").exists()
