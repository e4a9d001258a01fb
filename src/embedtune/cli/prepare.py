"""`embedtune prepare`: flags -> PrepareConfig -> the prepare pipeline; a report for people or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from embedtune.cli.app import app, on_interrupt
from embedtune.cli.options import (
    DemoSize,
    Encoding,
    IdColumn,
    JsonOutput,
    LLMBaseURL,
    LLMModel,
    Negatives,
    NumNegatives,
    Overwrite,
    Seed,
    TextColumn,
    TitleColumn,
    Yes,
)

if TYPE_CHECKING:
    from rich.table import Table

    from embedtune.queries.batch import CostEstimate


@app.command()
def prepare(
    source: Annotated[
        str,
        typer.Argument(help="A CSV/JSONL/Parquet file, 'hf:OWNER/NAME' (or hf:FOLDER), or 'demo'."),
    ],
    out: Annotated[Path, typer.Option("--out", help="Output folder (written atomically).")],
    text_column: TextColumn = None,
    title_column: TitleColumn = None,
    id_column: IdColumn = None,
    keep_titles: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated roles to keep, matched in the title, e.g. 'data scientist,data engineer'."
        ),
    ] = None,
    model: Annotated[
        str,
        typer.Option(
            help="Model to be trained: its tokenizer and max length set the token budget."
        ),
    ] = "all-MiniLM-L6-v2",
    max_tokens: Annotated[
        int | None,
        typer.Option(help="Token budget per text (default: the model's max_seq_length)."),
    ] = None,
    clean: Annotated[
        bool,
        typer.Option(
            help="Strip markup and boilerplate (company blurbs, benefits, EEO, pay, how to apply, recruiter notes)."
        ),
    ] = True,
    dedupe: Annotated[bool, typer.Option(help="Drop exact and near-duplicate postings.")] = True,
    near_dup_threshold: Annotated[
        float,
        typer.Option(
            help="Word 3-gram Jaccard at which two postings with the same title are one job."
        ),
    ] = 0.7,
    group_threshold: Annotated[
        float, typer.Option(help="Jaccard at which postings are kept in the same split.")
    ] = 0.5,
    split: Annotated[str, typer.Option(help="Train/validation/test fractions.")] = "0.8,0.1,0.1",
    seed: Seed = 42,
    demo_size: DemoSize = 1000,
    encoding: Encoding = "utf-8",
    hf_split: Annotated[
        str, typer.Option(help="Split to read from a Hugging Face dataset.")
    ] = "train",
    overwrite: Overwrite = False,
    push_to_hub: Annotated[
        str | None,
        typer.Option(help="Also upload the result to this Hub dataset repo (OWNER/NAME)."),
    ] = None,
    queries: Annotated[
        str | None,
        typer.Option(
            help="Where queries come from: offline (no LLM; the default unless --llm-model or "
            "--llm-base-url is given, then openai), openai (any OpenAI-compatible chat endpoint), "
            "openai-batch (OpenAI's Batch API, half price), or column:NAME (your own queries, one "
            "per row of a pairs file)."
        ),
    ] = None,
    queries_per_posting: Annotated[
        int | None,
        typer.Option(
            help="Queries written per posting \\[default: 3 offline (free, and several styles "
            "train better), 1 from an LLM (each one is paid for)]."
        ),
    ] = None,
    llm_model: LLMModel = None,
    llm_base_url: LLMBaseURL = None,
    prompt_template: Annotated[
        Path | None,
        typer.Option(help="Your prompt template file (placeholders {title}, {text}, {n})."),
    ] = None,
    prices: Annotated[
        Path | None,
        typer.Option(help="JSON price table for the Batch API cost estimate (USD per 1M tokens)."),
    ] = None,
    yes: Yes = False,
    round_trip_k: Annotated[
        int | None,
        typer.Option(
            help="Keep only queries whose posting the base model ranks in the top K of its split."
        ),
    ] = None,
    negatives: Negatives = "hard",
    num_negatives: NumNegatives = 1,
    negatives_guard: Annotated[
        float,
        typer.Option(
            help="Drop hard candidates scoring above this fraction of the positive's score."
        ),
    ] = 0.95,
    negatives_range_min: Annotated[
        int, typer.Option(help="First rank (0-based, positive excluded) hard negatives come from.")
    ] = 0,
    negatives_range_max: Annotated[
        int, typer.Option(help="Rank at which the hard-negative window ends (exclusive).")
    ] = 50,
    json_output: JsonOutput = False,
) -> None:
    """Load, clean, dedupe, fit and split postings; write queries, negatives and training data."""
    from embedtune.cli.reporting import RichReporter, emit_json, stderr, stdout, table
    from embedtune.data.config import PrepareConfig
    from embedtune.negatives.mining import NegativeConfig
    from embedtune.prepare import prepare as prepare_folder
    from embedtune.queries.config import QueryConfig

    config = PrepareConfig.from_flags(
        source,
        out,
        split=split,
        keep_titles=keep_titles,
        text_column=text_column,
        title_column=title_column,
        id_column=id_column,
        model=model,
        max_tokens=max_tokens,
        clean=clean,
        dedupe=dedupe,
        near_dup_threshold=near_dup_threshold,
        group_threshold=group_threshold,
        seed=seed,
        demo_size=demo_size,
        encoding=encoding,
        hf_split=hf_split,
        overwrite=overwrite,
        push_to_hub=push_to_hub,
    )
    query_config = QueryConfig.from_flags(
        queries,
        llm_model=llm_model,
        llm_base_url=llm_base_url,
        per_posting=queries_per_posting,
        prompt_template=prompt_template,
        prices=prices,
        yes=yes,
        round_trip_k=round_trip_k,
        seed=seed,
    )
    negative_config = NegativeConfig.from_flags(
        method=negatives,
        num_negatives=num_negatives,
        guard=negatives_guard,
        range_min=negatives_range_min,
        range_max=negatives_range_max,
        seed=seed,
    )
    on_interrupt(lambda: f"nothing was written to {out}; rerun the same command to start again")
    result = prepare_folder(
        config,
        query_config,
        negative_config,
        reporter=RichReporter(),
        confirm=confirm_batch,
    )
    report = result.report
    if json_output:
        emit_json(report)
        return
    empty = report["counts"].get("empty_text", 0)
    if empty:
        stderr.print(
            f"[yellow]warning:[/] {empty} rows with empty text were dropped (see dropped.jsonl)"
        )
    stdout.print(table("Rows", [(k.replace("_", " "), v) for k, v in report["counts"].items()]))
    tokens = report["tokens"]
    stdout.print(
        table(
            f"Tokens ({report['model']}, budget {report['token_budget']})",
            [("raw", tokens["raw"])]
            + [(f"removed: {k.replace('_', ' ')}", v) for k, v in tokens["removed"].items()]
            + [("final", tokens["final"]), ("truncated postings", tokens["truncated_postings"])],
        )
    )
    splits = ", ".join(f"{k} {v}" for k, v in report["splits"].items())
    stdout.print(
        f"Splits: {splits}  ({report['groups']['with_several_postings']} groups of similar postings kept together)"
    )
    if report.get("gold_queries"):
        stdout.print(
            "Gold queries: " + ", ".join(f"{k} {v}" for k, v in report["gold_queries"].items())
        )
    stdout.print(_queries_line(report["queries"]))
    stdout.print(_negatives_table(report["negatives"], report["triplets"]))
    stdout.print(f"[bold]Saved[/] {out} in {report['seconds']} s")


def confirm_batch(estimate: CostEstimate) -> bool:
    """Show the Batch API cost estimate on stderr and ask before anything is sent."""
    from embedtune.cli.reporting import stderr

    stderr.print(estimate.describe())
    return typer.confirm("Send this batch to OpenAI?", default=False, err=True)


def _queries_line(q: dict[str, Any]) -> str:
    kept = ", ".join(f"{k} {v}" for k, v in q["kept"].items())
    line = f"Queries ({q['source']}): {q['generated']} written, kept {kept}"
    if q.get("failed"):
        line += f"; {q['failed']} postings failed (failed_queries.jsonl)"
    if "round_trip" in q:
        rt = q["round_trip"]
        line += f"; round-trip top {rt['k']} removed {rt['removed_total']}"
    if q.get("dropped_rows"):
        line += "; dropped rows: " + ", ".join(
            f"{k.replace('_', ' ')} {v}" for k, v in q["dropped_rows"].items() if v
        )
    return line


def _fmt(stats: dict[str, Any] | None) -> str:
    if not stats or stats.get("mean") is None:
        return "-"
    return f"{stats['mean']:.3f} (p5 {stats['p5']:.3f}, p95 {stats['p95']:.3f})"


def _negatives_table(negatives: dict[str, Any], triplets: dict[str, int]) -> Table:
    from rich.table import Table

    method = negatives["config"]["method"]
    t = Table(title=f"Training rows (negatives: {method})", title_justify="left")
    for col in ("split", "rows", "positive score", "negative score", "guard removed"):
        t.add_column(col, justify="left" if col == "split" else "right")
    for name, split in negatives["splits"].items():
        t.add_row(
            name,
            str(triplets[name]),
            _fmt(split.get("positive_score")),
            _fmt(split.get("negative_score")),
            str(split.get("guard_removed", "-")),
        )
    return t
