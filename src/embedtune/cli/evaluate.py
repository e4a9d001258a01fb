"""`embedtune evaluate` and `embedtune select`: flags -> configs -> embedtune.evaluate."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from embedtune.cli.app import _split_list, app
from embedtune.cli.options import (
    DataSplit,
    EncodeBatchSize,
    EvalQueries,
    General,
    GeneralMaxDocs,
    JsonOutput,
)

if TYPE_CHECKING:
    from embedtune.evaluate.model_eval import Evaluation

_SHOWN = ("ndcg@10", "mrr@10", "recall@1", "recall@5", "recall@10", "map@100", "accuracy@1")


@app.command()
def evaluate(
    model: Annotated[
        str, typer.Option("--model", help="Model to evaluate: a known name, a folder or a hub id.")
    ],
    data: Annotated[
        Path | None, typer.Option("--data", help="A prepared folder (embedtune prepare --out).")
    ] = None,
    split: DataSplit = "test",
    beir: Annotated[
        Path | None,
        typer.Option("--beir", help="Evaluate on a folder in BEIR layout instead of --data."),
    ] = None,
    compare: Annotated[
        str | None, typer.Option("--compare", help="Also evaluate this base model; show deltas.")
    ] = None,
    eval_queries: EvalQueries = None,
    general: General = None,
    max_drop: Annotated[
        float, typer.Option(help="nDCG@10 drop against the base that triggers a warning.")
    ] = 0.02,
    report: Annotated[
        Path | None,
        typer.Option(
            help="Write report.md, report.html with plots, evaluation.json and model_card.md "
            "into this folder."
        ),
    ] = None,
    training_log: Annotated[
        Path | None,
        typer.Option(help="trainer_state.json (or its folder) for the report's loss curves."),
    ] = None,
    general_max_docs: GeneralMaxDocs = None,
    batch_size: EncodeBatchSize = 64,
    strict: Annotated[
        bool, typer.Option(help="Fail on qrels rows naming unknown ids instead of skipping them.")
    ] = False,
    json_output: JsonOutput = False,
) -> None:
    """Retrieval metrics (nDCG@10, MRR@10, Recall@k, MAP@100, accuracy@1) and triplet accuracy."""
    from embedtune.cli.reporting import RichReporter, emit_json, stderr
    from embedtune.evaluate.model_eval import EvaluateConfig
    from embedtune.evaluate.model_eval import evaluate as run_evaluate

    config = EvaluateConfig(
        model=model,
        data=data,
        split=split,
        beir=beir,
        compare=compare,
        eval_queries=eval_queries,
        general=general,
        general_max_docs=general_max_docs,
        batch_size=batch_size,
        max_drop=max_drop,
        on_unknown="error" if strict else "warn",
    )
    result = run_evaluate(config, reporter=RichReporter())
    if report is not None:
        from embedtune.evaluate.writer import write_evaluation

        write_evaluation(report, result, training_log=training_log)
    for line in result.warnings:
        stderr.print(f"[yellow]warning:[/] {line}", soft_wrap=True)
    for line in result.notes:
        stderr.print(f"note: {line}", soft_wrap=True, highlight=False)
    if json_output:
        emit_json(result.to_dict())
        return
    _print_evaluation(result)
    if report is not None:
        from embedtune.cli.reporting import stdout

        stdout.print(f"[bold]Report[/] {report / 'report.html'}")


def _print_evaluation(result: Evaluation) -> None:
    from rich.table import Table

    from embedtune.cli.reporting import stdout
    from embedtune.evaluate.model_eval import NESTED_SETS
    from embedtune.evaluate.report import NO_HONEST_MEASURE, has_honest_measure

    data = result.to_dict()
    base = data.get("compare")
    where = f"{data['data']} ({data['split']})" if "data" in data else data["beir"]
    labels = {"user": "your queries", "titles": f"{data.get('split')} titles"}
    sets: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []
    for set_name in NESTED_SETS:  # the honest measures first
        if set_name in data:
            values = data[set_name]
            sets.append((labels.get(set_name, set_name), values, (base or {}).get(set_name)))
    main = "generated queries (health check)" if "data" in data else "queries"
    sets.append((main, data, base))
    if not has_honest_measure(result):
        stdout.print(f"[yellow]warning:[/] {NO_HONEST_MEASURE}", soft_wrap=True)
    for name, values, base_values in sets:
        table = Table(
            title=f"{name}: {values['num_queries']} queries, {values['num_documents']} documents",
            title_justify="left",
        )
        table.add_column("metric")
        table.add_column(result.model.model, justify="right")
        if base_values is not None:
            table.add_column(str(base["model"]) if base else "base", justify="right")
            table.add_column("delta", justify="right")
        keys = list(_SHOWN)
        if values is data and "triplet_accuracy" in values:
            keys.append("triplet_accuracy")
        for key in keys:
            value = values.get(key)
            row = [key, _f(value)]
            if base_values is not None:
                b = base_values.get(key)
                row += [_f(b), f"{value - b:+.3f}" if value is not None and b is not None else ""]
            table.add_row(*row)
        stdout.print(table)
    stdout.print(f"Evaluated {result.model.model} on {where}")


def _f(value: Any) -> str:
    return "–" if value is None else f"{value:.3f}"


@app.command()
def select(
    data: Annotated[
        Path, typer.Option("--data", help="A prepared folder (embedtune prepare --out).")
    ],
    models: Annotated[
        str | None,
        typer.Option(
            "--models", help="Comma-separated candidates (default: every installed base model)."
        ),
    ] = None,
    split: DataSplit = "validation",
    by: Annotated[
        str,
        typer.Option(
            help="Pick by: ndcg@10, mrr@10, recall@10, accuracy@1, gold_ndcg@10, "
            "triplet_accuracy, postings_per_s, size_mb or parameters."
        ),
    ] = "ndcg@10",
    out: Annotated[
        Path, typer.Option(help="Folder for leaderboard.json and leaderboard.md.")
    ] = Path("runs/select"),
    batch_size: EncodeBatchSize = 64,
    json_output: JsonOutput = False,
) -> None:
    """Score candidate base models on the validation split and pick one."""
    from embedtune.cli.reporting import RichReporter, emit_json, stdout
    from embedtune.evaluate.select import SelectConfig, select_models, write_leaderboard

    config = SelectConfig(
        data=data, candidates=_split_list(models), split=split, by=by, batch_size=batch_size
    )
    board = select_models(config, reporter=RichReporter())
    json_path, md_path = write_leaderboard(board, out)
    if json_output:
        emit_json(board.to_dict())
        return
    from rich.table import Table

    table = Table(title=f"Candidates on the {board.split} split", title_justify="left")
    for column in ("model", "nDCG@10", "gold nDCG@10", "triplet acc", "postings/s", "MB", "dim"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for row in board.rows:
        table.add_row(
            Path(row.model).name,
            _f(row.ndcg_at_10),
            _f(row.gold_ndcg_at_10),
            _f(row.triplet_accuracy),
            "–" if row.postings_per_s is None else f"{row.postings_per_s:.1f}",
            "–" if row.size_mb is None else f"{row.size_mb:.0f}",
            str(row.dimension),
        )
    stdout.print(table)
    stdout.print(f"Pick (best {board.by}): [bold]{board.pick.model}[/]")
    stdout.print(f"[bold]Saved[/] {json_path} and {md_path}")
