from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from embedtune.errors import EmbedtuneError
from embedtune.queries.config import QueryConfig, parse_query_source


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("offline", ("offline", None)),
        ("openai-batch", ("openai-batch", None)),
        ("column: q ", ("column", "q")),
    ],
)
def test_parse_query_source(value: str, expected: tuple[str, str | None]) -> None:
    assert parse_query_source(value) == expected


@pytest.mark.parametrize("value", ["llm", "column:", "offline:x"])
def test_bad_query_source(value: str) -> None:
    with pytest.raises(EmbedtuneError, match="--queries"):
        parse_query_source(value)


def test_config_properties_and_dict() -> None:
    c = QueryConfig(source="column:query", round_trip_k=10)
    assert (c.method, c.column) == ("column", "query")
    assert c.to_dict()["prompt_template"] is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"per_posting": 0}, "out of range"),
        ({"per_posting": 11}, "out of range"),
        ({"round_trip_k": 0}, "must be at least 1"),
        ({"prompt_template": Path("/nonexistent/prompt.txt")}, "is not a file"),
        ({"prices": Path("/nonexistent/prices.json")}, "is not a file"),
        ({"source": "gpt"}, "invalid --queries"),
    ],
)
def test_each_check(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(EmbedtuneError, match=message):
        QueryConfig(**kwargs)
