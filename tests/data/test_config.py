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
