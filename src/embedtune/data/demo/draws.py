"""Small helpers: seeded picks, and the grammar that joins picked words into text."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import TypeVar

from embedtune.data.demo.vocab import skill_aliases

__all__ = [
    "capfirst",
    "join_and",
    "lower_first",
    "pick",
    "skill_surface",
    "weighted",
    "with_article",
]

_K = TypeVar("_K")
_T = TypeVar("_T")


def weighted(rng: random.Random, weights: Mapping[_K, float]) -> _K:
    """One key of `weights`, drawn with its weight."""
    keys = list(weights)
    return rng.choices(keys, weights=[weights[key] for key in keys])[0]


def pick(rng: random.Random, options: Sequence[_T]) -> _T:
    """One of `options`, uniformly."""
    return options[rng.randrange(len(options))]


def skill_surface(rng: random.Random, skill: str, canonical_p: float = 0.6) -> str:
    """The skill as a posting or a query writes it: its canonical name or one of its aliases."""
    aliases = skill_aliases()[skill]
    if not aliases or rng.random() < canonical_p:
        return skill
    return pick(rng, aliases)


def capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


def lower_first(text: str) -> str:
    """Lower-case the first letter, unless the text starts with an acronym or a number.

    >>> lower_first("Unlimited PTO"), lower_first("401(k) match"), lower_first("HSA options")
    ('unlimited PTO', '401(k) match', 'HSA options')
    """
    if text[:2].isupper():  # acronyms and numbers-first items stay as they are
        return text
    return text[:1].lower() + text[1:]


def with_article(noun: str) -> str:
    """'a' or 'an' by how the first word sounds; acronyms are spelled out.

    >>> with_article("NLP Engineer"), with_article("BI Analyst"), with_article("Sr. Data Analyst")
    ('an NLP Engineer', 'a BI Analyst', 'a Sr. Data Analyst')
    """
    word = noun.split()[0]
    acronym = word[:2].isupper()
    vowel_sound = word[0] in "AEFHILMNORSX" if acronym else word[0].lower() in "aeiou"
    return f"{'an' if vowel_sound else 'a'} {noun}"


def join_and(items: Sequence[str]) -> str:
    """Join with commas and a final "and".

    >>> join_and(["a", "b", "c"])
    'a, b, and c'
    """
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]
