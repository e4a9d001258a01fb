"""Stage 1b, assembled: queries and negatives for prepared postings -> training and IR data."""

from __future__ import annotations

from embedtune.triplets.build import negative_columns, positive_ranks, query_frame, triplet_frame
from embedtune.triplets.pipeline import (
    TrainingData,
    build_training_data,
    prepare_training_data,
    save_training_data,
    write_beir,
)

__all__ = [
    "TrainingData",
    "build_training_data",
    "negative_columns",
    "positive_ranks",
    "prepare_training_data",
    "query_frame",
    "save_training_data",
    "triplet_frame",
    "write_beir",
]
