"""Known queries: a second way into a posting, through queries whose answer is known.

The user's (query, posting) pairs, or logged searches with the posting that was clicked, can be
kept in the index beside the postings (``embedtune index --known-queries FILE``). A new query then
reaches a posting through the nearest of its known queries as well as through its text
(query-to-query matching, as FAQ retrieval does with stored paraphrases). Per posting ``j`` with
known queries ``K(j)``::

    score(q, j) = d + weight * max(0, m - d),   d = cos(q, posting j),  m = max_{k in K(j)} cos(q, k)

``weight`` 0 is the text alone; 1 is the better of the text and its nearest known query; postings
without known queries keep ``d``. The weight is chosen on the known queries themselves
(:func:`choose_weight`): a seeded tenth of their distinct texts is held out as queries against a
memory of the rest, and the weight with the best nDCG@10 over the whole index wins. Measured on
O*NET (benchmarks/RESULTS.md, "Known queries"): 42,959 alternate titles as memory lift the
untrained base model's title search from 0.623 to 0.714; 3,000 of them lift it by 0.001.
The same held-out queries then choose the weight of the index's lexical half
(:mod:`embedtune.index.lexical`) at the chosen known-query weight.

Pure functions over arrays; :mod:`embedtune.index.store` keeps the vectors.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from embedtune.errors import EmbedtuneError
from embedtune.evaluate.metrics import ndcg_at_k
from embedtune.index import lexical as lex

WEIGHTS = (0.0, 0.3, 0.5, 0.7, 1.0)
DEFAULT_WEIGHT = 0.5
HOLD_OUT = 0.1
MIN_HELD_OUT = 20
MAX_HELD_OUT = 2000
SEED = 42


def check_weight(weight: float | None) -> None:
    """A given weight must lie in [0, 1] (None: chosen on held-out known queries)."""
    if weight is not None and not 0.0 <= weight <= 1.0:
        raise EmbedtuneError(
            f"--known-weight must be between 0 and 1, got {weight}",
            fix="pass e.g. --known-weight 0.5, or leave it out to choose it on held-out "
            "known queries",
        )


@dataclass(frozen=True)
class Groups:
    """Known-query vectors ordered by posting: rows ``starts[i]:starts[i + 1]`` lead to ``ids[i]``."""

    vectors: np.ndarray
    ids: list[str]
    starts: np.ndarray

    @classmethod
    def of(cls, vectors: np.ndarray, ids: Sequence[str]) -> Groups:
        """Group ``vectors`` (one per known query) by the posting id each leads to.

        >>> g = Groups.of(np.eye(3, dtype=np.float32), ["b", "a", "b"])
        >>> g.ids, g.starts.tolist(), g.vectors.argmax(axis=1).tolist()
        (['a', 'b'], [0, 1], [1, 0, 2])
        """
        order = np.argsort(np.asarray(ids, dtype=object), kind="stable")
        sorted_ids = [ids[i] for i in order]
        starts = [i for i in range(len(sorted_ids)) if i == 0 or sorted_ids[i] != sorted_ids[i - 1]]
        return cls(
            vectors=np.ascontiguousarray(np.asarray(vectors, dtype=np.float32)[order]),
            ids=[sorted_ids[i] for i in starts],
            starts=np.asarray(starts, dtype=np.int64),
        )

    def best(self, queries: np.ndarray) -> np.ndarray:
        """Per (query, posting id): the cosine to the nearest known query (queries x len(ids))."""
        if not self.ids:
            return np.zeros((len(queries), 0), dtype=np.float32)
        sims = np.atleast_2d(queries) @ self.vectors.T
        return np.maximum.reduceat(sims, self.starts, axis=1)


def memory_scores(
    groups: Groups, queries: np.ndarray, rows: np.ndarray, num_docs: int
) -> np.ndarray:
    """Per (query, document row): ``m``, or -inf where the document has no known query.

    ``rows[i]`` is the document row of ``groups.ids[i]`` (-1: not in the index; ignored).

    >>> g = Groups.of(np.array([[0.0, 1.0], [0.6, 0.8]]), ["x", "x"])
    >>> memory_scores(g, np.array([[1.0, 0.0]]), np.array([1]), 3).astype(float).round(3).tolist()
    [[-inf, 0.6, -inf]]
    """
    out = np.full((len(queries), num_docs), -np.inf, dtype=np.float32)
    keep = rows >= 0
    if keep.any():
        out[:, rows[keep]] = groups.best(queries)[:, keep]
    return out


def blend(doc_scores: np.ndarray, memory: np.ndarray, weight: float) -> np.ndarray:
    """``d + weight * max(0, m - d)``: a known query closer than the text lifts the posting.

    >>> blend(np.array([[0.5, 0.5]]), np.array([[0.9, -np.inf]]), 0.5).astype(float).round(3).tolist()
    [[0.7, 0.5]]
    """
    lift = np.where(np.isfinite(memory), np.maximum(0.0, memory - doc_scores), 0.0)
    return (doc_scores + weight * lift).astype(np.float32)


def top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` best scores, best first, ties by index.

    >>> top_rows(np.array([0.1, 0.9, 0.5, 0.9]), 3).tolist()
    [1, 3, 2]
    """
    k = min(k, len(scores))
    if k == 0:
        return np.array([], dtype=np.int64)
    best = np.argpartition(-scores, k - 1)[:k]
    return best[np.lexsort((best, -scores[best]))]


@dataclass(frozen=True)
class WeightChoice:
    """The weight of the known queries and how it was chosen (nDCG@10 per weight tried)."""

    weight: float
    held_out: int
    curve: dict[float, float] = field(default_factory=dict)
    reason: str = ""
    # the lexical half's weight chosen at ``weight`` (None: not chosen here), and its curve
    lexical_weight: float | None = None
    lexical_curve: dict[float, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "weight": self.weight,
            "held_out_queries": self.held_out,
            "ndcg@10": {str(w): round(v, 4) for w, v in self.curve.items()},
            "reason": self.reason,
        }

    def lexical_dict(self) -> dict[str, object]:
        """The lexical weight's choice, as ``index.json`` keeps it."""
        return {
            "weight": self.lexical_weight,
            "held_out_queries": self.held_out,
            "ndcg@10": {str(w): round(v, 4) for w, v in self.lexical_curve.items()},
            "reason": self.reason,
        }


def choose_weight(
    doc_vectors: np.ndarray,
    doc_ids: Sequence[str],
    known_vectors: np.ndarray,
    known_texts: Sequence[str],
    known_ids: Sequence[str],
    *,
    weights: Sequence[float] = WEIGHTS,
    seed: int = SEED,
    lexical: lex.Lexical | None = None,
) -> WeightChoice:
    """The weight with the best nDCG@10 for held-out known queries (a seeded tenth of the distinct
    texts, at most :data:`MAX_HELD_OUT`) ranking every document, the other known queries as memory.
    With ``lexical`` (BM25 of the documents, in ``doc_ids``' order), the lexical half's weight is
    then chosen from :data:`.lexical.WEIGHTS` the same way, at the chosen weight.

    Ties go to the smaller weight. Fewer than :data:`MIN_HELD_OUT` held-out queries: the default
    weights, with the reason.
    """
    texts = sorted(set(known_texts))
    held = random.Random(seed).sample(texts, min(MAX_HELD_OUT, int(len(texts) * HOLD_OUT)))
    if len(held) < MIN_HELD_OUT:
        return WeightChoice(
            DEFAULT_WEIGHT,
            len(held),
            reason=f"{len(texts)} distinct known queries are too few to hold "
            f"{MIN_HELD_OUT} out; the default weight",
            lexical_weight=lex.DEFAULT_WEIGHT if lexical is not None else None,
        )
    held_set = set(held)
    row_of = {d: i for i, d in enumerate(doc_ids)}
    first: dict[str, int] = {}
    qrels: dict[str, dict[str, int]] = {}
    memory = []
    for i, (text, pid) in enumerate(zip(known_texts, known_ids, strict=True)):
        if text in held_set:
            first.setdefault(text, i)
            qrels.setdefault(text, {})[pid] = 1
        elif pid in row_of:
            memory.append(i)
    groups = Groups.of(known_vectors[memory], [known_ids[i] for i in memory])
    rows = np.array([row_of[g] for g in groups.ids], dtype=np.int64)
    order = [t for t in held if t in first]
    queries = known_vectors[[first[t] for t in order]]

    def curve_of(tried: Sequence[float], prepare: Any, scored: Any) -> dict[float, float]:
        """nDCG@10 per weight: ``prepare(d, m, texts)`` once per chunk of held-out queries,
        then ``scored(prepared, weight)`` per weight."""
        curve = {float(w): 0.0 for w in tried}
        for start in range(0, len(order), 256):
            texts_now = order[start : start + 256]
            chunk = queries[start : start + 256]
            d = chunk @ doc_vectors.T
            m = memory_scores(groups, chunk, rows, len(doc_ids))
            prepared = prepare(d, m, texts_now)
            for w in curve:
                for text, row in zip(texts_now, scored(prepared, w), strict=True):
                    ranked = [doc_ids[j] for j in top_rows(row, 10)]
                    curve[w] += ndcg_at_k(ranked, qrels[text], 10) / len(order)
        return curve

    def best(curve: dict[float, float]) -> float:
        return max(curve, key=lambda w: (round(curve[w], 6), -w))

    curve = curve_of(weights, lambda d, m, _: (d, m), lambda dm, w: blend(dm[0], dm[1], w))
    weight = best(curve)
    lexical_curve: dict[float, float] = {}
    if lexical is not None:
        lexical_curve = curve_of(
            lex.WEIGHTS,
            lambda d, m, texts: (blend(d, m, weight), lexical.scores(texts)),
            lambda sb, a: lex.add_lexical(sb[0], sb[1], a),
        )
    return WeightChoice(
        weight,
        len(order),
        curve,
        reason="best on held-out known queries",
        lexical_weight=best(lexical_curve) if lexical_curve else None,
        lexical_curve=lexical_curve,
    )


def known_line(report: Mapping[str, Any]) -> str:
    """One line on the known queries an index build or update added, and their weight."""
    choice = report["known_choice"]
    line = (
        f"Known queries: {report['known_queries']} ({report['known_queries_added']} added"
        + (
            f", {report['known_queries_unknown_ids']} skipped: id not in the index"
            if report["known_queries_unknown_ids"]
            else ""
        )
        + f"); weight {choice['weight']}"
    )
    curve = choice.get("ndcg@10")
    if curve and not choice["weight"]:
        line += (
            f" (off: on {choice['held_out_queries']} held-out known queries they lifted nothing; "
            f"nDCG@10 {curve['0.0']:.3f} without them)"
        )
    elif curve:
        line += (
            f", chosen on {choice['held_out_queries']} held-out known queries (nDCG@10 "
            f"{curve['0.0']:.3f} without them, {curve[str(float(choice['weight']))]:.3f} with)"
        )
    else:
        line += f" ({choice['reason']})"
    return line
