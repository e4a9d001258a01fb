from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from embedtune.data.config import PrepareConfig
from embedtune.errors import EmbedtuneError


def test_defaults_are_the_tutorials() -> None:
    c = PrepareConfig(source="demo", out="x")  # type: ignore[arg-type]
    assert c.out == Path("x")
    assert c.split == (0.8, 0.1, 0.1)
    assert c.model == "all-MiniLM-L6-v2"
    assert c.to_dict()["out"] == "x"


def test_keep_titles_are_trimmed() -> None:
    c = PrepareConfig(
        source="demo", out=Path("x"), keep_titles=(" data scientist ", "", "ai engineer")
    )
    assert c.keep_titles == ("data scientist", "ai engineer")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("source", " ", "empty source"),
        ("max_tokens", 4, "--max-tokens 4 is too small"),
        ("near_dup_threshold", 0.3, "invalid thresholds"),
        ("group_threshold", 0.0, "invalid thresholds"),
        ("split", (0.7, 0.2, 0.2), "invalid split fractions"),
        ("demo_size", 3, "--demo-size 3 is too small"),
        ("push_to_hub", "just-a-name", "is not a repository id"),
    ],
)
def test_each_check(field: str, value: Any, message: str) -> None:
    kwargs: dict[str, Any] = {"source": "demo", "out": Path("x"), field: value}
    with pytest.raises(EmbedtuneError, match=message):
        PrepareConfig(**kwargs)


def test_from_flags_parses_split_and_titles_and_keeps_defaults_for_unset() -> None:
    c = PrepareConfig.from_flags(
        "demo", Path("x"), split="80/10/10", keep_titles=" nurse, ,chef ", seed=None, model=None
    )
    assert c.split == (0.8, 0.1, 0.1)
    assert c.keep_titles == ("nurse", "chef")
    assert (c.seed, c.model) == (42, "all-MiniLM-L6-v2")


@pytest.mark.parametrize(
    ("split", "message"), [("a,b,c", "not a list of numbers"), ("0.5,0.5", "three parts")]
)
def test_from_flags_bad_split(split: str, message: str) -> None:
    with pytest.raises(EmbedtuneError, match=message):
        PrepareConfig.from_flags("demo", Path("x"), split=split, keep_titles=None)
