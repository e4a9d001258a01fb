"""Triplet accuracy, the tutorial's metric: how often the query is closer to its positive.

Computed with sentence-transformers' ``TripletEvaluator`` (cosine similarity) on the
``triplets/{split}`` rows written by ``embedtune prepare``: anchor (query), positive and the
first negative. It saturates with easy negatives, so it is reported next to retrieval metrics,
never alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from embedtune.errors import EmbedtuneError

if TYPE_CHECKING:
    from datasets import Dataset
    from sentence_transformers import SentenceTransformer


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


def triplet_accuracy(
    model: SentenceTransformer, triplets: Dataset, *, batch_size: int = 32
) -> float | None:
    """Share of rows whose anchor is more cosine-similar to the positive than to the negative.

    None when the rows have no ``negative`` column (prepared with ``--negatives none``) or none
    at all.
    """
    if "negative" not in triplets.column_names or len(triplets) == 0:
        return None
    from sentence_transformers.sentence_transformer.evaluation import TripletEvaluator

    evaluator = TripletEvaluator(
        anchors=triplets["anchor"],
        positives=triplets["positive"],
        negatives=triplets["negative"],
        main_similarity_function="cosine",
        batch_size=batch_size,
        write_csv=False,
    )
    scores = evaluator(model)
    return float(scores[evaluator.primary_metric])
