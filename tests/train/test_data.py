from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from datasets import Dataset, DatasetDict

from embedtune.errors import EmbedtuneError
from embedtune.train.data import (
    ALL_SPLITS,
    TrainOn,
    drop_negatives,
    load_ir_split,
    load_triplets,
    negative_decision,
    prepared_negative_method,
    sample_train,
    text_columns,
    train_splits,
)


def test_text_columns_order() -> None:
    names = ["negative_10", "query_id", "negative_2", "positive", "negative", "anchor", "x"]
    assert text_columns(names) == ("anchor", "positive", "negative", "negative_2", "negative_10")


def test_load_triplets_keeps_text_columns_only(prepared_dir: Path) -> None:
    data = load_triplets(prepared_dir)
    assert data.columns == ("anchor", "positive", "negative")
    assert data.train.column_names == ["anchor", "positive", "negative"]
    assert data.negatives == 1
    assert len(data.train) == 48
    assert data.validation is not None and len(data.validation) == 12


def _save(root: Path, **splits: dict[str, list[object]]) -> Path:
    DatasetDict({k: Dataset.from_dict(v) for k, v in splits.items()}).save_to_disk(
        str(root / "triplets")
    )
    return root


def test_pairs_without_negatives(tmp_path: Path) -> None:
    root = _save(tmp_path, train={"anchor": ["q"], "positive": ["d"], "query_id": ["1"]})
    assert load_triplets(root).columns == ("anchor", "positive")


@pytest.mark.parametrize(
    ("splits", "message"),
    [
        (
            {"train": {"query": ["q"], "positive": ["d"]}},
            "lacks column(s) 'anchor'; it has 'query', 'positive'",
        ),
        ({"train": {"anchor": [], "positive": []}}, "triplets/train is empty"),
        ({"train": {"anchor": ["q"], "positive": [3]}}, "column 'positive' of"),
        ({"validation": {"anchor": ["q"], "positive": ["d"]}}, "has no train split"),
        (
            {
                "train": {"anchor": ["q"], "positive": ["d"], "negative": ["n"]},
                "validation": {"anchor": ["q"], "positive": ["d"]},
            },
            "lacks column(s) 'negative' that the train split has",
        ),
    ],
)
def test_bad_triplets(
    tmp_path: Path, splits: dict[str, dict[str, list[object]]], message: str
) -> None:
    _save(tmp_path, **splits)
    with pytest.raises(EmbedtuneError) as info:
        load_triplets(tmp_path)
    assert message in str(info.value) and info.value.fix


def test_missing_folders(tmp_path: Path) -> None:
    with pytest.raises(EmbedtuneError, match="does not exist"):
        load_triplets(tmp_path / "nope")
    with pytest.raises(EmbedtuneError, match="has no triplets/ folder"):
        load_triplets(tmp_path)
    (tmp_path / "triplets").mkdir()
    with pytest.raises(EmbedtuneError, match=r"is not a saved datasets\.DatasetDict"):
        load_triplets(tmp_path)


def test_ir_split(prepared_dir: Path) -> None:
    ir = load_ir_split(prepared_dir, "validation")
    assert len(ir.corpus) == 12 and len(ir.queries) == 12
    assert ir.relevant["p1000:q1"] == {"p1000"}
    assert ir.corpus["p1000"].startswith("Data Engineer 1000\n")


def test_ir_split_problems(tmp_path: Path, prepared_dir: Path) -> None:
    with pytest.raises(EmbedtuneError, match=r"lacks corpus.jsonl, queries.jsonl, qrels/test.tsv"):
        load_ir_split(tmp_path, "validation")
    copy = tmp_path / "copy"
    shutil.copytree(prepared_dir / "ir", copy / "ir")
    qrels = copy / "ir" / "validation" / "qrels" / "test.tsv"
    qrels.write_text("query-id\tcorpus-id\tscore\nunknown\tp1000\t1\n")
    with pytest.raises(EmbedtuneError, match="no query with a relevant document"):
        load_ir_split(copy, "validation")
    (copy / "ir" / "validation" / "corpus.jsonl").write_text(json.dumps({"id": "x"}) + "\n")
    with pytest.raises(EmbedtuneError, match=r"line 1 of .* is not a JSON object"):
        load_ir_split(copy, "validation")


@pytest.mark.parametrize(
    ("policy", "method", "loss", "negatives", "dropped"),
    [
        ("auto", "least-similar", "mnrl", 1, True),
        ("auto", "least-similar", "cached-mnrl", 1, True),
        ("auto", "least-similar", "gist", 1, True),
        ("auto", "hard", "mnrl", 1, False),
        ("auto", None, "mnrl", 2, False),  # triplets not made by `embedtune prepare`
        ("auto", "least-similar", "triplet", 1, False),  # the loss needs its negative
        ("keep", "least-similar", "mnrl", 1, False),
        ("drop", "hard", "mnrl", 1, True),
        ("drop", "hard", "mnrl", 0, False),  # nothing to drop
    ],
)
def test_negative_decision(
    policy: str, method: str | None, loss: str, negatives: int, dropped: bool
) -> None:
    drop, why = negative_decision(policy, method, loss, negatives)  # type: ignore[arg-type]
    assert drop is dropped and why


def test_negative_decision_refuses_a_triplet_loss_without_negatives() -> None:
    with pytest.raises(EmbedtuneError, match="triplet loss without its negative"):
        negative_decision("drop", "hard", "triplet", 1)


def test_prepared_negative_method(tmp_path: Path) -> None:
    assert prepared_negative_method(tmp_path) is None  # no config.json
    (tmp_path / "config.json").write_text('{"negatives": {"method": "least-similar"}}')
    assert prepared_negative_method(tmp_path) == "least-similar"
    (tmp_path / "config.json").write_text('{"prepare": {}}')
    assert prepared_negative_method(tmp_path) is None
    (tmp_path / "config.json").write_text("not json")
    assert prepared_negative_method(tmp_path) is None


def test_drop_negatives(prepared_dir: Path) -> None:
    data = drop_negatives(load_triplets(prepared_dir))
    assert data.columns == ("anchor", "positive") and data.negatives == 0
    assert data.train.column_names == ["anchor", "positive"] and len(data.train) == 48
    assert data.validation is not None and data.validation.column_names == ["anchor", "positive"]


def test_sample_train_is_seeded_and_writes_nothing(prepared_dir: Path, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(prepared_dir, data_dir)
    before = sorted(p.relative_to(data_dir) for p in data_dir.rglob("*"))
    data = load_triplets(data_dir)
    a, b = sample_train(data, 10, seed=1), sample_train(data, 10, seed=1)
    other = sample_train(data, 10, seed=2)
    assert len(a.train) == 10 and a.train["anchor"] == b.train["anchor"]
    assert a.train["anchor"] != other.train["anchor"]
    assert set(a.train["anchor"]) < set(data.train["anchor"])
    assert a.columns == data.columns and a.validation is data.validation
    assert sample_train(data, 48, seed=1) is data  # nothing to sample
    assert sorted(p.relative_to(data_dir) for p in data_dir.rglob("*")) == before


def test_train_on_every_split_concatenates_them_and_drops_validation(prepared_dir: Path) -> None:
    data = load_triplets(prepared_dir, train_on=ALL_SPLITS)
    assert len(data.train) == 48 + 12 + 12
    assert data.validation is None  # trained on: it cannot validate
    anchors = data.train["anchor"]
    assert len(set(anchors)) == len(anchors)  # each split's rows once
    assert load_triplets(prepared_dir, train_on=("train", "test")).validation is not None


@pytest.mark.parametrize(
    ("policy", "record", "sets", "expected"),
    [
        ("auto", {"queries": {"source": "offline"}}, ["train", "validation", "test"], ALL_SPLITS),
        ("auto", {"queries": {"source": "openai"}}, ["validation"], ALL_SPLITS),
        ("auto", {"queries": {"source": "offline"}}, ["validation-titles"], ("train",)),
        ("auto", {"queries": {"source": "offline"}}, ["test-gold"], ("train",)),
        ("auto", {"queries": {"source": "offline"}}, ["train-gold"], ALL_SPLITS),
        ("auto", {"queries": {"source": "column:query"}}, [], ("train",)),
        ("auto", None, [], ("train",)),
        ("auto", {"negatives": {}}, [], ("train",)),
        ("train", {"queries": {"source": "offline"}}, [], ("train",)),
        ("all", {"queries": {"source": "column:q"}}, ["test-titles"], ALL_SPLITS),
    ],
)
def test_train_splits(
    policy: TrainOn, record: dict[str, Any] | None, sets: list[str], expected: tuple[str, ...]
) -> None:
    splits, why = train_splits(policy, record, sets)
    assert splits == expected
    assert why and "\n" not in why
