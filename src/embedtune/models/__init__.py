"""Base models: which name means which weights, and loading them (see :mod:`.registry`)."""

from __future__ import annotations

from embedtune.models.registry import (
    KNOWN_MODELS,
    KnownModel,
    ModelSource,
    PackageLayout,
    ResolvedModel,
    find_known_model,
    installed_models,
    is_offline,
    load_model,
    load_tokenizer,
    max_seq_length,
    model_cache_dir,
    resolve_model,
    unpack_split_zip,
)

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
