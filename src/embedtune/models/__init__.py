"""Base models: which name means which weights, and loading them.

:mod:`.catalogue` (the known models), :mod:`.resolution` (a name to a folder or a hub id),
:mod:`.loading` (tokenizer, model, longest input), :mod:`.splitzip` (a model in zip parts), and
:mod:`.encoder` (the ``Encoder`` protocol the pure code is written against).
"""

from __future__ import annotations

from embedtune.models.catalogue import KNOWN_MODELS, KnownModel, PackageLayout, find_known_model
from embedtune.models.loading import load_model, load_tokenizer, max_seq_length
from embedtune.models.resolution import (
    ModelSource,
    ResolvedModel,
    installed_models,
    is_offline,
    model_cache_dir,
    resolve_model,
)
from embedtune.models.splitzip import unpack_split_zip

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
