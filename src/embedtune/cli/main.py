"""The `embedtune` command line: typed commands that translate flags into library calls.

Each command lives in its own module under ``embedtune.cli`` and registers itself on the shared
``app``; importing them here is what makes them part of the command line.
"""

from __future__ import annotations

import os
import sys

import typer

# Command modules register on `app` when imported (one module per command).
from embedtune.cli import evaluate as _evaluate  # noqa: F401
from embedtune.cli import export as _export  # noqa: F401
from embedtune.cli import index as _index  # noqa: F401
from embedtune.cli import prepare as _prepare  # noqa: F401
from embedtune.cli import run as _run  # noqa: F401
from embedtune.cli import train as _train  # noqa: F401
from embedtune.cli.app import _fractions, app
from embedtune.errors import EmbedtuneError

__all__ = ["_fractions", "app", "main"]


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
