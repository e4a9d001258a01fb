"""Negative mining: hard negatives, the tutorial's least-similar negatives, or none."""

from __future__ import annotations

from embedtune.negatives.mining import (
    NEGATIVE_METHODS,
    SAMPLINGS,
    MiningResult,
    NegativeConfig,
    NegativeMethod,
    Sampling,
    mine_from_embeddings,
    mine_hard,
    mine_least_similar,
    mine_negatives,
    score_stats,
    select_hard,
)
from embedtune.negatives.topk import chunked_topk
from embedtune.negatives.widen import widen_window

__all__ = [
    "NEGATIVE_METHODS",
    "SAMPLINGS",
    "MiningResult",
    "NegativeConfig",
    "NegativeMethod",
    "Sampling",
    "chunked_topk",
    "mine_from_embeddings",
    "mine_hard",
    "mine_least_similar",
    "mine_negatives",
    "score_stats",
    "select_hard",
    "widen_window",
]
