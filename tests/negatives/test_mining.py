from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from tests.fakes import RecordingReporter

from embedtune.errors import EmbedtuneError
from embedtune.models.encoder import TextKind, normalize_rows
from embedtune.negatives import (
    NegativeConfig,
    chunked_topk,
    mine_from_embeddings,
    mine_hard,
    mine_least_similar,
    mine_negatives,
    score_stats,
)
from embedtune.negatives.topk import smallest_k

# ---------------------------------------------------------------- plain reference versions


def least_similar_reference(positive_emb: np.ndarray, corpus_emb: np.ndarray) -> list[int]:
    """The tutorial's code: full similarity matrix, argsort each row, greedy unique walk
    (plus a new round when every posting is used, where the tutorial would fail)."""
    sims = positive_emb @ corpus_emb.T
    order = np.argsort(sims, axis=1, kind="stable")
    used: set[int] = set()
    out = []
    for i in range(len(positive_emb)):
        if len(used) == corpus_emb.shape[0]:
            used = set()
        j = next(int(j) for j in order[i] if int(j) not in used)
        used.add(j)
        out.append(j)
    return out


def hard_reference(
    q: np.ndarray, c: np.ndarray, pos: np.ndarray, groups: np.ndarray, cfg: NegativeConfig
) -> list[list[int]]:
    """Hard negatives with sampling='top' from the full score matrix, one query at a time."""
    sims = q @ c.T
    pos_scores = np.einsum("ij,ij->i", q, c[pos])
    out = []
    for i in range(len(q)):
        ranked = [
            int(j)
            for j in np.argsort(-sims[i], kind="stable")
            if groups[j] != groups[pos[i]] and j != pos[i]
        ]
        window = ranked[cfg.range_min : cfg.range_max]
        allowed = [j for j in window if not sims[i, j] > cfg.guard * pos_scores[i]]
        out.append(allowed[: cfg.num_negatives])
    return out


def unit(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    return normalize_rows(rng.standard_normal((n, d)).astype(np.float32))


def ties(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """Small integer vectors: dot products are exact in float32 and full of ties."""
    return rng.integers(-2, 3, (n, d)).astype(np.float32)


# ------------------------------------------------------------------------------- top-k


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("data", [unit, ties])
def test_chunked_topk_equals_argsort(largest: bool, data: Any) -> None:
    rng = np.random.default_rng(0)
    q, c = data(rng, 37, 6), data(rng, 900, 6)
    sims = q @ c.T
    for k, chunk, block in [(0, 5, 1 << 26), (1, 1, 1 << 26), (10, 8, 500), (40, 100, 3000)]:
        idx, scores = chunked_topk(q, c, k, largest=largest, chunk_size=chunk, block_elements=block)
        want = np.argsort(-sims if largest else sims, axis=1, kind="stable")[:, :k]
        np.testing.assert_array_equal(idx, want)
        # Exact for the integer data; BLAS may round the last bit differently per block shape.
        np.testing.assert_allclose(scores, np.take_along_axis(sims, want, axis=1), atol=1e-6)
        assert scores.dtype == np.float32


def test_chunked_topk_with_excluded_columns() -> None:
    rng = np.random.default_rng(1)
    q, c = ties(rng, 20, 4), ties(rng, 300, 4)
    exclude = rng.random(300) < 0.7
    keys = q @ c.T
    keys[:, exclude] = np.inf
    idx, _ = chunked_topk(q, c, 25, largest=False, exclude=exclude, block_elements=1000)
    np.testing.assert_array_equal(idx, np.argsort(keys, axis=1, kind="stable")[:, :25])
    assert not exclude[idx].any()
    with pytest.raises(ValueError, match=r"outside 0\.\."):
        chunked_topk(q, c, int((~exclude).sum()) + 1, exclude=exclude)


def test_topk_all_ties_takes_the_lowest_indices() -> None:
    keys = np.zeros((3, 3000), dtype=np.float32)  # every row degenerate: per-row exact path
    keys[1, 2500] = -1
    idx, val = smallest_k(keys, 4)
    assert idx.tolist() == [[0, 1, 2, 3], [2500, 0, 1, 2], [0, 1, 2, 3]]
    assert val[1].tolist() == [-1, 0, 0, 0]


def test_topk_one_hot_ties_keep_index_order() -> None:
    c = np.eye(300, dtype=np.float32)
    idx, scores = chunked_topk(c[[2, 299]], c, 5)
    assert idx.tolist() == [[2, 0, 1, 3, 4], [299, 0, 1, 2, 3]]
    assert scores.tolist() == [[1, 0, 0, 0, 0]] * 2
    keys = np.zeros((1, 200), dtype=np.float32)
    keys[0, ::2] = -0.0  # equal to 0.0: must not sort first
    assert smallest_k(keys, 5)[0].tolist() == [[0, 1, 2, 3, 4]]


# ------------------------------------------------------------------------ least-similar

COMPASS = np.array([[1, 0], [0, 1], [-1, 0], [0, -1]], dtype=np.float32)


def test_least_similar_worked_example() -> None:
    pos = np.array([0, 0, 1, 2, 3])
    result = mine_least_similar(COMPASS[pos], COMPASS, pos, chunk_size=2)
    assert result.negatives == [[2], [1], [3], [0], [1]]
    assert result.report["rounds"] == 2
    assert result.report["reused"] == 1
    assert result.report["negative_is_positive"] == 0
    assert result.report["negative_to_positive_score"]["mean"] == pytest.approx(-0.8)


@pytest.mark.parametrize(("n", "m"), [(40, 40), (60, 250), (150, 35), (600, 600)])
@pytest.mark.parametrize("chunk_size", [1, 7, 4096])
@pytest.mark.parametrize("data", [unit, ties])
def test_least_similar_equals_full_matrix(n: int, m: int, chunk_size: int, data: Any) -> None:
    rng = np.random.default_rng(n * 1000 + m)
    corpus = data(rng, m, 5)
    pos = rng.integers(0, m, n)
    result = mine_least_similar(corpus[pos], corpus, pos, chunk_size=chunk_size)
    assert [x[0] for x in result.negatives] == least_similar_reference(corpus[pos], corpus)


def test_least_similar_rescoring_path_is_exact() -> None:
    # 600 pairs over 600 postings: lists of 64 run dry near the end and chunks are re-scored.
    rng = np.random.default_rng(5)
    corpus = unit(rng, 600, 3)
    pos = rng.permutation(600)
    result = mine_least_similar(corpus[pos], corpus, pos, chunk_size=256)
    assert result.report["rescored_chunks"] > 0
    assert [x[0] for x in result.negatives] == least_similar_reference(corpus[pos], corpus)


def test_least_similar_unique_then_balanced_reuse() -> None:
    rng = np.random.default_rng(2)
    corpus = unit(rng, 30, 8)
    pos = rng.integers(0, 30, 30)
    negs = [x[0] for x in mine_least_similar(corpus[pos], corpus, pos).negatives]
    assert sorted(negs) == list(range(30))  # unique while unused postings remain

    pos = rng.integers(0, 30, 75)  # 2.5 rounds
    result = mine_least_similar(corpus[pos], corpus, pos, chunk_size=4)
    counts = np.bincount([x[0] for x in result.negatives], minlength=30)
    assert counts.max() - counts.min() <= 1
    assert result.report["reused"] == 45
    assert result.report["rounds"] == 3


def test_least_similar_empty_and_bad_input() -> None:
    result = mine_least_similar(np.empty((0, 2)), COMPASS, np.empty(0, dtype=np.int64))
    assert result.negatives == []
    with pytest.raises(EmbedtuneError, match="corpus is empty"):
        mine_least_similar(COMPASS, np.empty((0, 2)), np.zeros(4, dtype=np.int64))
    with pytest.raises(EmbedtuneError, match="positive index 4 is outside"):
        mine_least_similar(COMPASS, COMPASS, np.array([0, 1, 2, 4]))
    with pytest.raises(EmbedtuneError, match="NaN"):
        mine_least_similar(COMPASS * np.nan, COMPASS, np.arange(4))
    with pytest.raises(ValueError, match="shape"):
        mine_least_similar(COMPASS, COMPASS, np.arange(3))


# ------------------------------------------------------------------------------- hard


def scored_corpus(scores: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """A query (1, 0, ...) and unit postings whose dot product with it is exactly ``scores``."""
    m = len(scores)
    c = np.zeros((m, m + 1), dtype=np.float32)
    c[:, 0] = scores
    c[np.arange(m), np.arange(m) + 1] = np.sqrt(1 - np.square(scores))
    q = np.zeros((1, m + 1), dtype=np.float32)
    q[0, 0] = 1
    return q, c


def test_hard_worked_example() -> None:
    q, c = scored_corpus([0.9, 0.88, 0.87, 0.5, 0.4])
    groups = np.array([7, 7, 8, 9, 10])
    result = mine_hard(q, c, np.array([0]), groups, NegativeConfig(num_negatives=2))
    assert result.negatives == [[3, 4]]
    report = result.report
    assert (report["guard_removed"], report["skipped_positive"], report["skipped_group"]) == (
        1,
        1,
        1,
    )
    assert report["positive_score"]["mean"] == pytest.approx(0.9)
    assert report["negative_score"]["count"] == 2
    assert report["negative_score"]["mean"] == pytest.approx(0.45)
    assert (report["short_queries"], report["empty_queries"]) == (0, 0)


def test_hard_one_hot_positive_and_group_never_chosen() -> None:
    # Queries equal to postings: each query's own posting scores 1, all others 0.
    c = np.eye(6, dtype=np.float32)
    groups = np.array([0, 0, 1, 1, 2, 2])
    result = mine_hard(c, c, np.arange(6), groups, NegativeConfig(num_negatives=4, guard=1.0))
    assert result.negatives == [
        [2, 3, 4, 5],
        [2, 3, 4, 5],
        [0, 1, 4, 5],
        [0, 1, 4, 5],
        [0, 1, 2, 3],
        [0, 1, 2, 3],
    ]
    assert result.report["skipped_group"] == 6
    assert result.report["skipped_positive"] == 6


@pytest.mark.parametrize(
    "cfg",
    [
        NegativeConfig(),
        NegativeConfig(num_negatives=3, guard=0.5),
        NegativeConfig(num_negatives=2, range_min=3, range_max=9, chunk_size=7),
        NegativeConfig(num_negatives=5, range_min=0, range_max=5, guard=1.0, chunk_size=1),
    ],
)
def test_hard_equals_full_matrix_reference(cfg: NegativeConfig) -> None:
    rng = np.random.default_rng(3)
    c = unit(rng, 300, 8)
    pos = rng.integers(0, 300, 80)
    q = normalize_rows(c[pos] + 0.7 * unit(rng, 80, 8))  # queries near their positives
    groups = rng.integers(0, 120, 300)
    result = mine_hard(q, c, pos, groups, cfg)
    assert result.negatives == hard_reference(q, c, pos, groups, cfg)
    sims = q @ c.T
    pos_scores = np.einsum("ij,ij->i", q, c[pos])
    for i, negs in enumerate(result.negatives):
        assert len(set(negs)) == len(negs) <= cfg.num_negatives
        assert pos[i] not in negs
        assert not (groups[negs] == groups[pos[i]]).any()
        assert not (sims[i, negs] > cfg.guard * pos_scores[i]).any()


def test_hard_group_larger_than_first_pass_is_ranked_deeper() -> None:
    rng = np.random.default_rng(4)
    c = unit(rng, 400, 8)
    pos = np.array([0, 1, 200])
    q = c[pos].copy()
    groups = np.where(np.arange(400) < 150, 0, np.arange(400))  # 150 postings share group 0
    c[:150] = normalize_rows(c[0] + 0.05 * unit(rng, 150, 8))  # ... and crowd query 0's top
    cfg = NegativeConfig(num_negatives=10, guard=1.0)
    result = mine_hard(q, c, pos, groups, cfg)
    assert result.negatives == hard_reference(q, c, pos, groups, cfg)
    assert all(j >= 150 for j in result.negatives[0] + result.negatives[1])


def test_a_wide_window_ranks_fewer_rows_at_once_with_the_same_negatives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # widen_window can rank the whole corpus for each query: the selection arrays then grow
    # with rows x depth, so a chunk takes fewer rows (here at most 4096 / (16 * 300) -> 1).
    import embedtune.negatives.mining as mining

    rng = np.random.default_rng(5)
    c = unit(rng, 300, 8)
    pos = rng.integers(0, 300, 40)
    q = normalize_rows(c[pos] + 0.7 * unit(rng, 40, 8))
    cfg = NegativeConfig(num_negatives=2, range_min=100, range_max=299, guard=0.5)
    expected = hard_reference(q, c, pos, np.arange(300), cfg)
    shapes: list[tuple[int, int]] = []
    real = mining.topk_block

    def recording(rows: np.ndarray, corpus: np.ndarray, k: int, **kw: Any) -> Any:
        shapes.append((rows.shape[0], k))
        return real(rows, corpus, k, **kw)

    monkeypatch.setattr(mining, "topk_block", recording)
    monkeypatch.setattr(mining, "DEFAULT_BLOCK_ELEMENTS", 4096)
    assert mine_hard(q, c, pos, None, cfg).negatives == expected
    assert max(r for r, _ in shapes) == 1 and all(k == 300 for _, k in shapes)
    shapes.clear()
    monkeypatch.setattr(mining, "DEFAULT_BLOCK_ELEMENTS", 16 * 300 * 8)
    assert mine_hard(q, c, pos, None, cfg).negatives == expected
    assert max(r for r, _ in shapes) == 8


def test_hard_rank_window() -> None:
    scores = [0.95, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3]
    q, c = scored_corpus(scores)
    cfg = NegativeConfig(num_negatives=3, range_min=2, range_max=5, guard=1.0)
    # After skipping the positive (0) the ranks are 1->0, 2->1, 3->2, 4->3, 5->4, 6->5...
    assert mine_hard(q, c, np.array([0]), None, cfg).negatives == [[3, 4, 5]]
    cfg = NegativeConfig(num_negatives=2, range_min=0, range_max=2, guard=1.0)
    assert mine_hard(q, c, np.array([0]), None, cfg).negatives == [[1, 2]]


def test_hard_random_sampling_is_seeded_and_within_window() -> None:
    rng = np.random.default_rng(6)
    c = unit(rng, 500, 8)
    pos = rng.integers(0, 500, 60)
    q = normalize_rows(c[pos] + unit(rng, 60, 8))
    base = {"num_negatives": 4, "range_min": 5, "range_max": 30, "sampling": "random"}

    def run(seed: int, chunk_size: int = 4096) -> list[list[int]]:
        cfg = NegativeConfig(**base, seed=seed, chunk_size=chunk_size)  # type: ignore[arg-type]
        return mine_hard(q, c, pos, None, cfg).negatives

    first = run(1)
    assert first == run(1) == run(1, chunk_size=7)  # same seed, any chunking
    assert first != run(2)
    window = NegativeConfig(**{**base, "sampling": "top", "num_negatives": 25})  # type: ignore[arg-type]
    allowed = mine_hard(q, c, pos, None, window).negatives
    for negs, ok in zip(first, allowed, strict=True):
        assert len(set(negs)) == len(negs) == min(4, len(ok))
        assert set(negs) <= set(ok)
        assert negs == [j for j in ok if j in negs]  # best ranked first
    top = mine_hard(q, c, pos, None, NegativeConfig(**{**base, "sampling": "top"})).negatives  # type: ignore[arg-type]
    assert top != first


def test_hard_queries_left_short_are_counted() -> None:
    # Query 0: two of the three other postings share its positive's group; one is left.
    # Queries 1 and 2: positive 3 scores 0.5, so the guard (0.475) removes 0, 1 and 2.
    q, c = scored_corpus([0.9, 0.89, 0.88, 0.5])
    groups = np.array([0, 0, 0, 1])
    result = mine_hard(
        np.vstack([q, q, q]),
        c,
        np.array([0, 3, 3]),
        groups,
        NegativeConfig(num_negatives=2),
    )
    assert result.negatives == [[3], [], []]
    assert result.report["short_queries"] == 3
    assert result.report["empty_queries"] == 2
    assert result.report["guard_removed"] == 6
    assert result.report["negatives_total"] == 1


# ------------------------------------------------------------------------------ config


def test_default_config_mines_the_best_negative_under_the_guard() -> None:
    """Defaults: hard mining, one negative, the best ranked, guard 0.95 of the positive's score."""
    # positive 0 scores 0.9: 1 (0.86 > 0.855) is guarded, 2 (0.85) is the best one left
    q, c = scored_corpus([0.9, 0.86, 0.85, 0.84])
    result = mine_from_embeddings(q, c, np.array([0]), NegativeConfig())
    assert result.negatives == [[2]]
    assert result.report["guard_removed"] == 1
    # guard=1.0 (the upper bound) only drops candidates above the positive
    assert mine_from_embeddings(q, c, np.array([0]), NegativeConfig(guard=1.0)).negatives == [[1]]


def test_default_config_looks_at_ranks_below_50() -> None:
    # 50 postings above the guard fill ranks 0..49; the one below it ranks 50, outside the window
    q, c = scored_corpus([0.9] + [0.89] * 50 + [0.5])
    result = mine_from_embeddings(q, c, np.array([0]), NegativeConfig())
    assert result.negatives == [[]]
    assert result.report["guard_removed"] == 50
    wider = NegativeConfig(range_max=51)
    assert mine_from_embeddings(q, c, np.array([0]), wider).negatives == [[51]]


def test_config_to_dict_round_trips() -> None:
    cfg = NegativeConfig(method="least-similar", guard=1.0, chunk_size=7)
    assert NegativeConfig(**cfg.to_dict()) == cfg
    assert cfg.to_dict()["method"] == "least-similar"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "random"}, r"unknown negatives method 'random'.*least-similar, hard, none"),
        ({"sampling": "best"}, r"unknown sampling 'best'.*top, random"),
        ({"num_negatives": 0}, "num_negatives=0 is below 1"),
        ({"guard": 0.0}, r"guard=0.0 is outside \(0, 1\]"),
        ({"guard": 1.5}, r"guard=1.5 is outside \(0, 1\]"),
        ({"range_min": -1}, "range_min=-1 is negative"),
        ({"range_min": 50, "range_max": 50}, "range_min=50 is not below range_max=50"),
        ({"num_negatives": 6, "range_max": 5}, r"does not fit the rank window \[0, 5\)"),
        ({"method": "least-similar", "num_negatives": 2}, "with the method 'least-similar'"),
        ({"chunk_size": 0}, "chunk_size=0 is below 1"),
    ],
)
def test_each_config_check(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(EmbedtuneError, match=message):
        NegativeConfig(**kwargs)


# ----------------------------------------------------------------------------- wrapper


class CountingEncoder:
    """Fake encoder: one-hot-ish vectors from a fixed table; records every call."""

    def __init__(self, table: dict[str, list[float]]) -> None:
        self.table = table
        self.calls: list[tuple[TextKind, int]] = []

    @property
    def dimension(self) -> int:
        return len(next(iter(self.table.values())))

    def encode(self, texts: Sequence[str], *, kind: TextKind = "document") -> np.ndarray:
        self.calls.append((kind, len(texts)))
        return normalize_rows(np.array([self.table[t] for t in texts], dtype=np.float32))


def compass_encoder() -> CountingEncoder:
    return CountingEncoder(
        {
            "east": [1, 0],
            "north": [0, 1],
            "west": [-1, 0],
            "south": [0, -1],
            "go east": [1, 0.1],
            "go north": [0.1, 1],
        }
    )


CORPUS = ["east", "north", "west", "south"]


@pytest.mark.parametrize("method", ["hard", "least-similar"])
def test_mine_negatives_encodes_corpus_and_queries_once(method: Any) -> None:
    encoder = compass_encoder()
    result = mine_negatives(
        ["go east", "go north"],
        [0, 1],
        CORPUS,
        encoder,
        NegativeConfig(method=method, guard=1.0),
        groups=[0, 1, 2, 3],
    )
    assert encoder.calls == [("document", 4), ("query", 2)]
    if method == "hard":
        assert result.negatives == [[1], [0]]  # the best ranked non-positive
    else:
        assert result.negatives == [[2], [3]]  # least similar to each positive, unique
        assert result.report["positive_score"]["count"] == 2
        assert result.report["negative_score"]["mean"] < 0


def test_mine_negatives_none_encodes_nothing() -> None:
    encoder = compass_encoder()
    result = mine_negatives(["go east"], [0], CORPUS, encoder, NegativeConfig(method="none"))
    assert result.negatives == [[]]
    assert encoder.calls == []
    assert result.report["method"] == "none"


def test_mine_negatives_checks_lengths() -> None:
    encoder = compass_encoder()
    with pytest.raises(EmbedtuneError, match="2 queries but 1 positives"):
        mine_negatives(["go east", "go north"], [0], CORPUS, encoder, NegativeConfig())
    with pytest.raises(EmbedtuneError, match="3 group ids for 4 postings"):
        mine_negatives(["go east"], [0], CORPUS, encoder, NegativeConfig(), groups=[0, 1, 2])


def test_mine_from_embeddings_none_reports_positive_scores() -> None:
    result = mine_from_embeddings(COMPASS, COMPASS, np.arange(4), NegativeConfig(method="none"))
    assert result.negatives == [[], [], [], []]
    assert result.report["positive_score"]["mean"] == pytest.approx(1.0)


def test_score_stats() -> None:
    stats = score_stats(np.arange(101, dtype=np.float32))
    assert stats == {"count": 101, "mean": 50.0, "p5": 5.0, "p50": 50.0, "p95": 95.0}
    assert score_stats(np.empty(0))["mean"] is None


@pytest.mark.parametrize("method", ["hard", "least-similar"])
def test_progress_reaches_the_total(method: Any) -> None:
    rng = np.random.default_rng(7)
    c = unit(rng, 120, 4)
    reporter = RecordingReporter()
    cfg = NegativeConfig(method=method, chunk_size=16)
    mine_from_embeddings(c, c, np.arange(120), cfg, reporter=reporter)
    assert [(total, done) for _, total, done in reporter.tasks] == [(120, 120)]


def test_config_from_flags_keeps_defaults_for_unset_and_checks_the_method() -> None:
    cfg = NegativeConfig.from_flags(method=None, num_negatives=None, guard=0.9)
    assert (cfg.method, cfg.num_negatives, cfg.guard) == ("hard", 1, 0.9)
    with pytest.raises(EmbedtuneError, match="unknown negatives method 'soft'"):
        NegativeConfig.from_flags(method="soft")
