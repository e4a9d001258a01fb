"""Widening the hard-negative window for queries whose window held too few negatives."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from embedtune.models.encoder import Encoder
from embedtune.negatives.mining import NegativeConfig, mine_negatives
from embedtune.progress import Reporter


def widen_window(
    chosen: list[list[int]],
    queries: Sequence[str],
    positive_idx: Sequence[int],
    corpus: Sequence[str],
    encoder: Encoder,
    config: NegativeConfig,
    *,
    groups: Sequence[int] | None = None,
    reporter: Reporter | None = None,
) -> dict[str, int]:
    """Queries whose rank window held too few negatives past the guard look further down.

    ``chosen[i]``: the negatives (indices into ``corpus``) already mined for ``queries[i]``
    with ``config``. When every candidate in ``[range_min, range_max)`` scores too close to the
    positive (common in a corpus of many near-identical roles), the window moves to
    ``[range_max, 4 * range_max)`` and so on until the corpus ends; the guard still applies.
    Fills ``chosen`` in place and returns how many queries were short and how many a wider
    window completed; ``reporter`` shows each wider round's mining (its short queries). With
    ``range_max=2`` on 20 postings the windows are ``[2, 8)``,
    ``[8, 19)``.
    """
    n = config.num_negatives
    short = [i for i, c in enumerate(chosen) if len(c) < n]
    counts = {"short": len(short), "completed": 0}
    low, last = config.range_max, len(corpus) - 1
    while short and low < last:
        high = min(last, low * 4)
        if high - low < n:
            break
        wider = replace(config, range_min=low, range_max=high)
        result = mine_negatives(
            [queries[i] for i in short],
            [positive_idx[i] for i in short],
            corpus,
            encoder,
            wider,
            groups=groups,
            reporter=reporter,
        )
        for i, extra in zip(short, result.negatives, strict=True):
            chosen[i] = (list(chosen[i]) + [j for j in extra if j not in chosen[i]])[:n]
        still = [i for i in short if len(chosen[i]) < n]
        counts["completed"] += len(short) - len(still)
        short, low = still, high
    return counts
