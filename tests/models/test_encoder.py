from __future__ import annotations

from typing import Any

import numpy as np

from embedtune.models.encoder import SentenceTransformerEncoder, normalize_rows


def test_normalize_rows_keeps_zero_rows() -> None:
    x = normalize_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert x.dtype == np.float32
    assert np.allclose(x, [[0.6, 0.8], [0.0, 0.0]])


def test_encoder_matches_model_and_caches(tiny_model: Any) -> None:
    enc = SentenceTransformerEncoder(tiny_model, batch_size=2)
    texts = ["data scientist", "ml engineer", "data scientist", "bi analyst"]
    out = enc.encode(texts)
    direct = tiny_model.encode(texts, convert_to_numpy=True, normalize_embeddings=True)
    assert out.shape == (4, enc.dimension) == (4, 32)
    assert np.allclose(out, direct, atol=1e-5)
    assert np.allclose(np.linalg.norm(out, axis=1), 1, atol=1e-5)
    calls: list[int] = []
    original = enc._encode
    enc._encode = lambda t, k: calls.append(len(t)) or original(t, k)  # type: ignore[method-assign]
    again = enc.encode(["bi analyst", "new text"])
    assert calls == [1]  # only the unseen text is encoded
    assert np.allclose(again[0], out[3])
    assert enc.encode([]).shape == (0, 32)


def test_encoder_without_cache(tiny_model: Any) -> None:
    enc = SentenceTransformerEncoder(tiny_model, cache=False)
    out = enc.encode(["a", "b", "a"])
    assert np.allclose(out[0], out[2])
