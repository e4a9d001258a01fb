"""The prepared folder: every file written once, atomically, with report and config."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import pandas as pd
import pytest
from tests.fakes import HashingEncoder
from tests.prepare.conftest import posting_rows

from embedtune.data.config import PrepareConfig
from embedtune.errors import EmbedtuneError
from embedtune.evaluate.beir import load_beir
from embedtune.prepare import TrainingData, prepare
from embedtune.prepare.write import write_triplets
from embedtune.queries.config import QueryConfig


def _source(tmp_path: Path) -> Path:
    rows = posting_rows(40)
    rows += [dict(rows[3]), {"title": "Data Scientist", "description": "  "}]  # repost, empty
    path = tmp_path / "jobs.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_prepare_writes_everything_atomically(tmp_path: Path, tiny_model_dir: Path) -> None:
    src = _source(tmp_path)
    out = tmp_path / "out"

    def run(*, overwrite: bool = False, seed: int = 42) -> TrainingData:
        config = PrepareConfig(
            source=str(src), out=out, model=str(tiny_model_dir), overwrite=overwrite, seed=seed
        )
        return prepare(config, QueryConfig(per_posting=2), encoder=HashingEncoder())

    result = run()
    assert sorted(p.name for p in out.iterdir()) == [
        ".embedtune",  # the marker that lets --overwrite replace it
        "config.json",
        "dataset",
        "dropped.jsonl",
        "failed_queries.jsonl",
        "ir",
        "parquet",
        "prepare_report.json",
        "queries.parquet",
        "triplets",
    ]
    assert sorted(p.name for p in (out / "ir").iterdir()) == [
        "test",
        "test-titles",  # the corpus has titles: the held-back splits' titles as queries
        "train",
        "validation",
        "validation-titles",
    ]
    test = pd.read_parquet(out / "parquet" / "test.parquet")
    titles = load_beir(out / "ir" / "test-titles")
    assert sorted(titles.queries.values()) == sorted(t.lower() for t in test["title"])
    assert titles.doc_ids == list(test["id"])
    for qid, text in titles.queries.items():  # relevant: the test postings with that title
        assert set(titles.qrels[qid]) == set(test["id"][test["title"].str.lower() == text])
    report = result.report
    loaded = datasets.load_from_disk(str(out / "dataset"))
    assert {k: len(v) for k, v in loaded.items()} == report["splits"]
    assert {"id", "title", "text", "split", "group"} <= set(loaded["train"].column_names)
    assert len(pd.read_parquet(out / "parquet" / "test.parquet")) == report["splits"]["test"]
    assert json.loads((out / "prepare_report.json").read_text()) == report
    assert report["counts"]["kept"] == 40 and report["triplets"]["train"] > 0
    config = json.loads((out / "config.json").read_text())
    assert list(config) == ["prepare", "versions", "queries", "negatives"]
    assert config["prepare"]["source"] == str(src) and config["queries"]["per_posting"] == 2
    assert config["negatives"]["method"] == "hard" and "python" in config["versions"]
    dropped = [json.loads(line) for line in (out / "dropped.jsonl").read_text().splitlines()]
    assert {d["reason"] for d in dropped} == {"exact_duplicate", "empty_text"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["jobs.csv", "out"]  # no temp folder

    with pytest.raises(EmbedtuneError, match="already exists"):
        run()
    run(overwrite=True, seed=1)
    assert json.loads((out / "config.json").read_text())["prepare"]["seed"] == 1


def test_failure_leaves_nothing_behind(tmp_path: Path, tiny_model_dir: Path) -> None:
    src = tmp_path / "one.csv"
    pd.DataFrame([{"title": "a", "description": "one posting only"}]).to_csv(src, index=False)
    with pytest.raises(EmbedtuneError, match="too few postings to split"):
        prepare(
            PrepareConfig(source=str(src), out=tmp_path / "out", model=str(tiny_model_dir)),
            encoder=HashingEncoder(),
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.csv"]


@pytest.mark.parametrize("batch_rows", [1, 2, 4096])
def test_triplets_are_written_a_batch_at_a_time_and_load_back(
    tmp_path: Path, batch_rows: int
) -> None:
    frame = pd.DataFrame(
        {"anchor": ["q1", "q2", "q3"], "positive": ["tä", "tb", "tc"], "positive_id": [7, 8, 9]}
    )
    splits = {"train": frame, "validation": frame.iloc[:0], "test": frame.iloc[1:]}
    write_triplets(splits, tmp_path / "triplets", batch_rows=batch_rows)
    loaded = datasets.load_from_disk(str(tmp_path / "triplets"))
    assert list(loaded) == ["train", "validation", "test"]
    for name, expected in splits.items():
        assert loaded[name].column_names == ["anchor", "positive", "positive_id"]
        assert loaded[name].to_dict() == {c: expected[c].astype(str).tolist() for c in expected}
