from __future__ import annotations

from collections import Counter

import pytest

from embedtune.data.split import check_fractions, grouped_split
from embedtune.errors import EmbedtuneError


def _groups(n: int) -> list[int]:
    # A mix of singletons and groups of 2-5 similar postings.
    groups, g = [], 0
    while len(groups) < n:
        size = 1 + (g % 5 if g % 3 == 0 else 0)
        groups.extend([g] * size)
        g += 1
    return groups[:n]


def test_no_group_in_two_splits() -> None:
    groups = _groups(1000)
    splits = grouped_split(groups, seed=3)
    where: dict[int, set[str]] = {}
    for g, s in zip(groups, splits, strict=True):
        where.setdefault(g, set()).add(s)
    assert all(len(s) == 1 for s in where.values())


def test_proportions_are_close_to_80_10_10() -> None:
    counts = Counter(grouped_split(_groups(1000), seed=3))
    assert abs(counts["train"] - 800) <= 5
    assert abs(counts["validation"] - 100) <= 5
    assert abs(counts["test"] - 100) <= 5


def test_same_seed_same_split_other_seed_other_split() -> None:
    groups = _groups(300)
    assert grouped_split(groups, seed=1) == grouped_split(groups, seed=1)
    assert grouped_split(groups, seed=1) != grouped_split(groups, seed=2)


def test_custom_fractions_and_empty_test() -> None:
    counts = Counter(grouped_split(list(range(100)), (0.9, 0.1, 0.0), seed=0))
    assert counts == {"train": 90, "validation": 10}


def test_tiny_corpus_fills_every_split() -> None:
    assert sorted(grouped_split([0, 1, 2], seed=0)) == ["test", "train", "validation"]


def test_too_small_to_split() -> None:
    with pytest.raises(EmbedtuneError, match="too few postings to split"):
        grouped_split([0, 1], seed=0)
    with pytest.raises(EmbedtuneError, match="too few postings to split: 5 rows in 1 groups"):
        grouped_split([7] * 5, seed=0)


@pytest.mark.parametrize("bad", [(0.8, 0.1), (0.5, 0.5, 0.5), (1.1, -0.1, 0.0), (0.0, 0.5, 0.5)])
def test_bad_fractions(bad: tuple[float, ...]) -> None:
    with pytest.raises(EmbedtuneError):
        check_fractions(bad)
