"""The CLI's progress reporter: a rich bar on a terminal, plain progress lines in a log."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from embedtune.cli.reporting import RichReporter, duration
from embedtune.errors import EmbedtuneError
from embedtune.progress import track


class Clock:
    """A clock the test moves by hand (no sleeping, no wall time)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _log() -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=40, highlight=False), buffer  # not a terminal


def test_a_log_gets_a_line_per_interval_with_the_step_and_eta() -> None:
    console, buffer = _log()
    clock = Clock()
    reporter = RichReporter(console, interval=30, clock=clock)
    with reporter.task("Training", total=10) as task:
        for _ in range(10):
            clock.now += 10  # a step takes 10 s
            task.advance()
    assert buffer.getvalue().splitlines() == [
        "Training: 3/10 (30%), 30s elapsed, ETA 1m10s",
        "Training: 6/10 (60%), 1m00s elapsed, ETA 40s",
        "Training: 9/10 (90%), 1m30s elapsed, ETA 10s",
        "✓ Training: 10/10 in 1m40s",
    ]  # long lines are not wrapped at the console's width of 40


def test_interval_zero_reports_every_advance_and_eta_skips_a_resumed_jump() -> None:
    console, buffer = _log()
    clock = Clock()
    reporter = RichReporter(console, interval=0, clock=clock)
    with reporter.task("Training", total=8) as task:
        task.advance(4)  # a resumed run restores its step at once: not a measure of speed
        for _ in range(4):
            clock.now += 5
            task.advance()
    assert buffer.getvalue().splitlines() == [
        "Training: 4/8 (50%), 0s elapsed",
        "Training: 5/8 (62%), 5s elapsed, ETA 15s",
        "Training: 6/8 (75%), 10s elapsed, ETA 10s",
        "Training: 7/8 (88%), 15s elapsed, ETA 5s",
        "Training: 8/8 (100%), 20s elapsed, ETA 0s",
        "✓ Training: 8/8 in 20s",
    ]


def test_a_task_without_total_counts_and_track_reports_through_it() -> None:
    console, buffer = _log()
    clock = Clock()
    reporter = RichReporter(console, interval=0, clock=clock)
    for _ in track(reporter, iter(range(2)), "Encoding"):
        clock.now += 75
    assert buffer.getvalue().splitlines() == [
        "Encoding: 1 done, 1m15s elapsed",
        "Encoding: 2 done, 2m30s elapsed",
        "✓ Encoding: 2 done in 2m30s",
    ]


def test_a_failed_task_is_not_ticked() -> None:
    console, buffer = _log()
    with pytest.raises(RuntimeError), RichReporter(console, interval=0).task("Indexing", 3) as t:
        t.advance()
        raise RuntimeError
    assert "✓" not in buffer.getvalue() and "Indexing: 1/3" in buffer.getvalue()


def test_a_task_shorter_than_the_interval_prints_nothing() -> None:
    """Quick steps stay out of the log, and an early error stays the only line."""
    console, buffer = _log()
    clock = Clock()
    reporter = RichReporter(console, interval=30, clock=clock)
    with reporter.task("Loading", total=3) as task:
        clock.now += 29
        task.advance(3)
    with pytest.raises(RuntimeError), reporter.task("Indexing", total=3):
        raise RuntimeError
    assert buffer.getvalue() == ""
    with reporter.task("Scoring the base model"):  # no total, no advance, but slow
        clock.now += 45
    assert buffer.getvalue() == "✓ Scoring the base model in 45s\n"


def test_the_interval_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("EMBEDTUNE_PROGRESS_INTERVAL", raising=False)
    assert RichReporter().interval == 30
    monkeypatch.setenv("EMBEDTUNE_PROGRESS_INTERVAL", "2.5")
    assert RichReporter().interval == 2.5
    for bad in ("soon", "-1", "nan"):
        monkeypatch.setenv("EMBEDTUNE_PROGRESS_INTERVAL", bad)
        with pytest.raises(EmbedtuneError, match=f"EMBEDTUNE_PROGRESS_INTERVAL='{bad}' is not"):
            RichReporter()


def test_disabled_reporter_prints_nothing() -> None:
    console, buffer = _log()
    with RichReporter(console, enabled=False, interval=0).task("Training", total=2) as task:
        task.advance(2)
    assert buffer.getvalue() == ""


def test_a_terminal_gets_the_bar_not_the_lines() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=80)
    with RichReporter(console, interval=0).task("Training", total=2) as task:
        task.advance(2)
    out = buffer.getvalue()
    assert "✓" in out and "Training" in out
    assert "Training: 2/2 (100%)" not in out


def test_interval_must_not_be_negative() -> None:
    with pytest.raises(ValueError, match="interval -1"):
        RichReporter(interval=-1)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0s"), (59.4, "59s"), (60, "1m00s"), (3599, "59m59s"), (3600, "1h00m"), (90061, "25h01m")],
)
def test_duration(seconds: float, text: str) -> None:
    assert duration(seconds) == text
