"""Scoring an index's own search (vectors, words, known queries) on judged queries."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from tests.fakes import HashingEncoder, RecordingReporter

from embedtune.index.model_info import ModelInfo
from embedtune.index.scoring import score_search, score_searches
from embedtune.index.search import Searcher
from embedtune.index.source import Posting
from embedtune.index.store import PostingStore
from embedtune.models.encoder import Encoder, TextKind

MODEL = ModelInfo(name="fake", fingerprint="f00", dimension=HashingEncoder.dimension)
TEXTS = {
    "p0": "senior nurse ward",
    "p1": "data engineer spark",
    "p2": "nurse practitioner clinic",
    "p3": "pastry chef bakery",
}


def _searcher(tmp_path: Path, queries: Encoder | None = None) -> Searcher:
    """The four postings, embedded by words; queries likewise, or by ``queries``."""
    encoder = HashingEncoder()
    store = PostingStore.create(tmp_path / "idx", MODEL, ["split"])
    ids = list(TEXTS)
    postings = [Posting(i, "", TEXTS[i], {"split": "train" if i == "p0" else "test"}) for i in ids]
    store.add(postings, encoder.encode([TEXTS[i] for i in ids]))
    return Searcher(store, queries or encoder, MODEL)


def test_the_rankings_are_scored_as_the_model_alone_would_be(tmp_path: Path) -> None:
    searcher = _searcher(tmp_path)
    queries = {"q0": "nurse clinic", "q1": "spark engineer", "q2": "unjudged"}
    qrels = {"q0": {"p2": 1, "p0": 0}, "q1": {"p1": 1}, "q2": {"p3": 0}}
    reporter = RecordingReporter()
    score = score_search(searcher, queries, qrels, reporter=reporter)
    # q0 ranks p2 (two shared words) first, q1 ranks p1 first; q2 has nothing relevant: left out
    assert score.num_queries == 2
    assert score.metrics["ndcg@10"] == pytest.approx(1.0)
    assert score.metrics["recall@1"] == pytest.approx(1.0)
    assert reporter.tasks == [["Searching the index", 2, 2]]
    data = score.to_dict()
    assert (data["num_queries"], data["filters"], data["words"]) == (2, None, True)


def test_a_filter_limits_the_postings_searched(tmp_path: Path) -> None:
    searcher = _searcher(tmp_path)
    queries = {"q": "senior nurse ward"}
    # p0 (the exact text) is in the train split: under split=test the best is p2 (rank 1)
    assert score_search(searcher, queries, {"q": {"p0": 1}}).metrics["ndcg@10"] == 1.0
    filtered = score_search(searcher, queries, {"q": {"p2": 1}}, filters={"split": "test"})
    assert filtered.metrics["accuracy@1"] == 1.0
    assert filtered.to_dict()["filters"] == {"split": "test"}
    missed = score_search(searcher, queries, {"q": {"p0": 1}}, filters={"split": "test"})
    assert missed.metrics["ndcg@10"] == 0.0


def test_words_change_the_ranking_only_when_passed(tmp_path: Path) -> None:
    # every query's vector is p1's; "bakery" shares a word with p3 only
    searcher = _searcher(tmp_path, _FixedEncoder(HashingEncoder().encode([TEXTS["p1"]])[0]))
    searcher.store.set_meta(lexical={"weight": 1.0})
    queries, qrels = {"q": "bakery"}, {"q": {"p3": 1}}
    with_words = score_search(searcher, queries, qrels)
    alone = score_search(searcher, queries, qrels, words=False)
    assert with_words.metrics["accuracy@1"] == 1.0
    assert alone.metrics["accuracy@1"] == 0.0
    assert alone.to_dict()["words"] is False


def test_both_settings_of_words_from_one_encoding(tmp_path: Path) -> None:
    encoder = HashingEncoder()
    searcher = _searcher(tmp_path, encoder)
    searcher.store.set_meta(lexical={"weight": 1.0})
    queries = {"q0": "nurse clinic", "q1": "chef", "q2": "senior ward"}
    qrels = {"q0": {"p2": 1}, "q1": {"p3": 1}, "q2": {"p0": 1}}
    before = len(encoder.calls)
    both = score_searches(searcher, queries, qrels)
    assert encoder.calls[before:] == [("query", 3)]  # one batch, encoded once for both
    assert sorted(both) == [False, True]
    for words in (True, False):
        one = score_search(searcher, queries, qrels, words=words)
        assert both[words].metrics == one.metrics
        assert both[words].words is words and both[words].num_queries == 3


def test_a_judged_query_without_a_text_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="1 judged queries have no text"):
        score_search(_searcher(tmp_path), {}, {"q": {"p0": 1}})


class _FixedEncoder:
    """Every query gets the same vector."""

    def __init__(self, vector: np.ndarray) -> None:
        self.vector = vector

    dimension = HashingEncoder.dimension

    def encode(self, texts: Sequence[str], *, kind: TextKind = "document") -> np.ndarray:
        return np.stack([self.vector] * len(texts))
