"""A no-duplicates batch sampler whose batches hold rows of similar token length.

Padding to the longest text of a random batch wastes compute on a CPU; grouping rows of similar
length cuts the waste while the no-duplicates rule (no text twice in a batch, across columns, so
no in-batch negative is a copy of a positive) is kept exactly: batches are filled greedily under
that rule from a length-grouped random order.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from sentence_transformers.base.sampler import NoDuplicatesBatchSampler

if TYPE_CHECKING:
    from datasets import Dataset

__all__ = [
    "LengthGroupedNoDuplicatesBatchSampler",
    "greedy_batches",
    "grouped_order",
    "length_grouped_sampler",
]

WINDOW_BATCHES = 8  # batches per sorting window: small enough to keep batches varied


def grouped_order(
    lengths: np.ndarray, batch_size: int, rng: np.random.Generator, window: int = WINDOW_BATCHES
) -> np.ndarray:
    """A random order of ``range(len(lengths))``, sorted longest-first inside each window.

    Each window holds ``window * batch_size`` consecutive rows of a random permutation, so rows
    of similar length end up next to each other while which rows share a window stays random.

    >>> order = grouped_order(np.array([5, 1, 9, 3]), 2, np.random.default_rng(0), window=1)
    >>> sorted(order.tolist())
    [0, 1, 2, 3]
    """
    perm = rng.permutation(len(lengths))
    size = max(1, window * batch_size)
    chunks = [perm[i : i + size] for i in range(0, len(perm), size)]
    if not chunks:
        return perm
    return np.concatenate([c[np.argsort(-lengths[c], kind="stable")] for c in chunks])


def greedy_batches(
    order: list[int],
    batch_size: int,
    get_values: Callable[[int], Any],
    has_overlap: Callable[[Any, set[Any]], bool],
) -> Iterator[list[int]]:
    """Batches of ``order`` in which no two rows share a value; a conflicting row waits.

    >>> vals = {0: {"a"}, 1: {"a"}, 2: {"b"}, 3: {"c"}}
    >>> list(greedy_batches([0, 1, 2, 3], 2, vals.__getitem__, lambda v, s: not v.isdisjoint(s)))
    [[0, 2], [1, 3]]
    """
    pending = list(order)
    while pending:
        batch: list[int] = []
        seen: set[Any] = set()
        waiting: list[int] = []
        for pos, index in enumerate(pending):
            if len(batch) == batch_size:
                waiting.extend(pending[pos:])
                break
            values = get_values(index)
            if has_overlap(values, seen):
                waiting.append(index)
                continue
            batch.append(index)
            seen.update(values)
        yield batch
        pending = waiting


class LengthGroupedNoDuplicatesBatchSampler(NoDuplicatesBatchSampler):
    """NoDuplicatesBatchSampler with length-grouped batches, shuffled.

    Each pass orders the rows with :func:`grouped_order`, fills batches with
    :func:`greedy_batches`, then shuffles the batches. The parent's ``__iter__`` (seeding by
    epoch, extra passes to reach ``__len__``) and duplicate test are reused as they are.
    """

    def __init__(self, dataset: Dataset, *args: Any, lengths: np.ndarray, **kwargs: Any) -> None:
        super().__init__(dataset, *args, **kwargs)
        if len(lengths) != len(dataset):
            raise ValueError(f"{len(lengths)} lengths for {len(dataset)} rows")
        self.lengths = np.asarray(lengths)

    def _iter_one_pass(
        self,
        get_sample_values: Callable[[int], Any],
        has_overlap: Callable[[Any, set[Any]], bool],
    ) -> Iterator[list[int]]:
        seed = int(torch.randint(0, 2**31 - 1, (1,), generator=self.generator).item())
        rng = np.random.default_rng(seed)
        order = grouped_order(self.lengths, self.batch_size, rng).tolist()
        batches = list(greedy_batches(order, self.batch_size, get_sample_values, has_overlap))
        if self.drop_last:
            batches = [b for b in batches if len(b) == self.batch_size]
        for i in rng.permutation(len(batches)):
            yield batches[int(i)]


def length_grouped_sampler(lengths: np.ndarray) -> Callable[..., NoDuplicatesBatchSampler]:
    """A ``batch_sampler`` factory for SentenceTransformerTrainingArguments.

    A ``partial`` rather than a closure: the trainer pickles its arguments into checkpoints.
    """
    return functools.partial(LengthGroupedNoDuplicatesBatchSampler, lengths=np.asarray(lengths))
