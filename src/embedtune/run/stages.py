"""The five stages of `embedtune run`, each a :class:`Stage`: its key's settings, and its work.

A stage reads its own section(s) of the :class:`~embedtune.run.config.RunConfig` (the stage's
config, its run-owned fields already filled in), calls the stage's library entry, and returns a
small JSON result that ``run_state.json`` records and later stages read (select's ``pick``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from embedtune.progress import Reporter
from embedtune.run.config import STAGE_SECTIONS, RunConfig, StageName
from embedtune.run.state import RunState

if TYPE_CHECKING:
    from embedtune.queries.dispatch import Confirm


@dataclass(frozen=True)
class StageContext:
    """What a running stage gets: the settings, the run folder's paths and the state so far."""

    config: RunConfig
    where: dict[StageName, Path]
    state: RunState
    reporter: Reporter
    confirm: Confirm | None = None


class Stage(Protocol):
    """One step of the run."""

    name: StageName

    def settings(self, config: RunConfig) -> dict[str, Any]:
        """What the stage's output depends on (its key hashes these and the upstream keys)."""
        ...

    def __call__(self, ctx: StageContext) -> dict[str, Any]:
        """Do the work into ``ctx.where[name]``; return the result to record."""
        ...


class _Sections:
    """The default key settings: the stage's sections, as in :data:`STAGE_SECTIONS`."""

    name: StageName

    def settings(self, config: RunConfig) -> dict[str, Any]:
        return {s: config.section_settings(s) for s in STAGE_SECTIONS[self.name]}


class Prepare(_Sections):
    name: StageName = "prepare"

    def __call__(self, ctx: StageContext) -> dict[str, Any]:
        from embedtune.prepare import prepare as prepare_training_data

        config = ctx.config
        data = prepare_training_data(
            config.prepare,
            config.queries,
            config.negatives,
            reporter=ctx.reporter,
            confirm=ctx.confirm,
        )
        report = data.report
        return {
            "postings": report["counts"]["kept"],
            "splits": report["splits"],
            "triplets": report["triplets"],
            "gold_queries": report.get("gold_queries"),
            "seconds": report["seconds"],
        }


class Select(_Sections):
    name: StageName = "select"

    def candidates(self, config: RunConfig) -> tuple[str, ...]:
        from embedtune.evaluate.select import default_candidates

        return config.select.candidates or default_candidates()

    def settings(self, config: RunConfig) -> dict[str, Any]:
        chosen = config.model is not None
        return {
            **super().settings(config),
            "model": config.model,
            "candidates": None if chosen else list(self.candidates(config)),
        }

    def __call__(self, ctx: StageContext) -> dict[str, Any]:
        from embedtune.evaluate.select import select_models, write_leaderboard

        config, out = ctx.config, ctx.where["select"]
        out.mkdir(parents=True, exist_ok=True)
        if config.model is not None:
            (out / "pick.txt").write_text(config.model + "\n", encoding="utf-8")
            return {"pick": config.model, "chosen_by": "--model"}
        candidates = self.candidates(config)
        if len(candidates) == 1:  # nothing to choose between: the evaluate stage scores it anyway
            (out / "pick.txt").write_text(candidates[0] + "\n", encoding="utf-8")
            return {"pick": candidates[0], "chosen_by": "the only installed candidate"}
        select = dataclasses.replace(config.select, candidates=candidates)
        board = select_models(select, reporter=ctx.reporter)
        write_leaderboard(board, out)
        return {
            "pick": board.pick.model,
            "chosen_by": board.by,
            "candidates": [row.to_dict() for row in board.rows],
        }


class Train(_Sections):
    name: StageName = "train"

    def __call__(self, ctx: StageContext) -> dict[str, Any]:
        from embedtune.train.trainer import train

        base = ctx.state.result("select")["pick"]
        settings = dataclasses.replace(ctx.config.train, model=base)
        result = train(settings, reporter=ctx.reporter)
        epochs = settings.epochs
        return {
            "base_model": base,
            "epochs": int(epochs) if float(epochs).is_integer() else epochs,
            **result.to_dict(),
        }


class Evaluate(_Sections):
    name: StageName = "evaluate"

    def __call__(self, ctx: StageContext) -> dict[str, Any]:
        from embedtune.evaluate.model_eval import evaluate
        from embedtune.evaluate.writer import write_evaluation

        base = ctx.state.result("select")["pick"]
        settings = dataclasses.replace(ctx.config.evaluate, compare=base)
        evaluation = evaluate(settings, reporter=ctx.reporter)
        return write_evaluation(
            ctx.where["evaluate"],
            evaluation,
            model_card=ctx.where["train"] / "README.md",
            training_log=ctx.where["train"],
            title="embedtune run",
        )


class Index(_Sections):
    name: StageName = "index"

    def __call__(self, ctx: StageContext) -> dict[str, Any]:
        from embedtune.index import build_index

        return dict(build_index(ctx.config.index, reporter=ctx.reporter))


PIPELINE: tuple[Stage, ...] = (Prepare(), Select(), Train(), Evaluate(), Index())
"""The stages in their order (:data:`~embedtune.run.config.STAGES`)."""
