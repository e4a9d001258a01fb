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
