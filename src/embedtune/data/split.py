"""Seeded train/validation/test split that never separates a group of similar postings."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Literal

import numpy as np

from embedtune.errors import EmbedtuneError

SplitName = Literal["train", "validation", "test"]
SPLIT_NAMES: tuple[SplitName, ...] = ("train", "validation", "test")


def check_fractions(fractions: Sequence[float]) -> tuple[float, float, float]:
    """Validate (train, validation, test) fractions: three non-negative numbers summing to 1."""
    if len(fractions) != 3 or any(f < 0 for f in fractions) or abs(sum(fractions) - 1) > 1e-6:
        raise EmbedtuneError(
            f"invalid split fractions {tuple(fractions)}",
            fix="give three non-negative fractions that sum to 1, e.g. --split 0.8,0.1,0.1",
        )
    if fractions[0] == 0:
        raise EmbedtuneError("the train fraction is 0", fix="give train a positive share")
    return (float(fractions[0]), float(fractions[1]), float(fractions[2]))


def parse_fractions(value: str) -> tuple[float, float, float]:
    """A ``--split`` value as checked (train, validation, test) fractions; percentages allowed.

    >>> parse_fractions("0.8,0.1,0.1")
    (0.8, 0.1, 0.1)
    >>> parse_fractions("80/10/10")
    (0.8, 0.1, 0.1)
    """
    parts = [p for p in value.replace("/", ",").split(",") if p.strip()]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise EmbedtuneError(
            f"--split {value!r} is not a list of numbers", fix="use e.g. --split 0.8,0.1,0.1"
        ) from None
    if len(numbers) != 3:
        raise EmbedtuneError(
            f"--split {value!r} needs three parts (train, validation, test)",
            fix="use e.g. --split 0.8,0.1,0.1 or 80/10/10",
        )
    if sum(numbers) > 1.5:  # percentages
        numbers = [n / 100 for n in numbers]
    return check_fractions(numbers)


def grouped_split(
    groups: Sequence[int], fractions: Sequence[float] = (0.8, 0.1, 0.1), *, seed: int = 42
) -> list[SplitName]:
    """Assign each row to a split; rows sharing a group id always land in the same split.

    Groups are shuffled with ``seed`` and each goes to the split furthest below its target
    size, so proportions come out as close as the group sizes allow.

    >>> grouped_split([0, 0, 1, 2, 3, 4, 5, 6, 7, 8], seed=0).count("train")
    8
    """
    fractions = check_fractions(fractions)
    n = len(groups)
    sizes = Counter(groups)
    needed = [f > 0 for f in fractions]
    if n < sum(needed) or len(sizes) < sum(needed):
        raise EmbedtuneError(
            f"too few postings to split: {n} rows in {len(sizes)} groups of similar postings "
            f"for {sum(needed)} non-empty splits",
            fix="add postings (at least ~30 distinct ones), or change --split",
        )
    order = sorted(sizes)
    rng = np.random.default_rng(seed)
    rng.shuffle(order)
    targets = np.array(fractions) * n
    counts = np.zeros(3)
    assigned: dict[int, SplitName] = {}
    # Place the largest groups first so that small ones can even out the proportions.
    for group in sorted(order, key=lambda g: -sizes[g]):
        deficit = np.where(
            np.array(needed), (targets - counts) / np.maximum(targets, 1e-9), -np.inf
        )
        # A split that is still empty comes first, so none ends up empty.
        empty = [k for k in range(3) if needed[k] and counts[k] == 0]
        k = (
            empty[0]
            if empty and len(assigned) >= len(order) - len(empty)
            else int(np.argmax(deficit))
        )
        assigned[group] = SPLIT_NAMES[k]
        counts[k] += sizes[group]
    result = [assigned[g] for g in groups]
    missing = [SPLIT_NAMES[k] for k in range(3) if needed[k] and SPLIT_NAMES[k] not in result]
    if missing:
        raise EmbedtuneError(
            f"too few postings to split: the {', '.join(missing)} split would be empty",
            fix="add postings, or change --split",
        )
    return result
