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
from embedtune.cli.app import _fractions, app, interrupt_note
from embedtune.errors import EmbedtuneError

__all__ = ["_fractions", "app", "main"]


INTERRUPTED = 130  # 128 + SIGINT, what shells report for a command stopped by Ctrl-C


def main() -> None:
    """Entry point: user errors become one line on stderr (traceback with EMBEDTUNE_DEBUG=1).

    Exit status: 0 done, 1 unexpected error or aborted prompt, 2 user or usage error, 130
    interrupted (Ctrl-C) with one line saying what to do. Typer turns a Ctrl-C inside a command
    into the return value 130, so that value is checked, not only ``KeyboardInterrupt``.
    """
    debug = os.environ.get("EMBEDTUNE_DEBUG", "").lower() in ("1", "true", "yes")
    try:
        code = app(standalone_mode=False)
    except EmbedtuneError as e:
        if debug:
            raise
        sys.stderr.write(f"error: {e}\n")
        sys.exit(2)
    except KeyboardInterrupt:  # outside the command, e.g. while Python imports it
        code = INTERRUPTED
    except typer.Exit as e:
        code = e.exit_code
    except typer.Abort:  # a prompt answered with Ctrl-C or at the end of the input
        sys.stderr.write("aborted\n")
        sys.exit(1)
    except typer.TyperException as e:  # usage errors (typer's own copy of click's exceptions)
        show = getattr(e, "show", None)
        if callable(show):
            show()
        else:
            sys.stderr.write(f"error: {e.format_message()}\n")
        sys.exit(e.exit_code)
    except Exception as e:
        if debug:
            raise
        sys.stderr.write(
            f"error: unexpected {type(e).__name__}: {e}\n"
            "Rerun with EMBEDTUNE_DEBUG=1 for the traceback, and please report it.\n"
        )
        sys.exit(1)
    if code == INTERRUPTED:
        note = interrupt_note()
        sys.stderr.write(f"interrupted; {note}\n" if note else "interrupted\n")
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
