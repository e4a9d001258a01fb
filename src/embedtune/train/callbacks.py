"""Trainer callbacks: step timing, a final evaluation and save, progress through a Reporter."""

from __future__ import annotations

import contextlib
import time
from typing import Any

from transformers import TrainerCallback

from embedtune.progress import Reporter, Task

__all__ = ["FinalStepCallback", "ProgressCallback", "StepTimer"]


class StepTimer(TrainerCallback):
    """Sums the wall time of training steps (forward, backward, optimizer), not of evaluation."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.steps = 0
        self._start: float | None = None

    def on_step_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._start = time.perf_counter()

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self._start is not None:
            self.seconds += time.perf_counter() - self._start
            self.steps += 1
            self._start = None


class FinalStepCallback(TrainerCallback):
    """Evaluate and save at the last step too, so the best model is chosen among all steps."""

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> Any:
        if state.global_step >= state.max_steps:
            control.should_save = True
            if args.eval_strategy != "no":
                control.should_evaluate = True
        return control


class ProgressCallback(TrainerCallback):
    """A reporter task advanced once per optimizer step; use it as a context manager."""

    def __init__(self, reporter: Reporter) -> None:
        self.reporter = reporter
        self._stack = contextlib.ExitStack()
        self._task: Task | None = None
        self._done = 0

    def __enter__(self) -> ProgressCallback:
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()
        self._task = None

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self._task is None:
            self._task = self._stack.enter_context(
                self.reporter.task("Training", total=state.max_steps)
            )
        self._done = 0
        self._advance(state.global_step)

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._advance(state.global_step)

    def _advance(self, step: int) -> None:
        if self._task is not None and step > self._done:
            self._task.advance(step - self._done)
            self._done = step
