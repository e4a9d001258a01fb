"""Keeping an index whole: one writer at a time, and a clear report when it is damaged.

Writers (``index --update``, ``index --delete``) hold an exclusive ``flock`` on ``DIR/.writer.lock``
while they write: LanceDB commits concurrent appends without complaint, so two updates adding
the same new ids would otherwise store every id twice. The lock dies with its process.

Readers check an index when they open it (see :meth:`PostingStore.open`); anything wrong
becomes an :class:`IndexDamagedError`: one line naming the damage and the command that
rebuilds the index.
"""

from __future__ import annotations

import errno
import fcntl
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from embedtune.errors import EmbedtuneError
from embedtune.progress import NullReporter, Reporter

LOCK_FILE = ".writer.lock"
_POLL_SECONDS = 0.05


class IndexDamagedError(EmbedtuneError):
    """The index folder is there but cannot be used as it is (a :class:`EmbedtuneError`)."""


def rebuild_command(path: Path, meta: Mapping[str, Any] | None) -> str:
    """The `embedtune index` line that rebuilds ``path``, from what ``index.json`` recorded.

    >>> rebuild_command(Path("idx"), {"model": {"name": "runs/m"}, "source": "jobs.csv"})
    '`embedtune index --model runs/m --corpus jobs.csv --out idx --overwrite`'
    """
    model = corpus = None
    if isinstance(meta, Mapping):
        info = meta.get("model")
        model = info.get("name") if isinstance(info, Mapping) else None
        corpus = meta.get("source")
    return (
        f"`embedtune index --model {model or 'MODEL'} --corpus {corpus or 'CORPUS'} "
        f"--out {path} --overwrite`"
    )


def damaged(
    path: Path, why: str, meta: Mapping[str, Any] | None = None, *, fix: str | None = None
) -> IndexDamagedError:
    """The error for a damaged index at ``path``; the fix defaults to rebuilding it."""
    return IndexDamagedError(
        f"index at {path} is damaged: {why}",
        fix=fix or f"rebuild it with {rebuild_command(path, meta)}",
    )


def short_reason(error: BaseException) -> str:
    """The first line of a (LanceDB / Arrow) error, without the source location it appends.

    >>> short_reason(RuntimeError("lance error: file size is too small, /root/src/utils.rs:1"))
    'lance error: file size is too small'
    """
    text = (str(error).strip().splitlines() or [type(error).__name__])[0]
    text = text.split(", /", 1)[0]
    return text if len(text) <= 200 else text[:199] + "…"


@contextmanager
def writer_lock(
    path: Path, *, reporter: Reporter | None = None, timeout: float | None = None
) -> Iterator[None]:
    """Hold the index's writer lock for the ``with`` block; wait for (and report) another holder.

    ``timeout`` seconds (default: no limit) bound the wait; past them, an error names the
    process that holds the lock. The lock is taken again if the folder was replaced meanwhile
    (``--overwrite``), so a writer always holds the lock of the folder now at ``path``.
    """
    fd = _lock(Path(path), reporter or NullReporter(), timeout)
    try:
        yield
    finally:
        os.close(fd)  # releases the lock


def _lock(path: Path, reporter: Reporter, timeout: float | None) -> int:
    lock_path = path / LOCK_FILE
    deadline = None if timeout is None else time.monotonic() + timeout
    with ExitStack() as waiting:
        reported = False
        while True:
            try:
                fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            except (FileNotFoundError, NotADirectoryError):
                raise EmbedtuneError(
                    f"{path} is not an embedtune index (no such folder)",
                    fix="build one with `embedtune index --model DIR --corpus FILE --out DIR`",
                ) from None
            except OSError as e:
                if e.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
                    raise
                raise EmbedtuneError(
                    f"cannot write index {path}: {e.strerror}",
                    fix="run as a user who may write that folder, or copy the index to a "
                    "writable place and pass the copy as --out",
                ) from None
            try:
                while not _try_flock(fd):
                    if deadline is not None and time.monotonic() >= deadline:
                        raise EmbedtuneError(
                            f"another process{_holder(lock_path)} is writing index {path}",
                            fix="wait for it to finish, then run this command again",
                        )
                    if not reported:
                        waiting.enter_context(
                            reporter.task(f"Waiting for another writer of {path}")
                        )
                        reported = True
                    time.sleep(_POLL_SECONDS)
                if _same_file(fd, lock_path):
                    os.ftruncate(fd, 0)
                    os.write(fd, str(os.getpid()).encode())
                    return fd
            except BaseException:
                os.close(fd)
                raise
            os.close(fd)  # the folder was replaced while we waited: lock the new one


def _try_flock(fd: int) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.stat(path).st_ino == os.fstat(fd).st_ino
    except FileNotFoundError:
        return False


def _holder(lock_path: Path) -> str:
    """`` (pid N)`` of the process that holds the lock, when it wrote its pid."""
    try:
        pid = lock_path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (pid {pid})" if pid.isdigit() else ""
