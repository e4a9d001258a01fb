"""`embedtune run`: prepare -> select -> train -> evaluate -> index, in one run folder.

The stages themselves are in :mod:`embedtune.run.stages`. Each writes into its own subfolder
of ``config.out`` and is recorded in ``run_state.json`` with a key of its settings and of the
stages before it (see :mod:`embedtune.run.state`). A rerun skips a stage whose output exists
with the same key, so changing ``--epochs`` retrains, evaluates and indexes again but does not
prepare again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from embedtune._io import check_out, mark_written
from embedtune.progress import NullReporter, Reporter
from embedtune.run.config import STAGES, RunConfig, paths
from embedtune.run.stages import PIPELINE, StageContext
from embedtune.run.state import RunState, stage_key

if TYPE_CHECKING:
    from embedtune.queries.dispatch import Confirm

__all__ = ["RunResult", "paths", "run"]


@dataclass
class RunResult:
    """What each stage produced (its recorded result), and which stages ran or were skipped."""

    config: RunConfig
    results: dict[str, dict[str, Any]]
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "out": str(self.config.out),
            "ran": self.ran,
            "skipped": self.skipped,
            "seconds": round(self.seconds, 1),
            **self.results,
        }


def run(
    config: RunConfig,
    *,
    reporter: Reporter | None = None,
    announce: Callable[[str], None] | None = None,
    confirm: Confirm | None = None,
) -> RunResult:
    """Run every stage that is not already done with the same settings; see the module doc.

    ``confirm`` is asked before an OpenAI batch is sent (``--queries openai-batch``, no ``yes``).
    """
    say = announce or (lambda _msg: None)
    started = time.perf_counter()
    sources = [config.corpus, config.pairs, config.evaluate.general, config.model]
    check_out(config.out, sources=sources, overwrite=True)  # a rerun continues its own folder
    config.out.mkdir(parents=True, exist_ok=True)
    mark_written(config.out)
    state = RunState.load(config.out)
    where = paths(config.out)
    if config.from_stage is not None:
        state.forget(STAGES[STAGES.index(config.from_stage) :])
    context = StageContext(config, where, state, reporter or NullReporter(), confirm)
    result = RunResult(config, results={})
    keys: list[str] = []
    for stage in PIPELINE:
        name = stage.name
        key = stage_key(name, stage.settings(config), keys)
        keys.append(key)
        if state.is_done(name, key, where[name]):
            result.skipped.append(name)
            result.results[name] = state.result(name)
            say(f"{name}: done before with the same settings, skipped ({where[name]})")
            continue
        say(f"{name}: running")
        t0 = time.perf_counter()
        stage_result = stage(context)
        state.finish(name, key, time.perf_counter() - t0, stage_result)
        result.results[name] = stage_result
        result.ran.append(name)
    result.seconds = time.perf_counter() - started
    return result
