"""The typer app every command module registers on, and small parsers the commands share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer

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
    from embedtune.data.split import parse_fractions

    return parse_fractions(value)
