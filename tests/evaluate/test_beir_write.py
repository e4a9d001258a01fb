from __future__ import annotations

from pathlib import Path

import pandas as pd

from embedtune.evaluate.beir import load_beir
from embedtune.evaluate.beir_write import beir_records, write_beir


def _postings() -> pd.DataFrame:
    return pd.DataFrame(
        {"id": ["a", "b", "c", "d"], "title": list("ABCD"), "text": ["ta", "tb", "tc", "td"]}
    )


def test_beir_records() -> None:
    queries = pd.DataFrame({"query_id": ["a:q1"], "query": ["qa"], "posting_id": ["a"]})
    corpus, qs, qrels = beir_records(_postings(), queries)
    assert [d["_id"] for d in corpus] == ["a", "b", "c", "d"]
    assert corpus[0] == {"_id": "a", "title": "A", "text": "ta"}
    assert qs == [{"_id": "a:q1", "text": "qa"}]
    assert qrels == [("a:q1", "a", 1)]


def test_written_set_reads_back(tmp_path: Path) -> None:
    queries = pd.DataFrame(
        {"query_id": ["a:q1", "c:q1"], "query": ["qa", "qc"], "posting_id": ["a", "c"]}
    )
    write_beir(tmp_path / "ir", _postings(), queries)
    assert (tmp_path / "ir" / "qrels" / "test.tsv").read_text().splitlines()[0] == (
        "query-id\tcorpus-id\tscore"
    )
    data = load_beir(tmp_path / "ir")
    assert data.doc_ids == ["a", "b", "c", "d"]
    assert data.queries == {"a:q1": "qa", "c:q1": "qc"}
    assert data.qrels == {"a:q1": {"a": 1}, "c:q1": {"c": 1}}
