"""How the CLI shows progress and results: rich on stderr for people, JSON on stdout for scripts."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Callable, Iterator
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

from embedtune.errors import EmbedtuneError
from embedtune.progress import NullReporter, Task

stderr = Console(stderr=True, highlight=False)
stdout = Console(highlight=False)


PROGRESS_INTERVAL = 30.0  # seconds between two progress lines when stderr is not a terminal
INTERVAL_ENV = "EMBEDTUNE_PROGRESS_INTERVAL"


class _RichTask:
    def __init__(self, progress: Progress, task_id: Any) -> None:
        self._progress, self._id = progress, task_id

    def advance(self, n: int = 1) -> None:
        self._progress.advance(self._id, n)


class _LineTask:
    """Progress as plain lines, at most one per ``interval`` seconds: for logs, not terminals.

    A task shorter than ``interval`` prints nothing, so quick steps (and an error raised
    early) do not clutter a log; a longer one prints its status every ``interval`` seconds
    and a ✓ line when it ends. The ETA is measured from the first advance on, so a resumed
    run that restores its step count at once (and the first, slowest step) does not skew it.
    """

    def __init__(
        self,
        console: Console,
        description: str,
        total: int | None,
        interval: float,
        clock: Callable[[], float],
    ) -> None:
        self.console, self.description, self.total = console, description, total
        self.interval, self.clock = interval, clock
        self.done = 0
        self.started = self.last_line = clock()
        self.printed = False
        self._base: tuple[float, int] | None = None  # (time, done) at the first advance

    def advance(self, n: int = 1) -> None:
        now = self.clock()
        self.done += n
        if self._base is None:
            self._base = (now, self.done)
        if now - self.last_line >= self.interval:
            self.last_line = now
            self._line(f"{self.description}: {self._status(now)}")

    def finish(self) -> None:
        elapsed = self.clock() - self.started
        if self.printed or elapsed >= self.interval:
            count = f": {self._count()}" if self.total is not None or self.done else ""
            self._line(f"✓ {self.description}{count} in {duration(elapsed)}")

    def _count(self) -> str:
        return f"{self.done}/{self.total}" if self.total is not None else f"{self.done} done"

    def _status(self, now: float) -> str:
        text = self._count()
        if self.total:
            text += f" ({100 * self.done / self.total:.0f}%)"
        text += f", {duration(now - self.started)} elapsed"
        if self.total is not None and self._base is not None:
            since, base = now - self._base[0], self.done - self._base[1]
            if base > 0 and since > 0:
                remaining = max(self.total - self.done, 0) * since / base
                text += f", ETA {duration(remaining)}"
        return text

    def _line(self, line: str) -> None:
        self.printed = True
        self.console.print(line, markup=False, highlight=False, soft_wrap=True)


class RichReporter:
    """Progress of each task on stderr: a rich bar on a terminal, plain lines otherwise.

    On a terminal, a task shows a bar (a spinner and the elapsed time when it has no total).
    When stderr is redirected to a log, where a bar would print nothing, a task that runs
    longer than ``interval`` seconds prints a line every ``interval`` seconds while it advances
    (step, share, elapsed, ETA) and one when it ends. ``interval`` defaults to
    ``$EMBEDTUNE_PROGRESS_INTERVAL``, else 30. ``enabled=False`` prints nothing; ``clock`` is
    for tests.
    """

    def __init__(
        self,
        console: Console = stderr,
        *,
        enabled: bool = True,
        interval: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if interval is None:
            interval = _env_interval()
        if not interval >= 0:
            raise ValueError(f"progress interval {interval} must be 0 or more seconds")
        self.console = console
        self.enabled = enabled
        self.interval = interval
        self.clock = clock

    @contextmanager
    def task(self, description: str, total: int | None = None) -> Iterator[Task]:
        if not self.enabled:
            with NullReporter().task(description, total) as task:
                yield task
        elif self.console.is_terminal:
            with self._bar(description, total) as task:
                yield task
            self.console.print(f"[green]✓[/] {description}")
        else:
            line_task = _LineTask(self.console, description, total, self.interval, self.clock)
            yield line_task
            line_task.finish()

    @contextmanager
    def _bar(self, description: str, total: int | None) -> Iterator[Task]:
        columns = [SpinnerColumn(), TextColumn("{task.description}")]
        if total is not None:
            columns += [BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()]
        columns.append(TimeElapsedColumn())
        with Progress(*columns, console=self.console, transient=True) as p:
            task_id = p.add_task(description, total=total)
            yield _RichTask(p, task_id)


def _env_interval() -> float:
    raw = os.environ.get(INTERVAL_ENV)
    if raw is None or not raw.strip():
        return PROGRESS_INTERVAL
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:  # also NaN
        raise EmbedtuneError(
            f"{INTERVAL_ENV}={raw!r} is not a number of seconds",
            fix=f"set it to 0 or more (seconds between progress lines), or unset it for "
            f"{PROGRESS_INTERVAL:.0f}",
        )
    return value


def duration(seconds: float) -> str:
    """A short human duration.

    >>> duration(42.4), duration(75), duration(3 * 3600 + 125)
    ('42s', '1m15s', '3h02m')
    """
    s = max(0, round(seconds))
    if s < 60:
        return f"{s}s"
    m, s = divmod(s, 60)
    if m < 60:
        return f"{m}m{s:02d}s"
    h, m = divmod(m, 60)
    return f"{h}h{m:02d}m"


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
