"""Read a vocabulary file's JSON into typed, frozen values, or say exactly where it is wrong.

`convert` follows a type annotation: JSON lists become tuples, objects become dataclasses or
dicts (keys converted too, so `"1"` can key a `dict[int, ...]`), and every value is checked
against its annotation. A mistake is reported with its path inside the file:

>>> from dataclasses import dataclass
>>> @dataclass(frozen=True)
... class Pair:
...     name: str
...     sizes: tuple[int, ...] = ()
>>> convert(Pair, {"name": "a", "sizes": [1, 2]})
Pair(name='a', sizes=(1, 2))
>>> convert(dict[str, Pair], {"x": {"name": "a", "sizes": [1, "2"]}})
Traceback (most recent call last):
...
embedtune.data.demo.schema.SchemaError: x.sizes[1]: expected int, got '2'
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any, Literal, Union

__all__ = ["SchemaError", "convert"]


class SchemaError(ValueError):
    """A value that does not match its annotation, at `path` ("roles.ds.skills[2]")."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path or 'top level'}: {problem}")
        self.path = path or "top level"
        self.problem = problem


def convert(annotation: Any, value: Any, path: str = "") -> Any:
    """`value` (parsed JSON) as `annotation` describes it; `SchemaError` if it does not fit."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if dataclasses.is_dataclass(annotation) and isinstance(annotation, type):
        return _dataclass(annotation, value, path)
    if origin is tuple:
        return _tuple(args, value, path)
    if origin in (dict, Mapping):
        return _mapping(args, value, path)
    if origin is Literal:
        if value not in args:
            _fail(path, f"one of {', '.join(map(repr, args))}", value)
        return value
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [arg for arg in args if arg is not type(None)]
        return convert(inner, value, path)
    return _scalar(annotation, value, path)


def _dataclass(cls: type, value: Any, path: str) -> Any:
    if not isinstance(value, dict):
        _fail(path, f"an object ({cls.__name__})", value)
    fields = {field.name: field for field in dataclasses.fields(cls)}
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise SchemaError(path, f"has unknown keys {unknown}; valid: {sorted(fields)}")
    hints = typing.get_type_hints(cls)
    kwargs = {}
    for name, field in fields.items():
        if name in value:
            kwargs[name] = convert(hints[name], value[name], _join(path, name))
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise SchemaError(path, f"lacks the key {name!r} ({cls.__name__})")
    try:
        return cls(**kwargs)
    except ValueError as error:  # the dataclass's own checks
        raise SchemaError(path, str(error)) from None


def _tuple(args: tuple[Any, ...], value: Any, path: str) -> tuple[Any, ...]:
    if not isinstance(value, list):
        _fail(path, "a list", value)
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(convert(args[0], item, f"{path}[{i}]") for i, item in enumerate(value))
    if len(value) != len(args):
        _fail(path, f"a list of {len(args)}", value)
    return tuple(
        convert(arg, item, f"{path}[{i}]")
        for i, (arg, item) in enumerate(zip(args, value, strict=True))
    )


def _mapping(args: tuple[Any, ...], value: Any, path: str) -> dict[Any, Any]:
    if not isinstance(value, dict):
        _fail(path, "an object", value)
    key_type, value_type = args
    result = {}
    for key, item in value.items():
        where = _join(path, key)
        if key_type is int:
            if not key.isdigit():
                _fail(where, "a whole-number key", key)
            result[int(key)] = convert(value_type, item, where)
        else:
            result[convert(key_type, key, where)] = convert(value_type, item, where)
    return result


def _scalar(annotation: Any, value: Any, path: str) -> Any:
    if annotation is float and isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if annotation in (str, int, bool) and type(value) is annotation:
        return value
    if annotation not in (str, int, float, bool):
        raise TypeError(f"{path}: convert does not handle {annotation!r}")
    _fail(path, annotation.__name__, value)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _fail(path: str, expected: str, value: Any) -> typing.NoReturn:
    shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
    raise SchemaError(path, f"expected {expected}, got {shown}")
