"""Run the `embedtune` command line in-process, as a user would from a shell."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from embedtune.cli.main import main


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: Any, *args: str) -> tuple[int, str, str]:
    """``embedtune ARGS``: its exit code, stdout and stderr (what fixtures printed is dropped)."""
    capsys.readouterr()
    monkeypatch.setattr(sys, "argv", ["embedtune", *args])
    monkeypatch.delenv("EMBEDTUNE_DEBUG", raising=False)
    code = 0
    try:
        main()
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
