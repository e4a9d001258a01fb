"""Negative mining: pick, for each (query, positive) pair, postings to train against.

One file on purpose (a little over 500 lines): the methods share the false-negative guard, the
groups and the rank window, which must stay one definition; the top-k kernel is in
:mod:`embedtune.negatives.topk`, the window widening in :mod:`embedtune.negatives.widen`.

Three methods (``--negatives``; the names are a contract):

* ``hard`` (default): highly ranked postings for the query under the base model, minus the
  positive, its duplicate/similarity group and likely false negatives (:func:`mine_hard`).
* ``least-similar``: the well-known tutorial's method, the posting least similar to the
  positive, each posting used once while any is unused (:func:`mine_least_similar`).
* ``none``: no negative column; training uses in-batch negatives only.

The miners are pure functions of precomputed L2-normalised float32 embeddings (cosine = dot
product); :func:`mine_negatives` is the thin wrapper that encodes the corpus and the queries
once each with an :class:`~embedtune.models.encoder.Encoder`. Neither ever holds a full
queries x corpus similarity matrix (see :mod:`embedtune.negatives.topk`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

import numpy as np

from embedtune.errors import EmbedtuneError
from embedtune.models.encoder import Encoder
from embedtune.negatives.topk import DEFAULT_BLOCK_ELEMENTS, rows_per_chunk, topk_block
from embedtune.progress import NullReporter, Reporter

NegativeMethod = Literal["least-similar", "hard", "none"]
Sampling = Literal["top", "random"]
NEGATIVE_METHODS: tuple[NegativeMethod, ...] = get_args(NegativeMethod)
SAMPLINGS: tuple[Sampling, ...] = get_args(Sampling)

_FIRST_K = 64  # least-similar: bottom-k kept per row at first (doubled when a row runs dry)
_MAX_K = 4096
_MIN_RESTART_ROWS = 32
_SKIP_BUDGET = 64  # hard: positive + group members allowed for in the first top-k pass
_SELECT_COST = 16  # hard: bytes / 4 that top-k and select_hard hold per ranked candidate


@dataclass(frozen=True)
class NegativeConfig:
    """Settings of negative mining; checked on construction.

    ``hard`` ranks the corpus for each query, drops the positive and its group, numbers the rest
    0, 1, 2, ... and looks at ranks ``range_min <= rank < range_max``. There it drops candidates
    scoring above ``guard * score(positive)`` (likely false negatives; ``guard`` is a relative
    margin in (0, 1]) and keeps ``num_negatives`` of the others: the best ranked (``top``) or a
    seeded random draw (``random``). ``least-similar`` takes one negative per pair and ignores
    ``guard``, the range and ``sampling``. ``chunk_size``: the most rows scored at once (fewer
    when a block of scores would pass 256 MiB).
    """

    method: NegativeMethod = "hard"
    num_negatives: int = 1
    guard: float = 0.95
    range_min: int = 0
    range_max: int = 50
    sampling: Sampling = "top"
    seed: int = 42
    chunk_size: int = 4096

    def __post_init__(self) -> None:
        if self.method not in NEGATIVE_METHODS:
            raise EmbedtuneError(
                f"unknown negatives method {self.method!r}",
                fix=f"use one of: {', '.join(NEGATIVE_METHODS)}",
            )
        if self.sampling not in SAMPLINGS:
            raise EmbedtuneError(
                f"unknown sampling {self.sampling!r}", fix=f"use one of: {', '.join(SAMPLINGS)}"
            )
        if self.num_negatives < 1:
            raise EmbedtuneError(
                f"num_negatives={self.num_negatives} is below 1",
                fix="ask for at least 1 negative per query, or use the method 'none'",
            )
        if not 0 < self.guard <= 1:
            raise EmbedtuneError(
                f"guard={self.guard} is outside (0, 1]",
                fix="use a relative margin such as 0.95 (1 only drops candidates above the positive)",
            )
        if self.range_min < 0:
            raise EmbedtuneError(f"range_min={self.range_min} is negative", fix="use 0 or more")
        if self.range_min >= self.range_max:
            raise EmbedtuneError(
                f"range_min={self.range_min} is not below range_max={self.range_max}",
                fix="use range_min < range_max, e.g. 0 and 50",
            )
        if self.method == "hard" and self.num_negatives > self.range_max - self.range_min:
            raise EmbedtuneError(
                f"num_negatives={self.num_negatives} does not fit the rank window "
                f"[{self.range_min}, {self.range_max})",
                fix="widen the window (range_max) or ask for fewer negatives",
            )
        if self.method == "least-similar" and self.num_negatives != 1:
            raise EmbedtuneError(
                f"num_negatives={self.num_negatives} with the method 'least-similar'",
                fix="least-similar gives one negative per pair; use 1, or the method 'hard'",
            )
        if self.chunk_size < 1:
            raise EmbedtuneError(
                f"chunk_size={self.chunk_size} is below 1", fix="use 1 or more (default 4096)"
            )

    @classmethod
    def from_flags(cls, **flags: Any) -> NegativeConfig:
        """The config of the negatives flags; a flag left unset (None) keeps the default (the
        method is checked here, named as a string).

        >>> NegativeConfig.from_flags(method=None, num_negatives=3).num_negatives
        3
        """
        return cls(**{k: v for k, v in flags.items() if v is not None})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MiningResult:
    """Per query, the corpus indices of its negatives (at most ``num_negatives``), and a report.

    The report is JSON-ready: counts, and score statistics as ``{"count", "mean", "p5", "p50",
    "p95"}`` (None when there is no score).
    """

    negatives: list[list[int]]
    report: dict[str, Any]


# --------------------------------------------------------------------------- least-similar


def mine_least_similar(
    positive_emb: np.ndarray,
    corpus_emb: np.ndarray,
    positive_idx: np.ndarray,
    *,
    chunk_size: int = 4096,
    reporter: Reporter | None = None,
) -> MiningResult:
    """The tutorial's negatives: per pair, the unused posting least similar to its positive.

    Exact semantics. Let ``s[i, j] = positive_emb[i] . corpus_emb[j]`` and rank each row
    ascending, ties broken by the lower corpus index (a stable argsort). Walk the pairs in
    order; pair ``i`` takes the first posting in its ranking not yet used, and marks it used.
    When every posting is used (more pairs than postings), the used set is emptied and the walk
    goes on: a new round, in which each pick reuses a posting (``report["reused"]``). So no
    posting serves twice while another is unused, and use counts differ by at most one.
    The positive itself is not excluded (as in the tutorial): it can only be picked when it is
    the last unused posting; ``report["negative_is_positive"]`` counts that.

    This is the result of the tutorial's code (a full ``N x N`` similarity matrix, argsorted,
    then the same walk), which would stop with an error where we start a new round. Here rows
    are scored a chunk at a time and keep only their ``k`` least similar postings among those
    unused when the chunk is scored (``k`` from 64, doubled when needed). A later pick is the
    first still-unused one of that list; if a row finds all ``k`` used, its chunk is scored
    again against the unused postings. Memory: a block of scores, never ``N x N``. The
    negatives equal the full-matrix method's whenever the scores agree bit for bit (see
    :mod:`embedtune.negatives.topk` on BLAS rounding between block shapes).

    Worked example, postings at the four compass points and pairs whose positives are
    ``[0, 0, 1, 2, 3]`` (so ``positive_emb = corpus[[0, 0, 1, 2, 3]]``)::

        corpus: 0 = (1, 0)   1 = (0, 1)   2 = (-1, 0)   3 = (0, -1)
        pair 0 (pos 0): scores [1, 0, -1, 0] -> order 2, 1, 3, 0 -> takes 2
        pair 1 (pos 0): same order; 2 used                        -> takes 1 (ties 1, 3: lower)
        pair 2 (pos 1): scores [0, 1, 0, -1] -> order 3, 0, 2, 1 -> takes 3
        pair 3 (pos 2): scores [-1, 0, 1, 0] -> order 0, 1, 3, 2 -> takes 0 (1, 3 used)
        all four used: new round
        pair 4 (pos 3): scores [0, -1, 0, 1] -> order 1, 0, 2, 3 -> takes 1 (reused)

    Result ``[[2], [1], [3], [0], [1]]`` with ``reused == 1``.
    """
    if chunk_size < 1:
        raise ValueError(f"chunk_size={chunk_size} is below 1")
    p, c, pos = _check_embeddings(positive_emb, corpus_emb, positive_idx)
    n, m = p.shape[0], c.shape[0]
    chosen = np.empty(n, dtype=np.int64)
    chosen_score = np.empty(n, dtype=np.float32)
    used = np.zeros(m, dtype=bool)
    n_used, rounds, reused, rescored = 0, 1, 0, 0
    k = min(_FIRST_K, m)
    cols = np.arange(m)  # the postings the current column view holds
    view = c
    row = 0
    step = chunk_size
    with (reporter or NullReporter()).task("Mining least-similar negatives", total=n) as task:
        while row < n:
            if n_used == m:  # every posting used: a new round
                used[:] = False
                n_used, rounds, cols, view = 0, rounds + 1, np.arange(m), c
            if m - n_used <= cols.size // 2:  # score against the unused only: less work
                cols = np.flatnonzero(~used)
                view = c[cols]
            limit = rows_per_chunk(cols.size, chunk_size, DEFAULT_BLOCK_ELEMENTS)
            start, stop = row, min(n, row + min(step, limit))
            kk = min(k, m - n_used)
            idx, scores = topk_block(
                p[start:stop], view, kk, largest=False, exclude=used[cols] if n_used else None
            )
            idx = cols[idx]
            walked = 0
            for cand, cand_scores in zip(idx, scores, strict=True):
                free = ~used[cand]
                first = int(free.argmax())
                if not free[first]:
                    break
                j = cand[first]
                chosen[start + walked] = j
                chosen_score[start + walked] = cand_scores[first]
                used[j] = True
                n_used += 1
                walked += 1
            reused += walked if rounds > 1 else 0
            task.advance(walked)
            row += walked
            if row < stop and n_used < m:
                # A row ran out of candidates: score again from it, fewer rows, longer lists.
                rescored += 1
                k = min(2 * k, _MAX_K)
                step = max(_MIN_RESTART_ROWS, 2 * walked)
            else:
                step = min(2 * step, chunk_size)
    report = {
        "method": "least-similar",
        "queries": n,
        "negatives_total": n,
        "negative_to_positive_score": score_stats(chosen_score),
        "rounds": rounds,
        "reused": reused,
        "negative_is_positive": int((chosen == pos).sum()),
        "rescored_chunks": rescored,
        "final_k": k,
    }
    return MiningResult(negatives=[[int(j)] for j in chosen], report=report)


# ------------------------------------------------------------------------------------ hard


def mine_hard(
    query_emb: np.ndarray,
    corpus_emb: np.ndarray,
    positive_idx: np.ndarray,
    groups: np.ndarray | None,
    config: NegativeConfig,
    *,
    reporter: Reporter | None = None,
) -> MiningResult:
    """Hard negatives: postings the base model ranks high for the query, minus likely positives.

    For query ``i`` rank every posting by ``query_emb[i] . corpus_emb[j]`` (best first, ties by
    lower index). Skip the positive and every posting in its group (``groups[j]`` is posting
    ``j``'s group id; None: no groups), number the rest 0, 1, 2, ... and keep ranks
    ``range_min <= rank < range_max``. There, drop each candidate with ``score >
    guard * score(positive)`` (the false-negative guard), then take ``num_negatives`` of the
    rest: the best ranked (``sampling="top"``) or a uniform draw without replacement
    (``"random"``, seeded; for a given seed, the draw does not depend on ``chunk_size``).
    Negatives come best ranked first. Queries left with fewer are counted, not padded.

    Worked example: positive 0, groups ``[7, 7, 8, 9, 10]``, scores
    ``[0.9, 0.88, 0.87, 0.5, 0.4]``, guard 0.95, window [0, 50), 2 negatives: posting 0 is the
    positive and 1 its group (skipped); 2 scores 0.87 > 0.95 * 0.9 = 0.855 (guarded); negatives
    ``[3, 4]``.

    Report: ``positive_score`` and ``negative_score`` statistics; ``guard_removed`` (window
    candidates dropped by the guard); ``skipped_positive`` / ``skipped_group`` (the positive and
    group members that ranked above the end of the window, i.e. that would have been
    candidates); ``short_queries`` (fewer than ``num_negatives``), ``empty_queries`` (none).
    """
    q, c, pos = _check_embeddings(query_emb, corpus_emb, positive_idx)
    n, m = q.shape[0], c.shape[0]
    group_of, group_size = _group_ids(groups, m)
    skips_needed = group_size[group_of[pos]]  # the positive and its group
    first_k = min(m, config.range_max + int(min(skips_needed.max(initial=1), _SKIP_BUDGET)))
    rng = np.random.default_rng(config.seed)
    width = config.range_max - config.range_min
    negatives: list[list[int]] = []
    totals = {"guard_removed": 0, "skipped_positive": 0, "skipped_group": 0}
    pos_scores = _row_dots(q, c, pos)
    neg_scores: list[np.ndarray] = []
    # Selection holds ~_SELECT_COST float32-sized arrays per ranked candidate (indices, ranks,
    # masks, sort keys): a wide window (``widen_window`` goes up to the whole corpus) takes
    # fewer rows at once, so a chunk stays within the block budget however deep it ranks.
    deepest = min(m, config.range_max + int(skips_needed.max(initial=1)))
    step = rows_per_chunk(max(m, _SELECT_COST * deepest), config.chunk_size, DEFAULT_BLOCK_ELEMENTS)
    with (reporter or NullReporter()).task("Mining hard negatives", total=n) as task:
        for start in range(0, n, step):
            stop = min(n, start + step)
            idx, scores = topk_block(q[start:stop], c, first_k, largest=True)
            keys = rng.random((stop - start, width)) if config.sampling == "random" else None
            # Rows whose skipped postings crowd the window past first_k: rank them deeper.
            short = np.flatnonzero(
                (skips_needed[start:stop] > first_k - config.range_max) & (first_k < m)
            )
            rest = np.setdiff1d(np.arange(stop - start), short)
            parts = [(rest, idx[rest], scores[rest])]
            if short.size:
                deep_k = min(m, config.range_max + int(skips_needed[start + short].max()))
                parts.append((short, *topk_block(q[start + short], c, deep_k, largest=True)))
            chunk_negs: list[list[int]] = [[] for _ in range(stop - start)]
            for rows, part_idx, part_scores in parts:
                if rows.size == 0:
                    continue
                picked, picked_scores, counts = select_hard(
                    part_idx,
                    part_scores,
                    pos[start + rows],
                    pos_scores[start + rows],
                    group_of,
                    config,
                    None if keys is None else keys[rows],
                )
                for r, negs in zip(rows, picked, strict=True):
                    chunk_negs[r] = negs
                neg_scores.append(picked_scores)
                for key, value in counts.items():
                    totals[key] += value
            negatives.extend(chunk_negs)
            task.advance(stop - start)
    got = np.array([len(x) for x in negatives], dtype=np.int64)
    report = {
        "method": "hard",
        "queries": n,
        "num_negatives": config.num_negatives,
        "negatives_total": int(got.sum()),
        "positive_score": score_stats(pos_scores),
        "negative_score": score_stats(
            np.concatenate(neg_scores) if neg_scores else np.empty(0, np.float32)
        ),
        **totals,
        "short_queries": int((got < config.num_negatives).sum()),
        "empty_queries": int((got == 0).sum()),
        "sampling": config.sampling,
        "guard": config.guard,
        "range": [config.range_min, config.range_max],
    }
    return MiningResult(negatives=negatives, report=report)


def select_hard(
    idx: np.ndarray,
    scores: np.ndarray,
    positives: np.ndarray,
    positive_scores: np.ndarray,
    group_of: np.ndarray,
    config: NegativeConfig,
    random_keys: np.ndarray | None = None,
) -> tuple[list[list[int]], np.ndarray, dict[str, int]]:
    """Apply the skips, the rank window, the guard and the sampling to ranked candidates.

    ``idx``/``scores``: ``(r, K)`` corpus indices and scores, best first, deep enough that the
    window fits after the skips. ``random_keys``: ``(r, range_max - range_min)`` uniform draws,
    one per window rank, for ``sampling="random"`` (the smallest keys win).
    Returns the negatives per row, their scores (flat) and the counts of the report.
    """
    is_positive = idx == positives[:, None]
    skip = is_positive | (group_of[idx] == group_of[positives][:, None])
    rank = np.cumsum(~skip, axis=1) - 1  # rank among the unskipped (valid where ~skip)
    in_window = ~skip & (rank >= config.range_min) & (rank < config.range_max)
    guarded = in_window & (scores > config.guard * positive_scores[:, None])
    allowed = in_window & ~guarded
    # A skipped item with fewer than range_max unskipped before it would have been a candidate.
    before_end = rank < config.range_max - 1
    counts = {
        "guard_removed": int(guarded.sum()),
        "skipped_positive": int((is_positive & before_end).sum()),
        "skipped_group": int((skip & ~is_positive & before_end).sum()),
    }
    if random_keys is None:
        order_key = np.where(allowed, np.arange(idx.shape[1])[None, :], np.inf)
    else:
        slot = np.clip(rank - config.range_min, 0, random_keys.shape[1] - 1)
        order_key = np.where(allowed, np.take_along_axis(random_keys, slot, axis=1), np.inf)
    order = np.argsort(order_key, axis=1, kind="stable")[:, : config.num_negatives]
    take = np.take_along_axis(allowed, order, axis=1)
    order = np.sort(np.where(take, order, idx.shape[1]), axis=1)  # best ranked first
    negatives: list[list[int]] = []
    picked_scores: list[np.ndarray] = []
    for row_idx, row_scores, row_order in zip(idx, scores, order, strict=True):
        cols = row_order[row_order < idx.shape[1]]
        negatives.append(row_idx[cols].tolist())
        picked_scores.append(row_scores[cols])
    flat = np.concatenate(picked_scores) if picked_scores else np.empty(0, np.float32)
    return negatives, flat, counts


# --------------------------------------------------------------------------------- wrapper


def mine_from_embeddings(
    query_emb: np.ndarray,
    corpus_emb: np.ndarray,
    positive_idx: np.ndarray,
    config: NegativeConfig,
    *,
    groups: np.ndarray | None = None,
    reporter: Reporter | None = None,
) -> MiningResult:
    """Run ``config.method`` on precomputed embeddings; the report always has query-side scores.

    ``positive_score`` is query . positive and ``negative_score`` query . negative for every
    method (for ``least-similar`` the pick itself uses positive . posting, reported as
    ``negative_to_positive_score``).
    """
    q, c, pos = _check_embeddings(query_emb, corpus_emb, positive_idx)
    if config.method == "hard":
        return mine_hard(q, c, pos, groups, config, reporter=reporter)
    if config.method == "none":
        report: dict[str, Any] = {"method": "none", "queries": q.shape[0], "negatives_total": 0}
        report["positive_score"] = score_stats(_row_dots(q, c, pos))
        return MiningResult(negatives=[[] for _ in range(q.shape[0])], report=report)
    result = mine_least_similar(c[pos], c, pos, chunk_size=config.chunk_size, reporter=reporter)
    chosen = np.array([x[0] for x in result.negatives], dtype=np.int64)
    result.report["positive_score"] = score_stats(_row_dots(q, c, pos))
    result.report["negative_score"] = score_stats(_row_dots(q, c, chosen))
    return result


def mine_negatives(
    queries: Sequence[str],
    positive_idx: Sequence[int],
    corpus: Sequence[str],
    encoder: Encoder,
    config: NegativeConfig,
    *,
    groups: Sequence[int] | None = None,
    reporter: Reporter | None = None,
) -> MiningResult:
    """Encode the corpus (``kind="document"``) and the queries (``kind="query"``) once each,
    then mine with :func:`mine_from_embeddings`. ``none`` encodes nothing.

    ``positive_idx[i]``: index in ``corpus`` of query ``i``'s positive (queries may share one);
    ``groups[j]``: group id of ``corpus[j]`` (used by ``hard``).
    """
    if len(queries) != len(positive_idx):
        raise EmbedtuneError(
            f"{len(queries)} queries but {len(positive_idx)} positives",
            fix="give one positive index per query",
        )
    if groups is not None and len(groups) != len(corpus):
        raise EmbedtuneError(
            f"{len(groups)} group ids for {len(corpus)} postings",
            fix="give one group id per posting",
        )
    if config.method == "none":
        report = {"method": "none", "queries": len(queries), "negatives_total": 0}
        return MiningResult(negatives=[[] for _ in queries], report=report)
    corpus_emb = encoder.encode(corpus, kind="document")
    query_emb = encoder.encode(queries, kind="query")
    return mine_from_embeddings(
        query_emb,
        corpus_emb,
        np.asarray(positive_idx, dtype=np.int64),
        config,
        groups=None if groups is None else np.asarray(groups),
        reporter=reporter,
    )


# --------------------------------------------------------------------------------- helpers


def score_stats(scores: np.ndarray) -> dict[str, Any]:
    """Count, mean and 5th/50th/95th percentiles of ``scores`` (None for an empty array).

    >>> score_stats(np.array([0.0, 1.0], dtype=np.float32))["p50"]
    0.5
    """
    scores = np.asarray(scores, dtype=np.float64)
    if scores.size == 0:
        return {"count": 0, "mean": None, "p5": None, "p50": None, "p95": None}
    p5, p50, p95 = np.percentile(scores, [5, 50, 95])
    return {
        "count": int(scores.size),
        "mean": float(scores.mean()),
        "p5": float(p5),
        "p50": float(p50),
        "p95": float(p95),
    }


def _check_embeddings(
    rows: np.ndarray, corpus: np.ndarray, positive_idx: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """As float32 / int64 arrays, after checking shapes, finiteness and index range."""
    rows = np.asarray(rows, dtype=np.float32)
    corpus = np.asarray(corpus, dtype=np.float32)
    pos = np.asarray(positive_idx, dtype=np.int64)
    if rows.ndim != 2 or corpus.ndim != 2 or rows.shape[1] != corpus.shape[1]:
        raise ValueError(
            f"embeddings must be 2-D with one dimension: got {rows.shape} and {corpus.shape}"
        )
    if pos.shape != (rows.shape[0],):
        raise ValueError(f"positive_idx has shape {pos.shape}, expected ({rows.shape[0]},)")
    if rows.shape[0] and corpus.shape[0] == 0:
        raise EmbedtuneError("the corpus is empty", fix="mine negatives from at least one posting")
    if pos.size and (pos.min() < 0 or pos.max() >= corpus.shape[0]):
        bad = int(pos[(pos < 0) | (pos >= corpus.shape[0])][0])
        raise EmbedtuneError(
            f"positive index {bad} is outside the corpus of {corpus.shape[0]} postings",
            fix="give positive_idx as indices into the corpus",
        )
    if not (np.isfinite(rows).all() and np.isfinite(corpus).all()):
        raise EmbedtuneError("embeddings contain NaN or infinity", fix="check the encoder's output")
    return rows, corpus, pos


def _row_dots(rows: np.ndarray, corpus: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """``rows[i] . corpus[idx[i]]`` for every i, a chunk at a time (float32)."""
    out = np.empty(rows.shape[0], dtype=np.float32)
    for start in range(0, rows.shape[0], 8192):
        stop = start + 8192
        out[start:stop] = np.einsum("ij,ij->i", rows[start:stop], corpus[idx[start:stop]])
    return out


def _group_ids(groups: np.ndarray | None, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Dense group ids per posting (each alone when ``groups`` is None), and each group's size."""
    if groups is None:
        return np.arange(m), np.ones(m, dtype=np.int64)
    groups = np.asarray(groups)
    if groups.shape != (m,):
        raise ValueError(f"groups has shape {groups.shape}, expected ({m},)")
    _, dense, sizes = np.unique(groups, return_inverse=True, return_counts=True)
    return dense.reshape(-1), sizes
