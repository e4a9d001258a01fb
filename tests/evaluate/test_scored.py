"""The general results kept beside a model: what matches, what does not, and bad files."""

from __future__ import annotations

from pathlib import Path

from embedtune.evaluate.beir import BeirData
from embedtune.evaluate.retrieval import RetrievalResult
from embedtune.evaluate.scored import (
    GENERAL_SCORES,
    GeneralScores,
    read_general_scores,
    reuse_for,
    set_fingerprint,
    write_general_scores,
)


def data(**changes: object) -> BeirData:
    fields: dict[str, object] = {
        "folder": Path("g"),
        "doc_ids": ["d1", "d2"],
        "documents": ["first text", "second text"],
        "queries": {"q1": "a query", "q2": "unjudged"},
        "qrels": {"q1": {"d1": 1, "d2": 0}},
    }
    fields.update(changes)
    return BeirData(**fields)  # type: ignore[arg-type]


def test_the_set_fingerprint_sees_what_is_scored_and_nothing_else() -> None:
    fp = set_fingerprint(data())
    assert fp == set_fingerprint(data(folder=Path("elsewhere")))  # where it was read from
    assert fp == set_fingerprint(data(queries={"q1": "a query", "q2": "changed"}))  # unjudged
    for change in (
        {"doc_ids": ["d2", "d1"], "documents": ["second text", "first text"]},  # order
        {"documents": ["first text", "second text!"]},
        {"doc_ids": ["d1"], "documents": ["first text"], "qrels": {"q1": {"d1": 1}}},  # a sample
        {"queries": {"q1": "another query"}},
        {"qrels": {"q1": {"d1": 2, "d2": 0}}},  # a grade
    ):
        assert set_fingerprint(data(**change)) != fp, change


def test_written_scores_read_back_and_match_only_the_same_measurement(tmp_path: Path) -> None:
    result = RetrievalResult({"ndcg@10": 0.5, "mrr@10": 0.4}, 1, 2, [0.5, 1.0], [0.7], [0.2], 3.0)
    kept = GeneralScores(set_fingerprint(data()), 100, {"w0": result})
    path = write_general_scores(tmp_path, kept)
    assert path == tmp_path / GENERAL_SCORES
    back = read_general_scores(tmp_path)
    assert back == kept
    assert reuse_for(back, "w0", data(), 100) == result
    assert reuse_for(back, "w1", data(), 100) is None  # other weights
    assert reuse_for(back, "w0", data(), 10) is None  # another depth
    assert reuse_for(back, "w0", data(documents=["x", "y"]), 100) is None  # another set
    assert reuse_for(None, "w0", data(), 100) is None


def test_missing_or_unreadable_files_mean_encode_again(tmp_path: Path) -> None:
    assert read_general_scores(None) is None
    assert read_general_scores(tmp_path) is None
    (tmp_path / GENERAL_SCORES).write_text("{not json")
    assert read_general_scores(tmp_path) is None
    (tmp_path / GENERAL_SCORES).write_text('{"version": 99, "results": {}}')
    assert read_general_scores(tmp_path) is None
    (tmp_path / GENERAL_SCORES).write_text('{"version": 1}')
    assert read_general_scores(tmp_path) is None
