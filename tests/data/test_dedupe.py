from __future__ import annotations

import numpy as np
import pytest

from embedtune.data.dedupe import (
    find_duplicates,
    minhash_signatures,
    normalize_for_hash,
    shingles,
    similar_pairs,
)
from embedtune.errors import EmbedtuneError

BASE = (
    "We are hiring a machine learning engineer to build ranking models for our marketplace. "
    "You will train gradient boosted trees and deep models in PyTorch, ship them behind APIs, "
    "own offline evaluation and online A/B tests, and mentor two junior engineers. "
    "Requirements: five years of Python, SQL and Spark; experience with Kubernetes and feature "
    "stores; a degree in computer science or statistics. Nice to have: LLM fine-tuning."
)
OTHER = (
    "The analytics team needs a BI analyst to own our Tableau dashboards and weekly revenue "
    "reporting. You will write SQL against Snowflake, define metrics with finance, and present "
    "findings to leadership. Requirements: two years of analytics experience, Excel, Looker or "
    "Tableau, and a knack for clear charts."
)


def test_normalize_ignores_case_space_and_punctuation() -> None:
    assert normalize_for_hash("Data  Scientist!\nPython,SQL") == normalize_for_hash(
        "data scientist python sql"
    )


def test_shingles_of_short_text_is_the_whole_text() -> None:
    assert shingles("one two", size=5) == {"one two"}
    assert shingles("", size=5) == set()
    assert len(shingles("a b c d e f g", size=5)) == 3


def test_minhash_estimates_jaccard() -> None:
    words = [f"w{i}" for i in range(400)]
    a = " ".join(words[:300])
    b = " ".join(words[100:400])  # word 5-shingles: 196 shared of 396 -> 0.495
    sa, sb = shingles(a), shingles(b)
    true = len(sa & sb) / len(sa | sb)
    sig = minhash_signatures([a, b], num_perm=256)
    assert abs(float((sig[0] == sig[1]).mean()) - true) < 0.08


def test_similar_pairs_finds_only_similar() -> None:
    repost = BASE.replace("two junior engineers", "three junior engineers")
    sig = minhash_signatures([BASE, OTHER, repost])
    pairs = similar_pairs(sig, 0.5)
    assert [(i, j) for i, j, _ in pairs] == [(0, 2)]
    assert pairs[0][2] > 0.8


def test_exact_duplicates_keep_first_and_point_to_it() -> None:
    r = find_duplicates([BASE, OTHER, BASE.upper(), "  " + OTHER + "  "])
    assert r.keep == [0, 1]
    assert [(d.index, d.duplicate_of, d.reason) for d in r.duplicates] == [
        (2, 0, "exact"),
        (3, 1, "exact"),
    ]


def test_repost_with_small_edits_collapses() -> None:
    repost = BASE.replace("mentor two junior engineers", "mentor junior engineers").replace(
        "Nice to have: LLM fine-tuning.", "Nice to have: LLM fine-tuning and RAG."
    )
    r = find_duplicates([BASE, OTHER, repost], titles=["ML Engineer", "BI Analyst", "ML Engineer"])
    assert r.keep == [0, 1]
    assert r.duplicates[0].index == 2 and r.duplicates[0].duplicate_of == 0
    assert r.duplicates[0].reason == "near" and r.duplicates[0].similarity >= 0.8


def test_same_text_under_a_different_title_is_another_job_but_same_group() -> None:
    r = find_duplicates(
        [BASE, OTHER, BASE], titles=["Scientist, Hematology", "BI Analyst", "Scientist, Chemistry"]
    )
    assert r.keep == [0, 1, 2]
    assert r.groups[0] == r.groups[2] != r.groups[1]


def test_abbreviated_title_is_the_same_title() -> None:
    r = find_duplicates(
        [BASE, BASE], titles=["Sr. ML Engineer", "senior machine learning engineer"]
    )
    assert r.keep == [0]


def test_moderately_similar_postings_are_grouped_not_dropped() -> None:
    half = BASE[: len(BASE) // 2] + " " + OTHER[len(OTHER) // 2 :]
    r = find_duplicates(
        [BASE, half, OTHER], titles=["a", "a", "b"], threshold=0.95, group_threshold=0.3
    )
    assert r.keep == [0, 1, 2]
    assert r.groups[0] == r.groups[1]


def test_near_off_keeps_near_duplicates() -> None:
    repost = BASE.replace("two", "three")
    assert find_duplicates([BASE, repost], near=False).keep == [0, 1]


def test_empty_texts_never_match_each_other() -> None:
    r = find_duplicates(["", "x y z", " "], titles=["a", "b", "c"])
    assert r.keep == [0, 1, 2]  # different titles: not exact repeats
    assert len(set(r.groups)) == 3  # and an empty signature is similar to nothing
    r = find_duplicates(["", "x y z", " "])
    assert [(d.index, d.duplicate_of) for d in r.duplicates] == [(2, 0)]


@pytest.mark.parametrize(("threshold", "group"), [(0.5, 0.8), (1.2, 0.5), (0.8, 0.0)])
def test_invalid_thresholds(threshold: float, group: float) -> None:
    with pytest.raises(EmbedtuneError, match="invalid thresholds"):
        find_duplicates(["a"], threshold=threshold, group_threshold=group)


def test_titles_must_align() -> None:
    with pytest.raises(EmbedtuneError, match="1 titles for 2 texts"):
        find_duplicates(["a", "b"], titles=["x"])


def test_signatures_are_deterministic() -> None:
    a = minhash_signatures([BASE, OTHER])
    b = minhash_signatures([BASE, OTHER])
    assert np.array_equal(a, b)
