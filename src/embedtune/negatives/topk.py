"""Exact top-k by dot product, a block of scores at a time, never a full similarity matrix.

Both miners rank the corpus for many rows (queries or positives). Scoring all rows at once
needs ``n * m * 4`` bytes (40 GB for 100,000 x 100,000), so rows are scored in chunks and each
chunk against the corpus in column blocks of at most ``block_elements`` scores.

The order is total, so results do not depend on chunking: best score first, and among equal
scores the lower corpus index first, exactly as a stable ``np.argsort`` of the full row. (One
caveat: BLAS may round a score's last bit differently for different block shapes, so two
postings whose scores lie within float32 rounding (~1e-7) of each other can swap. Scores that
are exact in float32, such as small-integer or one-hot vectors, always agree.)

Selecting the k best of a block: a value partition of a strided sample of the block's columns
gives, per row, a threshold that is at least as loose as the row's k-th best score (the k-th
best of a subset is never better than the k-th best of the whole), so every member of the true
top k survives ``score <= threshold``. Only the few survivors (about ``16 k`` per row) are then
sorted exactly. This is exact, handles ties without special cases and, unlike
``np.argpartition`` on the whole block, allocates no int64 index array the size of the block
(8 bytes a score) and runs about twice as fast. Rows with very many ties at the threshold
(degenerate embeddings) fall back to a per-row ``np.partition`` with an explicit tie fix.

Why ours and not faiss (measured 2026-11-30, ``benchmarks/topk_compare.py``, figures in
``benchmarks/RESULTS.md``): on 20,000 x 20,000 random unit vectors of 384 dimensions, faiss-cpu
1.15 ``IndexFlatIP`` took as long (k=10: 7.1 s vs our 6.8 s; k=64: 9.4 s vs 10.3 s, two shared
cores) and returned the same neighbours (every score equal; the 0.01% of indices that differ
are exact ties, which faiss orders arbitrarily). It peaked lower (86-111 MB above the inputs vs
our 405-490 MB, which is ``block_elements``, 256 MiB, by design and can be lowered). That does
not buy a dependency: the miners need what a flat index lacks, the smallest scores
(``largest=False``), a per-row exclusion mask and the deterministic lower-index-first tie order
that keeps mined negatives reproducible.
"""

from __future__ import annotations

import numpy as np

from embedtune.progress import NullReporter, Reporter

DEFAULT_BLOCK_ELEMENTS = 1 << 26
"""Scores held at once: 64 Mi float32 (256 MiB). Caps the rows of a chunk for wide corpora."""

_SAMPLE_PER_K = 8  # the threshold sample holds at least this many columns per wanted item
_SAMPLE_FRACTION = 16  # ... and at least 1/16 of the block, so ~16 k survivors per row
_MAX_SURVIVORS_PER_K = 64  # rows with more survivors (ties) take the per-row exact path


def rows_per_chunk(n_columns: int, chunk_size: int, block_elements: int) -> int:
    """How many rows to score at once: ``chunk_size``, fewer if a block would exceed the budget.

    >>> rows_per_chunk(100_000, 4096, 1 << 26)
    671
    >>> rows_per_chunk(1_000, 4096, 1 << 26)
    4096
    """
    return max(1, min(chunk_size, block_elements // max(1, n_columns)))


def chunked_topk(
    queries: np.ndarray,
    corpus: np.ndarray,
    k: int,
    *,
    largest: bool = True,
    chunk_size: int = 4096,
    exclude: np.ndarray | None = None,
    block_elements: int = DEFAULT_BLOCK_ELEMENTS,
    reporter: Reporter | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` corpus rows with the highest (or lowest) dot product with each query row.

    Returns ``(indices, scores)``, both ``(n, k)``: int64 corpus indices and their float32
    scores, best first, ties broken by the lower index. Equal to
    ``np.argsort(-(queries @ corpus.T), axis=1, kind="stable")[:, :k]`` (or without the minus
    for ``largest=False``) but never holds more than ``block_elements`` scores. ``exclude``
    (bool per corpus row) removes columns from every ranking.

    >>> corpus = np.array([[1, 0], [0, 1], [1, 1]], dtype=np.float32)
    >>> idx, scores = chunked_topk(np.array([[1, 2]], dtype=np.float32), corpus, 2)
    >>> idx.tolist(), scores.tolist()
    ([[2, 1]], [[3.0, 2.0]])
    """
    queries = np.asarray(queries, dtype=np.float32)
    corpus = np.asarray(corpus, dtype=np.float32)
    allowed = corpus.shape[0] - (int(exclude.sum()) if exclude is not None else 0)
    if not 0 <= k <= allowed:
        raise ValueError(f"k={k} is outside 0..{allowed} (the corpus rows not excluded)")
    if chunk_size < 1:
        raise ValueError(f"chunk_size={chunk_size} is below 1")
    n = queries.shape[0]
    indices = np.empty((n, k), dtype=np.int64)
    scores = np.empty((n, k), dtype=np.float32)
    step = rows_per_chunk(corpus.shape[0], chunk_size, block_elements)
    with (reporter or NullReporter()).task("Ranking postings", total=n) as task:
        for start in range(0, n, step):
            stop = min(n, start + step)
            indices[start:stop], scores[start:stop] = topk_block(
                queries[start:stop],
                corpus,
                k,
                largest=largest,
                exclude=exclude,
                block_elements=block_elements,
            )
            task.advance(stop - start)
    return indices, scores


def topk_block(
    queries: np.ndarray,
    corpus: np.ndarray,
    k: int,
    *,
    largest: bool,
    exclude: np.ndarray | None = None,
    block_elements: int = DEFAULT_BLOCK_ELEMENTS,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`chunked_topk` for one chunk of rows, all scored together (column blocks if wide).

    ``queries`` and ``corpus`` must be float32; at least ``k`` corpus rows must not be excluded.
    """
    r, m = queries.shape[0], corpus.shape[0]
    if largest:
        queries = -queries  # (-q) . c == -(q . c) exactly: smallest key = best score
    width = max(k, block_elements // max(1, r))
    best_idx = np.empty((r, 0), dtype=np.int64)
    best_key = np.empty((r, 0), dtype=np.float32)
    for c0 in range(0, m, width):
        c1 = min(m, c0 + width)
        keys = queries @ corpus[c0:c1].T  # float32 (r, c1 - c0), one BLAS call
        ok: np.ndarray | None = None
        if exclude is not None and exclude[c0:c1].any():
            # Adding a row of 0 / +inf is ~8x faster than assigning to masked columns.
            keys += np.where(exclude[c0:c1], np.float32(np.inf), np.float32(0))
            ok = np.flatnonzero(~exclude[c0:c1])
        kb = min(k, c1 - c0 if ok is None else ok.size)
        if kb == 0:
            continue
        idx, key = smallest_k(keys, kb, ok)
        del keys
        if best_idx.shape[1] == 0:
            best_idx, best_key = idx + c0, key
            continue
        merged_idx = np.concatenate([best_idx, idx + c0], axis=1)
        merged_key = np.concatenate([best_key, key], axis=1)
        order = np.lexsort((merged_idx, merged_key), axis=-1)[:, :k]
        best_idx = np.take_along_axis(merged_idx, order, axis=1)
        best_key = np.take_along_axis(merged_key, order, axis=1)
    scores = -best_key if largest else best_key
    return best_idx, scores


def smallest_k(
    keys: np.ndarray, k: int, candidates: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the column indices and values of the ``k`` smallest keys, ties by lower index.

    ``keys`` is a C-contiguous float32 block. ``candidates``: the sorted columns that hold finite
    keys when the others are ``+inf`` (None: all columns); at least ``k`` of them. Worked
    example (the ties at 1.0 go to the lower columns, 0 and 2)::

        >>> keys = np.array([[1.0, 0.5, 1.0, 1.0]], dtype=np.float32)
        >>> idx, val = smallest_k(keys, 3)
        >>> idx.tolist(), val.tolist()
        ([[1, 0, 2]], [[0.5, 1.0, 1.0]])
    """
    r, w = keys.shape
    if w <= 4 * k or w <= 64 or (w - 1).bit_length() + max(r - 1, 1).bit_length() > 32:
        order = np.argsort(keys, axis=1, kind="stable")[:, :k]
        return order.astype(np.int64, copy=False), np.take_along_axis(keys, order, axis=1)
    n_cand = w if candidates is None else candidates.size
    stride = max(1, n_cand // max(_SAMPLE_PER_K * k, w // _SAMPLE_FRACTION))
    sample = keys[:, ::stride] if candidates is None else keys[:, candidates[::stride]]
    threshold = np.partition(sample, k - 1, axis=1)[:, k - 1]
    del sample
    survive = keys <= threshold[:, None]
    cap = max(_MAX_SURVIVORS_PER_K * k, 1024)
    heavy = np.empty(0, dtype=np.int64)
    if np.count_nonzero(survive) > r * cap // 4:  # many ties somewhere: find those rows
        heavy = np.flatnonzero(np.count_nonzero(survive, axis=1) > cap)
        survive[heavy] = False
    flat = np.flatnonzero(survive)
    del survive
    col_bits = (w - 1).bit_length()
    rows = flat // w
    # One unique uint64 per survivor, ordered by (row, key, column): a plain sort replaces a
    # three-key lexsort (5x faster).
    packed = (
        (rows.astype(np.uint64) << np.uint64(32 + col_bits))
        | (_ordered_bits(keys.reshape(-1)[flat]) << np.uint64(col_bits))
        | (flat - rows * w).astype(np.uint64)
    )
    packed.sort()
    del rows
    order_cols = (packed & np.uint64((1 << col_bits) - 1)).astype(np.int64)
    order_rows = (packed >> np.uint64(32 + col_bits)).astype(np.int64)
    del packed
    counts = np.bincount(order_rows, minlength=r)
    light = np.flatnonzero(counts)
    starts = np.cumsum(counts) - counts  # where each row's survivors start, sorted
    idx = np.empty((r, k), dtype=np.int64)
    idx[light] = order_cols[starts[light, None] + np.arange(k)]
    for row in heavy:
        idx[row] = _smallest_k_row(keys[row], k)
    return idx, np.take_along_axis(keys, idx, axis=1)


def _ordered_bits(values: np.ndarray) -> np.ndarray:
    """float32 values as uint64 whose integer order is the float order (-0.0 equal to 0.0)."""
    bits = (values + np.float32(0)).view(np.uint32)  # -0.0 + 0.0 == +0.0
    ordered = np.where(bits >= np.uint32(0x80000000), ~bits, bits | np.uint32(0x80000000))
    return ordered.astype(np.uint64)


def _smallest_k_row(row: np.ndarray, k: int) -> np.ndarray:
    """:func:`smallest_k` for one row in O(width): partition, then settle the ties at the k-th."""
    kth = np.partition(row, k - 1)[k - 1]
    below = np.flatnonzero(row < kth)
    tied = np.flatnonzero(row == kth)[: k - below.size]
    chosen = np.concatenate([below, tied])
    return chosen[np.lexsort((chosen, row[chosen]))]
