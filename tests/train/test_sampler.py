from __future__ import annotations

import numpy as np
import pytest
import torch
from datasets import Dataset

from embedtune.train.sampler import (
    LengthGroupedNoDuplicatesBatchSampler,
    greedy_batches,
    grouped_order,
    length_grouped_sampler,
)


def _dataset(n: int = 120) -> tuple[Dataset, np.ndarray]:
    """Triplets whose positives repeat (several queries per posting) and whose negatives are
    other rows' positives: exactly the duplicates the no-duplicates rule must keep apart."""
    rng = np.random.default_rng(0)
    docs = [f"posting {k} " + "word " * int(rng.integers(5, 200)) for k in range(n // 2)]
    lengths_by_doc = [len(d.split()) for d in docs]
    pos = [i % len(docs) for i in range(n)]
    neg = [(i * 7 + 3) % len(docs) for i in range(n)]
    data = Dataset.from_dict(
        {
            "anchor": [f"query {i}" for i in range(n)],
            "positive": [docs[p] for p in pos],
            "negative": [docs[q] for q in neg],
        }
    )
    lengths = np.array(
        [max(lengths_by_doc[p], lengths_by_doc[q]) for p, q in zip(pos, neg, strict=True)]
    )
    return data, lengths


def _batches(sampler: object, epoch: int = 0) -> list[list[int]]:
    sampler.set_epoch(epoch)  # type: ignore[attr-defined]
    return [list(b) for b in sampler]  # type: ignore[attr-defined]


def _make(
    data: Dataset, lengths: np.ndarray, seed: int = 1
) -> LengthGroupedNoDuplicatesBatchSampler:
    return LengthGroupedNoDuplicatesBatchSampler(
        data,
        batch_size=8,
        drop_last=False,
        generator=torch.Generator(),
        seed=seed,
        lengths=lengths,
    )


def test_no_text_twice_in_a_batch() -> None:
    data, lengths = _dataset()
    for batch in _batches(_make(data, lengths)):
        texts = [
            t for i in batch for t in (data[i]["anchor"], data[i]["positive"], data[i]["negative"])
        ]
        assert len(texts) == len(set(texts))


def test_every_row_once_per_epoch_and_reproducible() -> None:
    data, lengths = _dataset()
    first = _batches(_make(data, lengths))
    seen = [i for b in first[: len(_make(data, lengths))] for i in b]
    assert len(seen) == len(set(seen))  # no row twice within the advertised length
    assert _batches(_make(data, lengths)) == first
    assert _batches(_make(data, lengths), epoch=1) != first


def test_batches_are_more_even_in_length_than_random() -> None:
    data, lengths = _dataset(400)
    grouped = _batches(_make(data, lengths))

    def padding(batches: list[list[int]]) -> float:
        return float(sum(lengths[b].max() * len(b) - lengths[b].sum() for b in batches))

    rng = np.random.default_rng(0)
    perm = rng.permutation(len(lengths))
    random_batches = [perm[i : i + 8].tolist() for i in range(0, len(perm), 8)]
    assert padding(grouped) < 0.6 * padding(random_batches)  # measured: ~0.5


def test_grouped_order_sorts_inside_windows() -> None:
    lengths = np.arange(40)
    order = grouped_order(lengths, batch_size=4, rng=np.random.default_rng(3), window=2)
    assert sorted(order.tolist()) == list(range(40))
    for start in range(0, 40, 8):
        window = lengths[order[start : start + 8]]
        assert (np.diff(window) <= 0).all()


def test_greedy_batches_defers_conflicts() -> None:
    values = {0: {"a"}, 1: {"a"}, 2: {"a"}, 3: {"b"}}
    batches = list(
        greedy_batches([0, 1, 2, 3], 2, values.__getitem__, lambda v, s: not v.isdisjoint(s))
    )
    assert batches == [[0, 3], [1], [2]]


def test_factory_pickles_and_checks_lengths() -> None:
    import pickle

    data, lengths = _dataset(16)
    factory = pickle.loads(pickle.dumps(length_grouped_sampler(lengths)))
    sampler = factory(data, batch_size=4, drop_last=True, generator=torch.Generator(), seed=0)
    assert all(len(b) == 4 for b in sampler)
    with pytest.raises(ValueError, match="3 lengths for 16 rows"):
        LengthGroupedNoDuplicatesBatchSampler(
            data, batch_size=4, drop_last=False, lengths=np.ones(3)
        )
