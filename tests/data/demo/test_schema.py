"""JSON to typed records: conversion, and errors that name the place in the file."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pytest

from embedtune.data.demo.schema import SchemaError, convert


@dataclass(frozen=True)
class Row:
    name: str
    sizes: tuple[int, ...] = ()
    span: tuple[int, int] = (0, 1)
    weight: float = 1.0
    label: str | None = None
    mode: Literal["a", "b"] = "a"

    def __post_init__(self) -> None:
        if self.span[0] > self.span[1]:
            raise ValueError(f"span {self.span} runs backwards")


def test_lists_become_tuples_and_defaults_fill_in() -> None:
    row = convert(Row, {"name": "x", "sizes": [1, 2], "span": [3, 4], "label": None})
    assert row == Row("x", (1, 2), (3, 4), 1.0, None, "a")
    assert isinstance(row.sizes, tuple)


def test_int_becomes_float_and_digit_keys_become_ints() -> None:
    row = convert(Row, {"name": "x", "weight": 2})
    assert row.weight == 2.0 and isinstance(row.weight, float)
    table = convert(Mapping[int, tuple[str, ...]], {"1": ["a"], "2": ["b", "c"]})
    assert table == {1: ("a",), 2: ("b", "c")}


@pytest.mark.parametrize(
    ("annotation", "value", "message"),
    [
        (
            dict[str, Row],
            {"k": {"name": "x", "sizes": [1, "2"]}},
            "k.sizes[1]: expected int, got '2'",
        ),
        (Row, {"name": True}, "name: expected str, got True"),
        (Row, {"name": "x", "sizes": [True]}, "sizes[0]: expected int, got True"),
        (Row, {"name": "x", "weight": "heavy"}, "weight: expected float, got 'heavy'"),
        (Row, {"name": "x", "span": [1]}, "span: expected a list of 2, got [1]"),
        (Row, {"name": "x", "sizes": 3}, "sizes: expected a list, got 3"),
        (Row, {"name": "x", "mode": "c"}, "mode: expected one of 'a', 'b', got 'c'"),
        (
            Row,
            {"name": "x", "colour": "red"},
            "top level: has unknown keys ['colour']; valid: ['label'",
        ),
        (Row, {"sizes": []}, "top level: lacks the key 'name' (Row)"),
        (dict[str, Row], {"k": {}}, "k: lacks the key 'name' (Row)"),
        (dict[str, Row], {"k": {"name": "x", "span": [2, 1]}}, "k: span (2, 1) runs backwards"),
        (dict[str, Row], ["x"], "top level: expected an object, got ['x']"),
        (dict[int, str], {"one": "a"}, "one: expected a whole-number key, got 'one'"),
        (Row, "x", "top level: expected an object (Row), got 'x'"),
    ],
)
def test_errors_name_the_path(annotation: Any, value: Any, message: str) -> None:
    with pytest.raises(SchemaError, match=re.escape(message)):
        convert(annotation, value)


def test_error_keeps_path_and_problem_apart() -> None:
    with pytest.raises(SchemaError) as excinfo:
        convert(dict[str, Row], {"k": {"name": 1}})
    assert (excinfo.value.path, excinfo.value.problem) == ("k.name", "expected str, got 1")


def test_long_values_are_cut_in_messages() -> None:
    with pytest.raises(SchemaError) as excinfo:
        convert(Row, {"name": ["word"] * 40})
    assert str(excinfo.value).endswith("...")
    assert len(str(excinfo.value)) < 100


def test_unsupported_annotation_is_a_programming_error() -> None:
    with pytest.raises(TypeError, match="does not handle"):
        convert(bytes, "x")
