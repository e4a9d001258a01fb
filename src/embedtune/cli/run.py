"""`embedtune run`: every stage in one command, into one run folder, then a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from embedtune.cli.app import app, on_interrupt
from embedtune.cli.options import (
    DemoSize,
    EvalQueries,
    General,
    GeneralMaxDocs,
    IdColumn,
    JsonOutput,
    LLMBaseURL,
    LLMModel,
    Negatives,
    NumNegatives,
    Seed,
    TextColumn,
    TitleColumn,
    Yes,
)


@app.command()
def run(
    config_file: Annotated[
        Path | None,
        typer.Argument(
            metavar="[CONFIG.yaml]",
            help="Settings as YAML: the flags' names, and sections of each stage's own settings "
            "(prepare, queries, negatives, select, train, evaluate, index); flags win.",
        ),
    ] = None,
    corpus: Annotated[
        Path | None, typer.Option(help="Postings without queries (CSV/JSONL/Parquet).")
    ] = None,
    pairs: Annotated[
        Path | None, typer.Option(help="Your (query, document) pairs (CSV/JSONL/Parquet).")
    ] = None,
    text_column: TextColumn = None,
    title_column: TitleColumn = None,
    id_column: IdColumn = None,
    query_column: Annotated[
        str | None, typer.Option(help="Column with the queries (--pairs).")
    ] = None,
    queries: Annotated[
        str | None,
        typer.Option(help="How --corpus gets queries: offline, openai or openai-batch."),
    ] = None,
    negatives: Negatives = None,
    llm_model: LLMModel = None,
    llm_base_url: LLMBaseURL = None,
    yes: Yes = False,
    out: Annotated[Path | None, typer.Option(help="The run folder [runs/demo].")] = None,
    model: Annotated[
        str | None,
        typer.Option(help="Base model to fine-tune (skips selection among installed models)."),
    ] = None,
    max_train: Annotated[
        int | None, typer.Option(help="Train on at most N pairs (a seeded sample).")
    ] = None,
    epochs: Annotated[int | None, typer.Option(help="Training epochs [1].")] = None,
    loss: Annotated[
        str | None, typer.Option(help="mnrl, cached-mnrl, gist or triplet \\[mnrl].")
    ] = None,
    batch_size: Annotated[int | None, typer.Option(help="Triplets per training step [16].")] = None,
    learning_rate: Annotated[float | None, typer.Option(help="Peak learning rate [2e-5].")] = None,
    max_seq_length: Annotated[
        int | None,
        typer.Option(
            help="Cut texts to N tokens while training \\[default: the model's limit, or the "
            "longest prepared text]."
        ),
    ] = None,
    train_on: Annotated[
        str | None,
        typer.Option(
            help="Splits to train on: auto takes every split when the held-back postings have "
            "only generated queries (no titles, gold or own pairs); train or all force it "
            "\\[auto]."
        ),
    ] = None,
    num_negatives: NumNegatives = None,
    seed: Seed = None,
    from_stage: Annotated[
        str | None,
        typer.Option(
            "--from", help="Rerun from this stage: prepare, select, train, evaluate or index."
        ),
    ] = None,
    general: General = None,
    eval_queries: EvalQueries = None,
    general_max_docs: GeneralMaxDocs = None,
    demo_size: DemoSize = None,
    query: Annotated[
        str | None, typer.Option(help="A query to search in the finished index.")
    ] = None,
    json_output: JsonOutput = False,
) -> None:
    """Prepare, select, train, evaluate and index in one run folder; no data: the demo."""
    from embedtune._config import load_settings
    from embedtune.cli.prepare import confirm_batch
    from embedtune.cli.reporting import RichReporter, emit_json, stderr, stdout
    from embedtune.run.config import RunConfig
    from embedtune.run.pipeline import run as run_pipeline

    flags: dict[str, Any] = {
        "corpus": corpus,
        "pairs": pairs,
        "text_column": text_column,
        "title_column": title_column,
        "id_column": id_column,
        "query_column": query_column,
        "queries": queries,
        "negatives": negatives,
        "llm_model": llm_model,
        "llm_base_url": llm_base_url,
        "yes": yes or None,
        "out": out,
        "model": model,
        "max_train": max_train,
        "epochs": epochs,
        "loss": loss,
        "batch_size": batch_size,
        "learning_rate": learning_rate,
        "max_seq_length": max_seq_length,
        "train_on": train_on,
        "num_negatives": num_negatives,
        "seed": seed,
        "from_stage": from_stage,
        "general": general,
        "eval_queries": eval_queries,
        "general_max_docs": general_max_docs,
        "demo_size": demo_size,
        "query": query,
    }
    config = RunConfig.from_dict(load_settings(config_file, flags))
    on_interrupt(lambda: "rerun the same command to resume (finished stages are skipped)")
    result = run_pipeline(
        config,
        reporter=RichReporter(),
        announce=lambda msg: stderr.print(f"[bold]embedtune run[/] {msg}"),
        confirm=confirm_batch,
    )
    from embedtune.run.summary import (
        example_query,
        run_searcher,
        search_examples,
        search_scores,
        summary_lines,
    )

    example = example_query(config)
    searcher = run_searcher(config)
    examples = search_examples(
        config, k=5, query=example.text if example else None, searcher=searcher
    )
    scores = search_scores(config, searcher, reporter=RichReporter())
    if json_output:
        chosen = example.to_dict() if example else None
        emit_json(
            {
                **result.to_dict(),
                "search_query": chosen,
                "search": examples,
                "search_scores": scores,
            }
        )
        return
    for line in summary_lines(result, examples, example=example, search=scores):
        stdout.print(line)
