from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import datasets
import pandas as pd
import pytest
from tests.fakes import HashingEncoder
from tests.prepare.conftest import ExplodingEncoder, posting_rows

from embedtune.data.config import PrepareConfig
from embedtune.errors import EmbedtuneError
from embedtune.negatives.mining import NegativeConfig
from embedtune.prepare import prepare
from embedtune.queries.config import QueryConfig


def _config(source: Path | str, out: Path, model: Path, **kw: Any) -> PrepareConfig:
    return PrepareConfig(source=str(source), out=out, model=str(model), **kw)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_offline_hard_writes_the_contract_layout(
    postings_csv: Path, tmp_path: Path, tiny_model_dir: Path, bow: HashingEncoder
) -> None:
    out = tmp_path / "prep"
    data = prepare(
        _config(postings_csv, out, tiny_model_dir),
        QueryConfig(per_posting=2),
        NegativeConfig(num_negatives=2, range_max=10),
        encoder=bow,
    )
    postings = pd.read_parquet(out / "parquet" / "train.parquet")
    triplets = datasets.load_from_disk(str(out / "triplets"))
    assert set(triplets) == {"train", "validation", "test"}
    assert all(len(triplets[s]) > 0 for s in triplets)
    train = triplets["train"].to_pandas()
    assert train.columns.tolist() == [
        "anchor",
        "positive",
        "negative",
        "negative_2",
        "query_id",
        "positive_id",
        "negative_id",
        "negative_2_id",
    ]
    text_of = dict(zip(postings["id"], postings["text"], strict=True))
    group_of = dict(zip(postings["id"], postings["group"], strict=True))
    for row in train.itertuples():
        assert row.positive == text_of[row.positive_id]  # ids point into the same split
        assert row.negative == text_of[row.negative_id]
        assert row.negative_2 == text_of[row.negative_2_id]
        assert len({row.positive_id, row.negative_id, row.negative_2_id}) == 3
        assert group_of[row.negative_id] != group_of[row.positive_id]
    queries = pd.read_parquet(out / "queries.parquet")
    assert queries.columns.tolist() == ["query_id", "query", "posting_id", "split"]
    assert queries.groupby("posting_id").size().max() <= 2
    assert (
        len(train)
        == (queries["split"] == "train").sum()
        - data.report["negatives"]["splits"]["train"]["rows_without_enough_negatives"]
    )

    for split in ("train", "validation", "test"):
        ir = out / "ir" / split
        corpus = _read_jsonl(ir / "corpus.jsonl")
        split_ids = set(pd.read_parquet(out / "parquet" / f"{split}.parquet")["id"])
        assert {d["_id"] for d in corpus} == split_ids  # every posting of the split
        qrels = (ir / "qrels" / "test.tsv").read_text().splitlines()
        assert qrels[0] == "query-id\tcorpus-id\tscore"
        qids = {q["_id"] for q in _read_jsonl(ir / "queries.jsonl")}
        assert {line.split("\t")[0] for line in qrels[1:]} == qids
        assert {line.split("\t")[1] for line in qrels[1:]} <= split_ids
    report = json.loads((out / "prepare_report.json").read_text())
    assert report["queries"]["source"] == "offline"
    assert report["negatives"]["splits"]["train"]["method"] == "hard"
    config = json.loads((out / "config.json").read_text())
    assert config["queries"]["per_posting"] == 2 and config["negatives"]["num_negatives"] == 2


def test_hard_negatives_are_hard_under_the_reference_model(
    postings_csv: Path, tmp_path: Path, tiny_model_dir: Path, bow: HashingEncoder
) -> None:
    hard = prepare(_config(postings_csv, tmp_path / "h", tiny_model_dir), encoder=bow).report[
        "negatives"
    ]["splits"]["train"]
    easy = prepare(
        _config(postings_csv, tmp_path / "e", tiny_model_dir),
        negatives=NegativeConfig(method="least-similar"),
        encoder=HashingEncoder(),
    ).report["negatives"]["splits"]["train"]
    assert hard["negative_score"]["mean"] > easy["negative_score"]["mean"]
    assert hard["negative_score"]["mean"] <= hard["positive_score"]["mean"]


def test_user_pairs_with_reposts_and_in_batch_negatives(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    rows = posting_rows(30)
    pairs = [{**r, "search": f"{r['title'].split()[0]} code{i}"} for i, r in enumerate(rows)]
    pairs.append({**rows[3], "search": "another query for posting 3"})  # a repost
    path = tmp_path / "pairs.csv"
    pd.DataFrame(pairs).to_csv(path, index=False)
    out = tmp_path / "prep"
    data = prepare(
        _config(path, out, tiny_model_dir),
        QueryConfig(source="column:search"),
        NegativeConfig(method="none"),
        encoder=ExplodingEncoder(),  # neither queries nor negatives need a model
    )
    assert data.report["counts"]["exact_duplicate"] == 1
    queries = pd.read_parquet(out / "queries.parquet")
    assert len(queries) == 31  # the repost's query moved to the kept posting
    assert queries.groupby("posting_id").size().max() == 2
    assert "search" not in pd.read_parquet(out / "parquet" / "train.parquet").columns
    triplets = datasets.load_from_disk(str(out / "triplets"))
    assert triplets["train"].column_names == ["anchor", "positive", "query_id", "positive_id"]


def test_round_trip_filter_removes_queries_that_point_elsewhere(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    rows = posting_rows(40)
    # even rows: a query naming the posting's own code word; odd rows: another posting's
    pairs = [
        {**r, "q": f"code{i}" if i % 2 == 0 else f"code{(i + 1) % 40} pipeline"}
        for i, r in enumerate(rows)
    ]
    path = tmp_path / "pairs.csv"
    pd.DataFrame(pairs).to_csv(path, index=False)
    data = prepare(
        _config(path, tmp_path / "prep", tiny_model_dir),
        QueryConfig(source="column:q", round_trip_k=1),
        NegativeConfig(method="none"),
        encoder=HashingEncoder(),
    )
    report = data.report["queries"]["round_trip"]
    # expected: a query stays iff no posting of its split scores strictly above its own
    postings = pd.concat(
        pd.read_parquet(tmp_path / "prep" / "parquet" / f"{s}.parquet")
        for s in ("train", "validation", "test")
    )
    all_queries = data.queries  # kept ones; rebuild the full set from the pairs file
    encoder = HashingEncoder()
    expected = set()
    id_of = dict(zip(postings["title"], postings["id"], strict=True))
    for pair in pairs:
        own = id_of[pair["title"]]
        split = postings.loc[postings["id"] == own, "split"].iloc[0]
        same = postings[postings["split"] == split]
        scores = encoder.encode(same["text"].tolist()) @ encoder.encode([pair["q"]])[0]
        own_score = scores[same["id"].tolist().index(own)]
        if not (scores > own_score).any():
            expected.add((own, pair["q"]))
    assert set(zip(all_queries["posting_id"], all_queries["query"], strict=True)) == expected
    assert report["removed_total"] == 40 - len(expected) > 0
    assert sum(report["removed"].values()) == report["removed_total"]


def test_bad_query_column_is_clear(
    postings_csv: Path, tmp_path: Path, tiny_model_dir: Path
) -> None:
    with pytest.raises(EmbedtuneError, match=r"no column 'query'.*Fix: use one of: title"):
        prepare(
            _config(postings_csv, tmp_path / "p", tiny_model_dir),
            QueryConfig(source="column:query"),
            encoder=ExplodingEncoder(),
        )
    assert not (tmp_path / "p").exists()
