from __future__ import annotations

import math

import numpy as np
import pytest
from tests.evaluate.conftest import FakeEncoder

from embedtune.evaluate.metrics import (
    METRIC_NAMES,
    average_precision_at_k,
    hit_at_k,
    ndcg_at_k,
    rank_ids,
    recall_at_k,
    recall_curve,
    reciprocal_rank_at_k,
    retrieval_metrics,
)
from embedtune.evaluate.retrieval import score_retrieval


def test_worked_example_from_the_module_docstring() -> None:
    judged = {"a": 2, "b": 1, "z": 0}
    ranked = ["x", "a", "b"]
    dcg = 2 / math.log2(3) + 1 / math.log2(4)
    ideal = 2 / math.log2(2) + 1 / math.log2(3)
    assert ndcg_at_k(ranked, judged, 10) == pytest.approx(dcg / ideal)
    assert ndcg_at_k(ranked, judged, 10) == pytest.approx(0.6697, abs=1e-4)
    assert reciprocal_rank_at_k(ranked, judged, 10) == 0.5
    assert reciprocal_rank_at_k(ranked, judged, 1) == 0.0
    assert recall_at_k(ranked, judged, 1) == 0.0
    assert recall_at_k(ranked, judged, 2) == 0.5
    assert recall_at_k(ranked, judged, 5) == 1.0
    assert average_precision_at_k(ranked, judged, 100) == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert hit_at_k(ranked, judged, 1) == 0.0
    assert hit_at_k(ranked, judged, 2) == 1.0


def test_grade_zero_is_not_relevant() -> None:
    judged = {"z": 0, "a": 1}
    assert reciprocal_rank_at_k(["z", "a"], judged, 10) == 0.5
    assert ndcg_at_k(["z", "a"], judged, 10) == pytest.approx(1 / math.log2(3))
    assert recall_at_k(["z"], {"z": 0}, 10) == 0.0


def test_perfect_and_cut_rankings() -> None:
    judged = {"a": 1, "b": 1}
    assert ndcg_at_k(["a", "b", "c"], judged, 10) == 1.0
    # a relevant document below the cut-off does not count
    ranked = [f"n{i}" for i in range(10)] + ["a"]
    assert ndcg_at_k(ranked, judged, 10) == 0.0
    assert reciprocal_rank_at_k(ranked, judged, 10) == 0.0
    assert average_precision_at_k(ranked, judged, 100) == pytest.approx((1 / 11) / 2)


def test_averages_skip_queries_without_relevant_documents() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1}, "q3": {"c": 0}}
    ranked = {"q1": ["a", "b"], "q2": ["a", "b"], "q3": ["c"]}
    m = retrieval_metrics(ranked, qrels)
    assert tuple(m) == METRIC_NAMES
    assert m["accuracy@1"] == 0.5  # q3 is left out, not counted as a miss
    assert m["mrr@10"] == pytest.approx((1 + 0.5) / 2)
    assert m["recall@1"] == 0.5 and m["recall@5"] == 1.0
    with pytest.raises(ValueError, match="no query has a relevant"):
        retrieval_metrics(ranked, {"q3": {"c": 0}})
    with pytest.raises(ValueError, match="no ranking"):
        retrieval_metrics({"q1": ["a"]}, qrels)


def test_recall_curve() -> None:
    qrels = {"q1": {"a": 1, "b": 1}, "q2": {"c": 1}}
    ranked = {"q1": ["a", "x", "b"], "q2": ["x", "y", "c"]}
    assert recall_curve(ranked, qrels, 3) == pytest.approx([0.25, 0.25, 1.0])


def test_rank_ids_breaks_ties_by_index() -> None:
    scores = np.array([[0.5, 0.9, 0.5, 0.1], [0.0, 0.0, 0.0, 1.0]])
    assert rank_ids(scores, ["a", "b", "c", "d"], 3) == [["b", "a", "c"], ["d", "a", "b"]]


def test_fake_one_hot_encoder_metrics() -> None:
    # 4 documents on 4 axes; each query is a mix of axes that fixes the ranking exactly.
    docs = {f"d{i}": np.eye(4)[i] for i in range(4)}
    enc = FakeEncoder(
        {
            **{f"doc {i}": v for i, v in enumerate(docs.values())},
            "query 1": [4, 3, 2, 1],  # ranking d0 d1 d2 d3
            "query 2": [1, 2, 3, 4],  # ranking d3 d2 d1 d0
        }
    )
    doc_ids = list(docs)
    d_emb = enc.encode([f"doc {i}" for i in range(4)])
    q_emb = enc.encode(["query 1", "query 2"], kind="query")
    qrels = {"q1": {"d1": 1}, "q2": {"d0": 2, "d3": 1}}
    result = score_retrieval(q_emb, d_emb, ["q1", "q2"], doc_ids, qrels)
    m = result.metrics
    # q1: d1 at rank 2; q2: d3 at rank 1 (grade 1), d0 at rank 4 (grade 2)
    ndcg_q1 = 1 / math.log2(3)
    ndcg_q2 = (1 / math.log2(2) + 2 / math.log2(5)) / (2 / math.log2(2) + 1 / math.log2(3))
    assert m["ndcg@10"] == pytest.approx((ndcg_q1 + ndcg_q2) / 2)
    assert m["mrr@10"] == pytest.approx((0.5 + 1.0) / 2)
    assert m["accuracy@1"] == 0.5
    assert m["recall@1"] == pytest.approx((0 + 0.5) / 2)
    assert m["recall@5"] == 1.0
    assert m["map@100"] == pytest.approx((0.5 + (1 + 2 / 4) / 2) / 2)
    assert result.num_queries == 2 and result.num_documents == 4
    # positives: q1.d1, q2.d0, q2.d3; negatives: every non-relevant document in the top 10
    norm = math.sqrt(30)
    assert sorted(result.positive_scores) == pytest.approx(sorted([3 / norm, 1 / norm, 4 / norm]))
    assert sorted(result.negative_scores) == pytest.approx(
        sorted([4 / norm, 2 / norm, 1 / norm, 3 / norm, 2 / norm])
    )
    assert result.recall_curve == pytest.approx([0.25, 0.75, 0.75, 1.0])


def test_chunked_ranking_agrees_with_the_plain_one() -> None:
    rng = np.random.default_rng(0)
    # small integers: scores are exact in float32, so both paths must agree exactly
    d_emb = rng.integers(-3, 4, size=(700, 8)).astype(np.float32)
    q_emb = rng.integers(-3, 4, size=(30, 8)).astype(np.float32)
    doc_ids = [f"d{i}" for i in range(700)]
    qids = [f"q{i}" for i in range(30)]
    picks = rng.integers(700, size=(30, 2))
    qrels = {q: {f"d{a}": 1, f"d{b}": 2} for q, (a, b) in zip(qids, picks, strict=True)}
    plain = dict(zip(qids, rank_ids(q_emb @ d_emb.T, doc_ids, 100), strict=True))
    expected = retrieval_metrics(plain, qrels)
    got = score_retrieval(q_emb, d_emb, qids, doc_ids, qrels).metrics
    assert got == expected
    assert 0 < expected["map@100"] < 1
