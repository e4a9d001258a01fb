"""What a sentence-transformers folder says about encoding, and the numpy pooling that follows it.

:func:`read_layout` reads ``modules.json`` and the module configs (both the sentence-transformers
6 format and the older one); :func:`pool` and :func:`l2_normalize` redo the Pooling and
Normalize modules on token vectors, so an ONNX file of the transformer alone embeds like the
model. Nothing here needs torch or onnxruntime.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

import numpy as np

from embedtune.errors import EmbedtuneError

if TYPE_CHECKING:
    from embedtune.models.encoder import TextKind

__all__ = [
    "POOLING_MODES",
    "ModelLayout",
    "PoolingMode",
    "check_model_dir",
    "l2_normalize",
    "pool",
    "read_layout",
]

PoolingMode = Literal["mean", "cls", "max"]
POOLING_MODES: tuple[str, ...] = get_args(PoolingMode)
# sentence-transformers < 6 wrote one boolean per mode in 1_Pooling/config.json
_LEGACY_POOLING_KEYS = {
    "pooling_mode_cls_token": "cls",
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens": "weightedmean",
    "pooling_mode_lasttoken": "lasttoken",
}
_DOCUMENT_PROMPTS = ("document", "passage", "corpus")  # the names encode_document looks for


@dataclass(frozen=True)
class ModelLayout:
    """The parts of a sentence-transformers folder the ONNX encoder re-implements."""

    folder: Path
    pooling: tuple[PoolingMode, ...]
    normalize: bool
    max_seq_length: int
    do_lower_case: bool = False
    prompts: dict[str, str] = field(default_factory=dict)
    include_prompt: bool = True

    def prompt(self, kind: TextKind) -> str:
        """The prompt ``encode_query`` / ``encode_document`` would prepend ("" for most models)."""
        names = ("query",) if kind == "query" else _DOCUMENT_PROMPTS
        return next((self.prompts[n] for n in names if n in self.prompts), "")


def read_layout(model_dir: Path) -> ModelLayout:
    """Read ``modules.json`` and the module configs of the sentence-transformers folder ``model_dir``.

    Supported: a Transformer, a Pooling (mean, cls or max, or several concatenated), and
    optionally a Normalize module; anything else is an :class:`EmbedtuneError` naming it.
    """
    model_dir = check_model_dir(model_dir)
    modules = _read_json(model_dir / "modules.json")
    if not isinstance(modules, list) or not modules:
        raise EmbedtuneError(
            f"{model_dir / 'modules.json'} is not a list of modules",
            fix="pass a folder saved by sentence-transformers (model.save)",
        )
    kinds = [
        str(m.get("type", "")).rsplit(".", 1)[-1] if isinstance(m, dict) else "" for m in modules
    ]
    if kinds[:2] != ["Transformer", "Pooling"] or any(k != "Normalize" for k in kinds[2:]):
        raise EmbedtuneError(
            f"{model_dir} is made of modules {' -> '.join(kinds)}, which the ONNX export does not "
            "cover",
            fix="export a model of Transformer -> Pooling (-> Normalize) modules",
        )
    transformer_dir = model_dir / str(modules[0].get("path", ""))
    pooling_config = _read_json(model_dir / str(modules[1].get("path", "")) / "config.json")
    if not isinstance(pooling_config, dict):
        raise EmbedtuneError(
            f"{model_dir} has no readable pooling config ({modules[1].get('path')}/config.json)",
            fix="pass a complete folder saved by sentence-transformers",
        )
    st_config = _read_json(model_dir / "config_sentence_transformers.json") or {}
    prompts = st_config.get("prompts") if isinstance(st_config, dict) else None
    bert_config = _read_json(transformer_dir / "sentence_bert_config.json") or {}
    from embedtune.models.registry import max_seq_length

    length = max_seq_length(model_dir)
    positions = (_read_json(transformer_dir / "config.json") or {}).get("max_position_embeddings")
    if isinstance(positions, int) and positions > 0:
        length = min(length, positions)
    layout = ModelLayout(
        folder=model_dir,
        pooling=_pooling_modes(pooling_config, model_dir),
        normalize=len(kinds) > 2,
        max_seq_length=length,
        do_lower_case=bool(bert_config.get("do_lower_case", False)),
        prompts={str(k): str(v) for k, v in (prompts or {}).items()},
        include_prompt=bool(pooling_config.get("include_prompt", True)),
    )
    if not layout.include_prompt and any(layout.prompts.values()):
        raise EmbedtuneError(
            f"{model_dir} pools without its prompt tokens (include_prompt false), which the ONNX "
            "encoder does not reproduce",
            fix="export a model that keeps prompt tokens in pooling, or one without prompts",
        )
    return layout


def check_model_dir(model_dir: Path) -> Path:
    """``model_dir`` resolved, if it is a sentence-transformers folder (has modules.json)."""
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise EmbedtuneError(
            f"model folder {model_dir} not found", fix="pass the folder of a saved model (--model)"
        )
    if not (model_dir / "modules.json").is_file():
        raise EmbedtuneError(
            f"{model_dir} is not a sentence-transformers model folder (no modules.json)",
            fix="pass a folder written by `embedtune train` or SentenceTransformer.save",
        )
    return model_dir.resolve()


def _pooling_modes(config: dict[str, Any], model_dir: Path) -> tuple[PoolingMode, ...]:
    raw = config.get("pooling_mode")
    if raw is None:
        raw = [mode for key, mode in _LEGACY_POOLING_KEYS.items() if config.get(key)]
    modes = [raw] if isinstance(raw, str) else list(raw)
    bad = [m for m in modes if m not in POOLING_MODES]
    if not modes or bad:
        raise EmbedtuneError(
            f"pooling {', '.join(map(str, bad or modes)) or 'none'} of {model_dir} is not "
            "supported by the ONNX encoder",
            fix=f"export a model pooled with one of: {', '.join(POOLING_MODES)}",
        )
    return cast("tuple[PoolingMode, ...]", tuple(modes))


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# ---------------------------------------------------------------------------------------------
# Pure numpy: pooling and the comparison


def pool(
    token_embeddings: np.ndarray, attention_mask: np.ndarray, modes: Sequence[PoolingMode]
) -> np.ndarray:
    """Sentence vectors from (batch, seq, dim) token vectors, as sentence-transformers pools.

    Several modes are concatenated in order; padding (mask 0) never counts.

    >>> t = np.array([[[1.0, 2.0], [3.0, 6.0], [9.0, 9.0]]], dtype=np.float32)
    >>> m = np.array([[1, 1, 0]])
    >>> pool(t, m, ["mean"]).tolist()
    [[2.0, 4.0]]
    >>> pool(t, m, ["cls", "max"]).tolist()
    [[1.0, 2.0, 3.0, 6.0]]
    """
    emb = np.asarray(token_embeddings, dtype=np.float32)
    mask = np.asarray(attention_mask)[..., None].astype(np.float32)
    out: list[np.ndarray] = []
    for mode in modes:
        if mode == "mean":
            out.append((emb * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None))
        elif mode == "cls":  # the first real token (left padding included)
            first = np.argmax(np.asarray(attention_mask), axis=1)
            out.append(emb[np.arange(len(emb)), first])
        elif mode == "max":
            out.append(np.where(mask > 0, emb, np.float32(-1e9)).max(axis=1))
        else:
            raise EmbedtuneError(
                f"unknown pooling mode {mode!r}", fix=f"use one of: {', '.join(POOLING_MODES)}"
            )
    return np.concatenate(out, axis=-1).astype(np.float32)


def l2_normalize(x: np.ndarray) -> np.ndarray:
    """Rows divided by their L2 norm (at least 1e-12), as torch's ``F.normalize``."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return (x / np.maximum(norms, 1e-12)).astype(np.float32)
