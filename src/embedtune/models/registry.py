"""Which base model a name means, and loading it: the names of :mod:`embedtune.models`, by topic.

Kept so that ``from embedtune.models.registry import resolve_model`` goes on working; each name
lives in the module of its concept:

- :mod:`.catalogue`: the known models (``known_models.json``) and their spellings;
- :mod:`.resolution`: a name to a package folder, a local folder or a hub id;
- :mod:`.loading`: the tokenizer, the longest input, and the SentenceTransformer;
- :mod:`.splitzip`: unpacking a model shipped as byte-parts of one zip.
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
