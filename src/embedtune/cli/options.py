"""Options that several commands take, declared once: ``name: Alias = default`` in a command.

Each alias is an ``Annotated`` type that typer reads; the default stays in the command, where a
reader looks for it. A command whose option means something of its own (``train --model`` is
the base model, ``evaluate --model`` the model scored) declares it there instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

JsonOutput = Annotated[
    bool, typer.Option("--json", help="Print the result as one JSON object on stdout.")
]
"""``--json``: machine-readable output on stdout; progress and warnings stay on stderr."""

Overwrite = Annotated[bool, typer.Option(help="Replace --out if it exists.")]
"""``--overwrite/--no-overwrite``: replace an output folder embedtune wrote."""

TextColumn = Annotated[
    str | None, typer.Option(help="Column with the posting text (guessed if unset).")
]
TitleColumn = Annotated[
    str | None, typer.Option(help="Column with the job title (guessed if unset).")
]
IdColumn = Annotated[
    str | None,
    typer.Option(help="Column with unique ids (guessed if unset; '' for content hashes)."),
]
Encoding = Annotated[str, typer.Option(help="Text encoding of CSV/JSONL files.")]

IndexFolder = Annotated[Path, typer.Option("--index", help="Index folder from `embedtune index`.")]
QueryModel = Annotated[
    str | None,
    typer.Option(help="Model to query with (default: the one that built the index)."),
]

Seed = Annotated[
    int | None, typer.Option(help="Seed for every random draw (split, demo corpus, samples).")
]
"""``--seed``: typed ``int | None`` so that `run` can leave it unset (then YAML or the default)."""
DemoSize = Annotated[int | None, typer.Option(help="Jobs in the built-in demo corpus.")]

LLMModel = Annotated[
    str | None,
    typer.Option(help="Chat model for --queries openai or openai-batch \\[gpt-4o-mini]."),
]
LLMBaseURL = Annotated[
    str | None,
    typer.Option(
        help="OpenAI-compatible endpoint (vLLM, Ollama, llama.cpp, Azure), e.g. "
        "http://localhost:11434/v1 (key: $OPENAI_API_KEY)."
    ),
]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Send an OpenAI batch without asking.")]

Negatives = Annotated[
    str | None,
    typer.Option(
        help="hard (top of the base model's ranking, false-negative guard), least-similar "
        "(the tutorial's), or none (in-batch negatives only)."
    ),
]
NumNegatives = Annotated[int | None, typer.Option(help="Negatives per query (hard).")]

General = Annotated[
    Path | None,
    typer.Option(
        help="A BEIR folder to check general ability on, base vs fine-tuned (warns when "
        "nDCG@10 drops)."
    ),
]
EvalQueries = Annotated[
    Path | None,
    typer.Option(
        help="Your own queries to score on: CSV/JSONL with 'query' and 'id' (or 'ids', "
        "';'-separated) of the relevant postings, or a BEIR folder; ranked over the whole corpus."
    ),
]
GeneralMaxDocs = Annotated[
    int | None,
    typer.Option(
        help="Score --general on a seeded sample of N documents (relevant ones kept): faster; "
        "compare base and fine-tuned on the same sample only."
    ),
]
DataSplit = Annotated[
    str, typer.Option(help="Split of --data to score: test, validation or train.")
]
EncodeBatchSize = Annotated[int, typer.Option(help="Texts per encoding batch.")]
