"""The typer app every command module registers on, and small parsers the commands share."""

from __future__ import annotations

from collections.abc import Callable
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


_interrupt_notes: list[Callable[[], str]] = []


def on_interrupt(note: Callable[[], str]) -> None:
    """What the one line printed on Ctrl-C says after "interrupted; " (the command knows what
    was kept); ``note`` is called only then, so it can look at what is on disk."""
    _interrupt_notes[:] = [note]


def interrupt_note() -> str:
    """The note of the running command, or "" when it set none."""
    return _interrupt_notes[-1]() if _interrupt_notes else ""


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
