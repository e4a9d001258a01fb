"""The one error type users see: what went wrong, and how to fix it."""

from __future__ import annotations


class EmbedtuneError(Exception):
    """A problem the user can fix. The CLI prints it as one line, without a traceback.

    >>> str(EmbedtuneError("column 'body' not found", fix="pass --text-column description"))
    "column 'body' not found. Fix: pass --text-column description"
    """

    def __init__(self, problem: str, *, fix: str | None = None) -> None:
        self.problem = problem.rstrip(".")
        self.fix = fix
        super().__init__(self.problem if fix is None else f"{self.problem}. Fix: {fix}")
