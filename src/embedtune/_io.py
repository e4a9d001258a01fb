"""Atomic file and folder writes (readers never see anything half-written), the checks that keep
``--out``/``--overwrite`` from destroying inputs or folders embedtune did not write; JSON Lines
reading."""

from __future__ import annotations

import codecs
import json
import os
import re
import secrets
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from embedtune.errors import EmbedtuneError

MARKER = ".embedtune"
"""The file every output folder embedtune writes carries: ``--overwrite`` replaces only those."""

# Output folders written before MARKER existed, recognised by files only their stage writes.
LEGACY_OUTPUTS: tuple[tuple[str, ...], ...] = (
    ("prepare_report.json", "dataset"),  # embedtune prepare
    ("train_config.json", "modules.json"),  # embedtune train
    ("index.json", "postings.lance"),  # embedtune index
    ("export.json", "model.onnx"),  # embedtune export (OUT/onnx)
    ("run_state.json",),  # embedtune run
)

# ".NAME.tmp-PID-HEX" / ".NAME.old-PID-HEX": the pid tells whether their writer is still alive
_SCRATCH = re.compile(r"\.(?P<name>.+)\.(?P<kind>tmp|old)-(?P<pid>\d+)-[0-9a-f]+")


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON to ``path``, atomically (see :func:`write_bytes`)."""
    write_text(path, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path``, atomically (see :func:`write_bytes`)."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it and a rename.

    Readers see the old file or the new one, never half of it; on any error the temporary
    file is removed. The file gets the usual permissions (0666 less the umask), like any file
    the user writes (``tempfile.mkstemp`` would make it 0600).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def written_by_embedtune(folder: Path) -> bool:
    """Whether ``folder`` is one embedtune wrote: it holds MARKER, or a stage's known files."""
    folder = Path(folder)
    if not folder.is_dir():
        return False
    if (folder / MARKER).is_file():
        return True
    return any(all((folder / name).exists() for name in files) for files in LEGACY_OUTPUTS)


def mark_written(folder: Path) -> None:
    """Put MARKER in ``folder``, so a later ``--overwrite`` may replace it."""
    (Path(folder) / MARKER).write_text(
        "This folder was written by embedtune; `--overwrite` may replace it.\n", encoding="utf-8"
    )


def overlap(folder: Path, other: Path) -> str | None:
    """How ``folder`` sits against ``other``: it "is" it, "contains" it, "lies inside" it, or
    None when neither holds the other (paths resolved, symlinks followed).

    >>> overlap(Path("/a/b"), Path("/a/b/c.csv")), overlap(Path("/a/b/c"), Path("/a")), overlap(Path("/a"), Path("/b"))
    ('contains', 'lies inside', None)
    """
    target, path = Path(folder).resolve(), Path(other).resolve()
    if path == target:
        return "is"
    if path.is_relative_to(target):
        return "contains"
    if target.is_relative_to(path):
        return "lies inside"
    return None


def check_out(
    out: Path,
    *,
    sources: Iterable[str | Path | None] = (),
    overwrite: bool = False,
    nested_ok: bool = False,
) -> None:
    """Refuse an output folder that would destroy something; call it before any slow work.

    ``out`` may not be, contain or (unless ``nested_ok``: ``export`` writes MODEL/onnx) lie
    inside any of ``sources`` (the inputs; strings that are no existing path, such as ``demo``,
    are skipped). An existing ``out`` needs ``overwrite``, and even then must be an empty folder
    or one embedtune wrote (:func:`written_by_embedtune`). And it must be writable.

    For example, with ``src/jobs.csv`` as the input, ``--out src/jobs.csv`` is the input,
    ``--out src`` contains it, and ``--out src/jobs.csv/x`` would lie inside it: all refused,
    with ``--overwrite`` or without; ``--out src --overwrite`` is refused too when ``src`` has
    no MARKER (so it would be even without the input in it).
    """
    out = Path(out)
    for source in sources:
        if source is None or not Path(source).exists():
            continue
        relation = overlap(out, Path(source))
        if relation is None or (relation == "lies inside" and nested_ok):
            continue
        raise EmbedtuneError(
            f"output folder {out} {relation} the input {source}",
            fix="choose an --out apart from the inputs (writing it would replace them)",
        )
    if out.exists() or out.is_symlink():
        if not overwrite:
            raise EmbedtuneError(
                f"output folder {out} already exists",
                fix="choose another --out, or pass --overwrite to replace it",
            )
        if not out.is_dir():
            raise EmbedtuneError(
                f"output folder {out} is a file, not a folder embedtune wrote",
                fix="choose another --out; --overwrite replaces only folders embedtune wrote",
            )
        if any(out.iterdir()) and not written_by_embedtune(out):
            raise EmbedtuneError(
                f"{out} was not written by embedtune (it has no {MARKER} file), "
                "so embedtune will not write over it",
                fix="choose another --out, or delete that folder yourself if you no longer need it",
            )
    _check_writable(out)


def _check_writable(out: Path) -> None:
    """Create and remove a folder where ``out`` will be made; refuse when that fails."""
    where = out.absolute().parent
    while not where.exists() and where != where.parent:
        where = where.parent
    if not where.is_dir():
        raise EmbedtuneError(f"cannot write {out}: {where} is a file", fix="choose another --out")
    probe = where / f".embedtune-probe-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        probe.mkdir()
        probe.rmdir()
    except OSError as e:
        raise EmbedtuneError(
            f"cannot write {out}: {where} is not writable ({e.strerror or e})",
            fix="choose an --out on a writable disk, in a folder you may write to",
        ) from None


@contextmanager
def atomic_dir(out: Path, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary folder beside ``out``; on success it replaces ``out`` in one rename.

    On any error the temporary folder is removed and ``out`` is left as it was. The new folder
    carries MARKER, and ``overwrite`` replaces only a folder that embedtune wrote (see
    :func:`check_out`). Temporary folders that a killed writer left beside ``out`` are removed.
    """
    out = Path(out)
    check_out(out, overwrite=overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    remove_stale(out)
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    tmp.mkdir()  # 0777 less the umask (tempfile.mkdtemp would make it 0700)
    try:
        yield tmp
        mark_written(tmp)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    replace_dir(tmp, out)


def replace_dir(new: Path, out: Path) -> None:
    """Put the finished folder ``new`` at ``out`` in one rename; an existing ``out`` is first
    moved aside (``.OUT.old-PID-HEX``, which :func:`remove_stale` puts back should the writer
    die between the two renames) and removed after."""
    old: Path | None = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}-{secrets.token_hex(4)}")
        os.replace(out, old)
    os.replace(new, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def remove_stale(out: Path) -> list[Path]:
    """Remove the temporary folders beside ``out`` whose writer process is gone; return them.

    A writer killed mid-swap (``out`` moved aside, the new folder not yet renamed) leaves
    ``out`` missing and its old version aside: that one is put back instead.
    """
    out = Path(out)
    removed: list[Path] = []
    if not out.parent.is_dir():
        return removed
    for entry in sorted(out.parent.iterdir()):
        found = _SCRATCH.fullmatch(entry.name)
        if not found or found["name"] != out.name or not entry.is_dir():
            continue
        if _alive(int(found["pid"])):
            continue
        if found["kind"] == "old" and not out.exists():
            os.replace(entry, out)
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _alive(pid: int) -> bool:
    """Whether process ``pid`` exists (unsure counts as alive, so nothing live is removed)."""
    if pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill would terminate it there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, owned by someone else
        return True
    return True


def iter_lines(source: Path | str, *, encoding: str = "utf-8") -> Iterator[str]:
    r"""The lines of a file (a ``Path``, streamed in ``encoding``) or of a text (a ``str``).

    Lines are split on ``"\n"`` only (a ``"\r"`` before it is dropped), never on the other
    characters ``str.splitlines`` breaks at: U+2028, U+2029 and NEL are valid inside a JSON
    string, and pandas writes them raw. A UTF-8 byte order mark at the start is dropped.

    >>> list(iter_lines('{"a": "x\u2028y"}\r\n{"b": 2}\n'))
    ['{"a": "x\u2028y"}', '{"b": 2}']
    """
    if isinstance(source, Path):
        if codecs.lookup(encoding).name == "utf-8":
            encoding = "utf-8-sig"
        with source.open(encoding=encoding, newline="\n") as f:
            for line in f:
                yield line.rstrip("\n").removesuffix("\r")
        return
    text = source.removeprefix("\ufeff")
    parts = text.split("\n")
    if parts and parts[-1] == "":
        parts.pop()
    for line in parts:
        yield line.removesuffix("\r")


def iter_json_lines(lines: Iterable[str], path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    r"""(line number, object) for each non-blank line; a bad line is an error naming it.

    Give it ``iter_lines(path)``: a line split anywhere but at ``"\n"`` breaks valid JSON.
    """
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
