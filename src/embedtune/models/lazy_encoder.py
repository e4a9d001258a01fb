"""An :class:`~embedtune.models.encoder.Encoder` that loads its model on first use."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from embedtune.models.encoder import Encoder, TextKind
from embedtune.progress import NullReporter, Reporter


class LazyEncoder:
    """The model named ``model``, loaded (with a text cache) when something is first encoded.

    A run that needs no embeddings (``--queries column:NAME`` with ``--negatives none``) never
    loads it. Give ``encoder`` to use that one instead and load nothing.
    """

    def __init__(
        self, model: str, encoder: Encoder | None = None, *, reporter: Reporter | None = None
    ) -> None:
        self._name, self._encoder = model, encoder
        self._reporter = reporter or NullReporter()

    def _get(self) -> Encoder:
        if self._encoder is None:
            from embedtune.models.encoder import SentenceTransformerEncoder
            from embedtune.models.loading import load_model

            with self._reporter.task(f"Loading {self._name}", total=None):
                model = load_model(self._name)
            self._encoder = SentenceTransformerEncoder(model, reporter=self._reporter)
        return self._encoder

    @property
    def dimension(self) -> int:
        return self._get().dimension

    def encode(self, texts: Sequence[str], *, kind: TextKind = "document") -> np.ndarray:
        return self._get().encode(texts, kind=kind)
