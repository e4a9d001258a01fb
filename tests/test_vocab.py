"""Tests for embedtune._vocab: reading and checking a vocabulary file."""

from __future__ import annotations

import doctest

import pytest

from embedtune import _vocab
from embedtune._vocab import VocabularyFile
from embedtune.errors import EmbedtuneError


def test_docstring_examples_hold() -> None:
    results = doctest.testmod(_vocab, optionflags=doctest.ELLIPSIS)
    assert results.failed == 0 and results.attempted >= 3


def test_readers_keep_file_order_and_repeats_where_they_are_weights() -> None:
    file = VocabularyFile.from_text(
        "v.json",
        '{"spell": ["sr", "senior", "sr"], "by": {"a": ["x", "y"]}, "map": {"k8s": "kubernetes"},'
        ' "groups": {"langs": ["python"], "tools": ["dbt", "git"]}}',
    )
    assert file.strings("spell") == ("sr", "senior", "sr")
    assert file.table("by") == {"a": ("x", "y")}
    assert file.mapping("map") == {"k8s": "kubernetes"}
    assert file.word_set("groups") == {"python", "dbt", "git"}
    assert file.get("groups.tools") == ["dbt", "git"]


@pytest.mark.parametrize(
    ("text", "read", "message"),
    [
        ("[1, 2]", None, "holds list, not a JSON object"),
        ('{"a": ', None, "is not valid JSON"),
        ('{"a": ["x", "x"]}', "word_set", "'a' lists 'x' twice"),
        ('{"a": {"g": ["x"], "h": ["x"]}}', "word_set", "'a' lists 'x' twice"),
        ('{"a": ["x", " y"]}', "strings", "'a' holds ' y', not a non-empty trimmed string"),
        ('{"a": []}', "strings", "'a' must be a non-empty list"),
        ('{"a": {"k": 3}}', "mapping", "'a.k' is 3, not a non-empty string"),
        ('{"a": {"k": "v"}}', "table", "'a.k' must be a non-empty list"),
        ('{"b": []}', "strings", "'a' is missing"),
    ],
)
def test_a_malformed_file_fails_naming_file_and_key(
    text: str, read: str | None, message: str
) -> None:
    with pytest.raises(EmbedtuneError) as exc:
        file = VocabularyFile.from_text("pkg/words.json", text)
        getattr(file, read)("a") if read else None
    assert str(exc.value).startswith("vocabulary file pkg/words.json")
    assert message in str(exc.value)
    assert exc.value.fix is not None


def test_a_bad_regex_names_its_entry() -> None:
    file = VocabularyFile("pkg/cues.json", {})
    with pytest.raises(EmbedtuneError, match=r"'rules\.eeo' holds a bad regex '\(eeo'"):
        file.pattern("rules.eeo", "(eeo")


def test_a_missing_file_names_it() -> None:
    with pytest.raises(
        EmbedtuneError, match=r"vocabulary file embedtune/queries/nope\.json cannot"
    ):
        VocabularyFile.load("embedtune.queries", "nope.json")
