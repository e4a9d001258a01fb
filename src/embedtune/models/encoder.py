"""The one interface every stage encodes text through, so that pure code can take a fake.

An :class:`Encoder` turns texts into L2-normalised float32 rows; cosine similarity is then a dot
product. :class:`SentenceTransformerEncoder` wraps a real model and caches by text, so a run
encodes each posting once however many stages ask for it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np

from embedtune.progress import NullReporter, Reporter

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

TextKind = Literal["query", "document"]


class Encoder(Protocol):
    """Anything that embeds texts as L2-normalised float32 rows of a fixed dimension."""

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: Sequence[str], *, kind: TextKind = "document") -> np.ndarray: ...


def normalize_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit L2 norm (zero rows stay zero), as float32."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.where(norms == 0, 1, norms)


class SentenceTransformerEncoder:
    """A sentence-transformers model behind the :class:`Encoder` interface, with a text cache."""

    def __init__(
        self,
        model: SentenceTransformer,
        *,
        batch_size: int = 64,
        reporter: Reporter | None = None,
        cache: bool = True,
    ) -> None:
        self.model = model
        self.batch_size = batch_size
        self.reporter = reporter or NullReporter()
        self._cache: dict[tuple[TextKind, str], np.ndarray] | None = {} if cache else None

    @property
    def dimension(self) -> int:
        getter = getattr(self.model, "get_embedding_dimension", None)  # sentence-transformers >= 6
        dim = getter() if getter else self.model.get_sentence_embedding_dimension()
        assert dim is not None
        return int(dim)

    def encode(self, texts: Sequence[str], *, kind: TextKind = "document") -> np.ndarray:
        keys = [(kind, hashlib.sha1(t.encode()).hexdigest()) for t in texts]
        cache = self._cache if self._cache is not None else {}
        todo = list(dict.fromkeys(k for k in keys if k not in cache))
        if todo:
            text_of = dict(zip(keys, texts, strict=True))
            batch = [text_of[k] for k in todo]
            out = np.empty((len(batch), self.dimension), dtype=np.float32)
            label = "Encoding queries" if kind == "query" else "Encoding documents"
            with self.reporter.task(label, total=len(batch)) as task:
                for start in range(0, len(batch), self.batch_size):
                    chunk = batch[start : start + self.batch_size]
                    out[start : start + len(chunk)] = self._encode(chunk, kind)
                    task.advance(len(chunk))
            out = normalize_rows(out)
            if self._cache is None:
                fresh = dict(zip(todo, out, strict=True))
                return np.stack([fresh[k] for k in keys]) if keys else out[:0]
            cache.update(zip(todo, out, strict=True))
        if not keys:
            return np.empty((0, self.dimension), dtype=np.float32)
        return np.stack([cache[k] for k in keys])

    def _encode(self, texts: list[str], kind: TextKind) -> np.ndarray:
        encode = self.model.encode_query if kind == "query" else self.model.encode_document
        return np.asarray(
            encode(
                texts, batch_size=self.batch_size, convert_to_numpy=True, show_progress_bar=False
            ),
            dtype=np.float32,
        )
