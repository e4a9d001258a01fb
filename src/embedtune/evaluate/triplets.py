"""Triplet accuracy, the tutorial's metric: how often the query is closer to its positive.

Cosine similarity, compared as sentence-transformers' ``TripletEvaluator`` does, on the
``triplets/{split}`` rows written by ``embedtune prepare``: anchor (query), positive and the
first negative. It saturates with easy negatives, so it is reported next to retrieval metrics,
never alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from embedtune.errors import EmbedtuneError
from embedtune.models.encoder import Encoder

if TYPE_CHECKING:
    from datasets import Dataset


def load_triplets(data_dir: Path, split: str) -> Dataset | None:
    """The ``triplets/`` rows of ``split``; None when the prepared folder has no triplets."""
    folder = Path(data_dir) / "triplets"
    if not folder.is_dir():
        return None
    from datasets import DatasetDict, load_from_disk

    try:
        triplets = load_from_disk(str(folder))
    except (OSError, ValueError, FileNotFoundError) as exc:
        raise EmbedtuneError(
            f"could not read {folder} ({exc})", fix="rerun embedtune prepare into a new --out"
        ) from None
    if not isinstance(triplets, DatasetDict) or split not in triplets:
        raise EmbedtuneError(
            f"{folder} has no split {split!r}",
            fix="rerun embedtune prepare, which writes train, validation and test",
        )
    return triplets[split]


def triplet_accuracy(encoder: Encoder, triplets: Dataset) -> float | None:
    """Share of rows whose anchor is more cosine-similar to the positive than to the negative.

    Encodes through ``encoder``, so texts the retrieval sets already embedded (the split's
    queries and postings) come from its cache instead of a second forward pass; anchors are
    encoded as queries. The same comparison as sentence-transformers' ``TripletEvaluator``
    (strictly greater). None when the rows have no ``negative`` column (prepared with
    ``--negatives none``) or none at all.
    """
    if "negative" not in triplets.column_names or len(triplets) == 0:
        return None
    anchors = encoder.encode(triplets["anchor"], kind="query")
    positives = encoder.encode(triplets["positive"], kind="document")
    negatives = encoder.encode(triplets["negative"], kind="document")
    pos = np.einsum("ij,ij->i", anchors, positives)
    neg = np.einsum("ij,ij->i", anchors, negatives)
    return float(np.mean(pos > neg))
