"""The `embedtune` command line: typed commands that translate flags into library calls."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from embedtune.errors import EmbedtuneError

app = typer.Typer(
    name="embedtune",
    help="Turn a domain corpus into a fine-tuned embedding model and a search service.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _show_version(value: bool) -> None:
    if value:
        from embedtune import __version__

        typer.echo(f"embedtune {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_show_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Turn a domain corpus into a fine-tuned embedding model and a search service.

    Errors print one line; set EMBEDTUNE_DEBUG=1 for the traceback.
    """


def _split_list(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def _fractions(value: str) -> tuple[float, float, float]:
    parts = [p for p in value.replace("/", ",").split(",") if p.strip()]
    try:
        numbers = [float(p) for p in parts]
    except ValueError:
        raise EmbedtuneError(
            f"--split {value!r} is not a list of numbers", fix="use e.g. --split 0.8,0.1,0.1"
        ) from None
    if len(numbers) != 3:
        raise EmbedtuneError(
            f"--split {value!r} needs three parts (train, validation, test)",
            fix="use e.g. --split 0.8,0.1,0.1 or 80/10/10",
        )
    total = sum(numbers)
    if total > 1.5:  # percentages
        numbers = [n / 100 for n in numbers]
    return (numbers[0], numbers[1], numbers[2])


@app.command()
def prepare(
    source: Annotated[
        str,
        typer.Argument(help="A CSV/JSONL/Parquet file, 'hf:OWNER/NAME' (or hf:FOLDER), or 'demo'."),
    ],
    out: Annotated[Path, typer.Option("--out", help="Output folder (written atomically).")],
    text_column: Annotated[
        str | None, typer.Option(help="Column with the posting text (guessed if unset).")
    ] = None,
    title_column: Annotated[
        str | None, typer.Option(help="Column with the job title (guessed if unset).")
    ] = None,
    id_column: Annotated[
        str | None, typer.Option(help="Column with unique ids (content hashes if unset).")
    ] = None,
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
    seed: Annotated[int, typer.Option(help="Seed for the split and the demo corpus.")] = 42,
    demo_size: Annotated[
        int, typer.Option(help="Jobs in the built-in demo corpus (source 'demo').")
    ] = 1000,
    encoding: Annotated[str, typer.Option(help="Text encoding of CSV/JSONL files.")] = "utf-8",
    hf_split: Annotated[
        str, typer.Option(help="Split to read from a Hugging Face dataset.")
    ] = "train",
    overwrite: Annotated[bool, typer.Option(help="Replace --out if it exists.")] = False,
    push_to_hub: Annotated[
        str | None,
        typer.Option(help="Also upload the result to this Hub dataset repo (OWNER/NAME)."),
    ] = None,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print the report as one JSON object on stdout.")
    ] = False,
) -> None:
    """Load, clean, dedupe, fit to the token budget and split a postings corpus."""
    from embedtune.cli.reporting import RichReporter, emit_json, stderr, stdout, table
    from embedtune.data.config import PrepareConfig
    from embedtune.data.prepare import prepare as run_prepare

    config = PrepareConfig(
        source=source,
        out=out,
        text_column=text_column,
        title_column=title_column,
        id_column=id_column or None,
        keep_titles=_split_list(keep_titles),
        model=model,
        max_tokens=max_tokens,
        clean=clean,
        dedupe=dedupe,
        near_dup_threshold=near_dup_threshold,
        group_threshold=group_threshold,
        split=_fractions(split),
        seed=seed,
        demo_size=demo_size,
        encoding=encoding,
        hf_split=hf_split,
        overwrite=overwrite,
        push_to_hub=push_to_hub,
    )
    result = run_prepare(config, reporter=RichReporter())
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
    stdout.print(f"[bold]Saved[/] {out} in {report['seconds']} s")


def main() -> None:
    """Entry point: user errors become one line on stderr (traceback with EMBEDTUNE_DEBUG=1)."""
    debug = os.environ.get("EMBEDTUNE_DEBUG", "").lower() in ("1", "true", "yes")
    try:
        app(standalone_mode=False)
    except EmbedtuneError as e:
        if debug:
            raise
        sys.stderr.write(f"error: {e}\n")
        sys.exit(2)
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except typer.Exit as e:
        sys.exit(e.exit_code)
    except Exception as e:
        import click

        if isinstance(e, click.exceptions.ClickException):
            e.show()
            sys.exit(e.exit_code)
        if isinstance(e, click.exceptions.Abort):
            sys.exit(1)
        if debug:
            raise
        sys.stderr.write(
            f"error: unexpected {type(e).__name__}: {e}\n"
            "Rerun with EMBEDTUNE_DEBUG=1 for the traceback, and please report it.\n"
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
