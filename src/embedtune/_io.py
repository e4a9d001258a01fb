"""Atomic file and folder writes (readers never see anything half-written); JSON Lines reading."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from embedtune.errors import EmbedtuneError


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON to ``path`` through a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, ensure_ascii=False, default=str)
            f.write("\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextmanager
def atomic_dir(out: Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside ``out``; on success it replaces ``out`` in one rename.

    On any error the temporary folder is removed and ``out`` is left as it was.
    """
    out = Path(out)
    if out.exists() and not overwrite:
        raise EmbedtuneError(
            f"output folder {out} already exists",
            fix="choose another --out, or pass --overwrite to replace it",
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old: Path | None = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    os.replace(tmp, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def iter_json_lines(
    lines: Iterator[str] | list[str], path: Path
) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line; a bad line is an error naming it."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise EmbedtuneError(
                f"{path}, line {number}: invalid JSON ({e.msg})",
                fix="write one JSON object per line",
            ) from None
        if not isinstance(row, dict):
            raise EmbedtuneError(
                f"{path}, line {number}: expected a JSON object, got {type(row).__name__}",
                fix="write one JSON object per line",
            )
        yield number, row
