"""How the CLI shows progress and results: rich on stderr for people, JSON on stdout for scripts."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from embedtune.progress import Task

stderr = Console(stderr=True, highlight=False)
stdout = Console(highlight=False)


class _RichTask:
    def __init__(self, progress: Progress, task_id: Any) -> None:
        self._progress, self._id = progress, task_id

    def advance(self, n: int = 1) -> None:
        self._progress.advance(self._id, n)


class RichReporter:
    """A progress bar per task on stderr; tasks without a total show a spinner and elapsed time."""

    def __init__(self, console: Console = stderr, *, enabled: bool = True) -> None:
        self.console = console
        self.enabled = enabled and console.is_terminal

    @contextmanager
    def task(self, description: str, total: int | None = None) -> Iterator[Task]:
        columns = [SpinnerColumn(), TextColumn("{task.description}")]
        if total is not None:
            columns += [BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
        columns.append(TimeElapsedColumn())
        with Progress(
            *columns, console=self.console, transient=True, disable=not self.enabled
        ) as p:
            task_id = p.add_task(description, total=total)
            yield _RichTask(p, task_id)
        if self.enabled:
            self.console.print(f"[green]✓[/] {description}")


def emit_json(data: Any) -> None:
    """One JSON object on stdout (for scripts), nothing else."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")


def table(title: str, rows: list[tuple[str, Any]], header: tuple[str, str] = ("", "")) -> Table:
    t = Table(title=title, title_justify="left", show_header=any(header))
    t.add_column(header[0])
    t.add_column(header[1], justify="right")
    for key, value in rows:
        t.add_row(key, str(value))
    return t
