"""The blockwise LSH pair search agrees with the plain set-of-candidates loop."""

from __future__ import annotations

import numpy as np
import pytest

from embedtune.data import dedupe
from embedtune.data.dedupe import (
    _MAX_HASH,
    _bands_equal,
    _bands_for,
    _count_true,
    find_duplicates,
    similar_pairs,
)


def similar_pairs_reference(
    signatures: np.ndarray, threshold: float
) -> list[tuple[int, int, float]]:
    """:func:`similar_pairs` the plain way (a set of every candidate pair): the reference the
    blockwise search must equal; its memory grows with the square of the corpus."""
    n, num_perm = signatures.shape
    bands, rows = _bands_for(threshold, num_perm)
    candidates: set[tuple[int, int]] = set()
    for band in range(bands):
        buckets: dict[bytes, list[int]] = {}
        chunk = np.ascontiguousarray(signatures[:, band * rows : (band + 1) * rows])
        for i in range(n):
            if signatures[i, 0] == _MAX_HASH and (signatures[i] == _MAX_HASH).all():
                continue
            buckets.setdefault(chunk[i].tobytes(), []).append(i)
        for members in buckets.values():
            for x in range(len(members)):
                for y in range(x + 1, len(members)):
                    candidates.add((members[x], members[y]))
    pairs = []
    for i, j in sorted(candidates):
        jaccard = float((signatures[i] == signatures[j]).mean())
        if jaccard >= threshold:
            pairs.append((i, j, jaccard))
    return pairs


def _signatures(rng: np.random.Generator, n: int, num_perm: int, alphabet: int) -> np.ndarray:
    """Few distinct values, so buckets are crowded and many pairs collide; some empty rows."""
    sig = rng.integers(0, alphabet, size=(n, num_perm)).astype(np.uint64)
    sig[rng.random(n) < 0.1] = _MAX_HASH
    return sig


@pytest.mark.parametrize("num_perm", [12, 16, 128])  # 12: bands of 3 rows (the generic path)
@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.7])
def test_similar_pairs_equal_the_plain_loop(num_perm: int, threshold: float) -> None:
    rng = np.random.default_rng(num_perm)
    for _ in range(5):
        sig = _signatures(rng, int(rng.integers(2, 250)), num_perm, int(rng.integers(2, 5)))
        assert similar_pairs(sig, threshold) == similar_pairs_reference(sig, threshold)


def test_small_blocks_give_the_same_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    sig = _signatures(np.random.default_rng(7), 200, 128, 2)
    expected = similar_pairs_reference(sig, 0.5)
    assert expected  # crowded buckets: the blocks below split them
    monkeypatch.setattr(dedupe, "_PAIRS_PER_BLOCK", 7)
    assert similar_pairs(sig, 0.5) == expected


def test_a_pair_colliding_in_several_bands_is_reported_once() -> None:
    sig = np.array([[1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 9, 9]], dtype=np.uint64)
    assert similar_pairs(sig, 0.5) == [(0, 1, 1.0), (0, 2, 0.5), (1, 2, 0.5)]


def test_empty_rows_and_tiny_inputs() -> None:
    empty = np.full((3, 8), _MAX_HASH, dtype=np.uint64)
    assert similar_pairs(empty, 0.5) == []
    assert similar_pairs(np.zeros((1, 8), dtype=np.uint64), 0.5) == []


def test_find_duplicates_unchanged_on_crowded_texts() -> None:
    """Many postings from a few phrases: the pairs, drops and groups of the plain loop."""
    rng = np.random.default_rng(3)
    phrases = [f"python sql spark {w} pipelines" for w in ("data", "ml", "bi", "etl", "cloud")]
    texts = [" ".join(rng.choice(phrases, size=4)) for _ in range(120)]
    fast = find_duplicates(texts, threshold=0.7, group_threshold=0.5)
    original = dedupe.similar_pairs
    try:
        dedupe.similar_pairs = similar_pairs_reference  # type: ignore[assignment]
        plain = find_duplicates(texts, threshold=0.7, group_threshold=0.5)
    finally:
        dedupe.similar_pairs = original  # type: ignore[assignment]
    assert fast == plain


def test_count_true_and_bands_equal() -> None:
    flags = np.random.default_rng(0).random((50, 128)) < 0.5
    assert _count_true(flags).tolist() == flags.sum(axis=1).tolist()
    odd = flags[:, :12].copy()
    assert _count_true(odd).tolist() == odd.sum(axis=1).tolist()
    for rows in (1, 2, 3, 4, 8):
        width = 24
        block = np.ascontiguousarray(flags[:, :width])
        expected = block.reshape(50, width // rows, rows).all(axis=2)
        assert (_bands_equal(block, rows) == expected).all()
