"""Loading a resolved model: its tokenizer, its longest input, the SentenceTransformer itself.

Each function takes a name, a folder, a hub id or a :class:`~.resolution.ResolvedModel`. torch,
transformers and sentence-transformers are imported inside the functions that need them, not
when this module is imported.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from embedtune.errors import EmbedtuneError
from embedtune.models.resolution import ResolvedModel, installed_hint, is_offline, resolve_model

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer
    from transformers import PreTrainedTokenizerBase

__all__ = ["MAX_SEQ_LENGTH_CAP", "load_model", "load_tokenizer", "max_seq_length"]

MAX_SEQ_LENGTH_CAP = 512


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

    >>> max_seq_length("all-MiniLM-L6-v2")
    256
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


def _as_resolved(model: str | os.PathLike[str] | ResolvedModel) -> ResolvedModel:
    return model if isinstance(model, ResolvedModel) else resolve_model(model)


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
            f"folder; offline models: {installed_hint()}"
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
    """``key`` of the JSON object in ``path`` as a positive int, or None (missing, bad, <= 0)."""
    data = _read_json(path)
    value = data.get(key) if isinstance(data, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        return None
    return int(min(value, 2**31))
