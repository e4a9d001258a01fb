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


@pytest.mark.parametrize(
    ("source", "llm_model", "llm_base_url", "expected"),
    [
        (None, None, None, ("offline", "gpt-4o-mini")),
        (None, "llama3", None, ("openai", "llama3")),
        (None, None, "http://localhost:11434/v1", ("openai", "gpt-4o-mini")),
        ("offline", "llama3", None, ("offline", "llama3")),
    ],
)
def test_from_flags_resolves_source_and_model(
    source: str | None, llm_model: str | None, llm_base_url: str | None, expected: tuple[str, str]
) -> None:
    c = QueryConfig.from_flags(
        source, llm_model=llm_model, llm_base_url=llm_base_url, round_trip_k=None
    )
    assert (c.source, c.llm_model) == expected
    assert c.round_trip_k is None and c.llm_base_url == llm_base_url
