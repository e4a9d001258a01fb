"""Which model built an index: name, fingerprint of its weights, and embedding dimension."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from embedtune.errors import EmbedtuneError

if TYPE_CHECKING:
    import torch
    from sentence_transformers import SentenceTransformer


@dataclass(frozen=True)
class ModelInfo:
    """The model an index was built with. ``name`` is what the user passed (a name or a folder)."""

    name: str
    fingerprint: str
    dimension: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelInfo:
        return cls(str(data["name"]), str(data["fingerprint"]), int(data["dimension"]))


def model_fingerprint(model: SentenceTransformer) -> str:
    """A short hash of every weight tensor (name, dtype, shape, bytes): same weights, same hash.

    Independent of where the model was loaded from, so a copied folder keeps its fingerprint,
    and a fine-tuned model never shares one with its base model.
    """
    return state_fingerprint(model.state_dict())


def state_fingerprint(state: Mapping[str, torch.Tensor]) -> str:
    """:func:`model_fingerprint` of the model whose state dict is ``state``."""
    import torch

    digest = hashlib.sha256()
    for name, tensor in sorted(state.items()):
        t = tensor.detach().to("cpu").contiguous()
        digest.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
        digest.update(t.view(-1).view(dtype=torch.uint8).numpy().tobytes())
    return digest.hexdigest()[:16]


def describe_model(model: SentenceTransformer, name: str) -> ModelInfo:
    """The :class:`ModelInfo` of a loaded ``model`` that the user called ``name``."""
    getter = getattr(model, "get_embedding_dimension", None)
    dim = getter() if getter else model.get_sentence_embedding_dimension()
    if dim is None:
        raise EmbedtuneError(f"model {name} does not report its embedding dimension")
    return ModelInfo(name=name, fingerprint=model_fingerprint(model), dimension=int(dim))


def check_same_model(index_model: ModelInfo, query_model: ModelInfo, index_path: str) -> None:
    """Raise a clear error when ``query_model`` is not the model that built the index."""
    if index_model.fingerprint == query_model.fingerprint:
        return
    raise EmbedtuneError(
        f"index {index_path} was built with model {index_model.name} "
        f"(fingerprint {index_model.fingerprint}, {index_model.dimension}-d), not with "
        f"{query_model.name} (fingerprint {query_model.fingerprint}, {query_model.dimension}-d); "
        "its vectors and your queries would not be comparable",
        fix=f"query with --model {index_model.name}, or rebuild the index with "
        f"`embedtune index --model {query_model.name} ... --overwrite`",
    )
