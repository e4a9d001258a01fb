"""`embedtune run`: prepare -> select -> train -> evaluate -> index, in one run folder.

Each stage writes into its own subfolder of ``config.out`` and is recorded in
``run_state.json`` with a key of its settings and of the stages before it (see
:mod:`embedtune.run.state`). A rerun skips a stage whose output exists with the same key, so
changing ``--epochs`` retrains, evaluates and indexes again but does not prepare again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from embedtune.progress import NullReporter, Reporter
from embedtune.run.config import STAGES, RunConfig, StageName
from embedtune.run.state import RunState, stage_key

if TYPE_CHECKING:
    from embedtune.triplets.pipeline import Confirm


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


def paths(out: Path) -> dict[StageName, Path]:
    """Where each stage writes inside the run folder."""
    return {
        "prepare": out / "data",
        "select": out / "select",
        "train": out / "model",
        "evaluate": out / "report",
        "index": out / "index",
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
    reporter = reporter or NullReporter()
    say = announce or (lambda _msg: None)
    started = time.perf_counter()
    config.out.mkdir(parents=True, exist_ok=True)
    state = RunState.load(config.out)
    where = paths(config.out)
    if config.from_stage is not None:
        state.forget(STAGES[STAGES.index(config.from_stage) :])
    result = RunResult(config, results={})
    keys: list[str] = []
    for name in STAGES:
        settings = _settings(config, name, state)
        key = stage_key(name, settings, keys)
        keys.append(key)
        if state.is_done(name, key, where[name]):
            result.skipped.append(name)
            result.results[name] = state.result(name)
            say(f"{name}: done before with the same settings, skipped ({where[name]})")
            continue
        say(f"{name}: running")
        t0 = time.perf_counter()
        stage_result = STAGE_RUNNERS[name](config, where, state, reporter, confirm)
        state.finish(name, key, time.perf_counter() - t0, stage_result)
        result.results[name] = stage_result
        result.ran.append(name)
    result.seconds = time.perf_counter() - started
    return result


def _settings(config: RunConfig, name: StageName, state: RunState) -> dict[str, Any]:
    """The settings a stage's output depends on (its key hashes these and upstream keys)."""
    if name == "prepare":
        return {
            "source": config.source,
            "columns": [config.text_column, config.title_column, config.id_column],
            "queries": config.query_source,
            "llm": [config.llm_model, config.llm_base_url] if config.queries != "offline" else None,
            "negatives": config.negatives,
            "model": config.model or config.prepare_model,
            "seed": config.seed,
            "demo_size": config.demo_size if config.source == "demo" else None,
        }
    if name == "select":
        from embedtune.evaluate.select import default_candidates

        return {"model": config.model, "candidates": None if config.model else default_candidates()}
    if name == "train":
        return {"epochs": config.epochs, "max_train": config.max_train, "seed": config.seed}
    if name == "evaluate":
        return {
            "general": str(config.general) if config.general else None,
            "general_max_docs": config.general_max_docs if config.general else None,
        }
    return {}


# --------------------------------------------------------------------------------- the stages


def _prepare(
    config: RunConfig,
    where: dict[StageName, Path],
    state: RunState,
    reporter: Reporter,
    confirm: Confirm | None,
) -> dict[str, Any]:
    from embedtune.data.config import PrepareConfig
    from embedtune.negatives.mining import NegativeConfig
    from embedtune.queries.config import QueryConfig
    from embedtune.triplets.pipeline import prepare_training_data

    prepare_config = PrepareConfig(
        source=config.source,
        out=where["prepare"],
        text_column=config.text_column,
        title_column=config.title_column,
        id_column=config.id_column,
        model=config.model or config.prepare_model,
        seed=config.seed,
        demo_size=config.demo_size,
        overwrite=True,
    )
    data = prepare_training_data(
        prepare_config,
        QueryConfig(
            source=config.query_source,
            llm_model=config.llm_model,
            llm_base_url=config.llm_base_url,
            yes=config.yes,
            seed=config.seed,
        ),
        NegativeConfig(method=config.negatives, seed=config.seed),  # type: ignore[arg-type]
        reporter=reporter,
        confirm=confirm,
    )
    report = data.report
    return {
        "postings": report["counts"]["kept"],
        "splits": report["splits"],
        "triplets": report["triplets"],
        "gold_queries": report.get("gold_queries"),
        "seconds": report["seconds"],
    }


def _select(
    config: RunConfig,
    where: dict[StageName, Path],
    state: RunState,
    reporter: Reporter,
    confirm: Confirm | None,
) -> dict[str, Any]:
    from embedtune.evaluate.select import (
        SelectConfig,
        default_candidates,
        select_models,
        write_leaderboard,
    )

    out = where["select"]
    out.mkdir(parents=True, exist_ok=True)
    if config.model is not None:
        (out / "pick.txt").write_text(config.model + "\n", encoding="utf-8")
        return {"pick": config.model, "chosen_by": "--model"}
    candidates = default_candidates()
    if len(candidates) == 1:  # nothing to choose between: the evaluate stage scores it anyway
        (out / "pick.txt").write_text(candidates[0] + "\n", encoding="utf-8")
        return {"pick": candidates[0], "chosen_by": "the only installed candidate"}
    board = select_models(SelectConfig(data=where["prepare"]), reporter=reporter)
    write_leaderboard(board, out)
    return {
        "pick": board.pick.model,
        "chosen_by": board.by,
        "candidates": [row.to_dict() for row in board.rows],
    }


def _train(
    config: RunConfig,
    where: dict[StageName, Path],
    state: RunState,
    reporter: Reporter,
    confirm: Confirm | None,
) -> dict[str, Any]:
    from embedtune.train.config import TrainConfig
    from embedtune.train.trainer import train

    base = state.result("select")["pick"]
    result = train(
        TrainConfig(
            data=where["prepare"],
            out=where["train"],
            model=base,
            epochs=float(config.epochs),
            seed=config.seed,
            max_train=config.max_train,
            overwrite=True,
        ),
        reporter=reporter,
    )
    return {"base_model": base, "epochs": config.epochs, **result.to_dict()}


def _evaluate(
    config: RunConfig,
    where: dict[StageName, Path],
    state: RunState,
    reporter: Reporter,
    confirm: Confirm | None,
) -> dict[str, Any]:
    from embedtune._io import write_json
    from embedtune.evaluate.evaluate import EvaluateConfig, evaluate
    from embedtune.evaluate.report import write_model_card, write_report

    base = state.result("select")["pick"]
    evaluation = evaluate(
        EvaluateConfig(
            model=str(where["train"]),
            data=where["prepare"],
            split="test",
            compare=base,
            general=config.general,
            general_max_docs=config.general_max_docs,
        ),
        reporter=reporter,
    )
    out = where["evaluate"]
    results = evaluation.to_dict()
    write_report(out, [evaluation], training_log=where["train"], title="embedtune run")
    write_json(out / "evaluation.json", results)
    write_model_card(where["train"], results, base_model=base)
    return results


def _index(
    config: RunConfig,
    where: dict[StageName, Path],
    state: RunState,
    reporter: Reporter,
    confirm: Confirm | None,
) -> dict[str, Any]:
    from embedtune.index import build_index_from_prepared

    info = build_index_from_prepared(
        model=where["train"], data=where["prepare"], out=where["index"], reporter=reporter
    )
    return dict(info)


STAGE_RUNNERS: dict[StageName, Callable[..., dict[str, Any]]] = {
    "prepare": _prepare,
    "select": _select,
    "train": _train,
    "evaluate": _evaluate,
    "index": _index,
}
