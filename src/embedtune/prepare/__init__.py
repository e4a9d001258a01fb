"""`embedtune prepare`: raw postings -> clean splits, queries, negatives, training and IR data.

:func:`prepare` runs load -> clean -> dedupe -> split (:mod:`embedtune.data`) -> queries ->
round-trip filter (:mod:`embedtune.queries`) -> negatives (:mod:`embedtune.negatives`) -> write
(:mod:`.write`), writing the report and the resolved config once.
"""

from __future__ import annotations

from embedtune.prepare.orchestrator import build_training_data, prepare
from embedtune.prepare.result import TrainingData
from embedtune.prepare.rows import negative_columns, split_rows, triplet_frame
from embedtune.prepare.write import write_output, write_prepared
from embedtune.queries.dispatch import Confirm

__all__ = [
    "Confirm",
    "TrainingData",
    "build_training_data",
    "negative_columns",
    "prepare",
    "split_rows",
    "triplet_frame",
    "write_output",
    "write_prepared",
]
