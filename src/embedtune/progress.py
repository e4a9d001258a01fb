"""Progress reporting that the library uses and the CLI renders.

The library never prints: long loops report through a :class:`Reporter`. The default one is
silent; the CLI passes a rich progress bar on stderr.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol, TypeVar

T = TypeVar("T")


class Task(Protocol):
    def advance(self, n: int = 1) -> None: ...


class Reporter(Protocol):
    def task(self, description: str, total: int | None = None) -> AbstractContextManager[Task]: ...


class _NullTask:
    def advance(self, n: int = 1) -> None:
        return None


class NullReporter:
    """Reports nothing (the library default)."""

    @contextmanager
    def task(self, description: str, total: int | None = None) -> Iterator[Task]:
        yield _NullTask()


def track(
    reporter: Reporter, items: Iterable[T], description: str, total: int | None = None
) -> Iterator[T]:
    """Iterate over ``items`` while advancing a task of ``reporter`` once per item."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with reporter.task(description, total) as task:
        for item in items:
            yield item
            task.advance()
