"""What ``embedtune prepare`` produced, in memory."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from embedtune.data.postings import PreparedCorpus
from embedtune.queries.records import FailedRow


@dataclass(frozen=True)
class TrainingData:
    """Everything ``prepare`` writes, in memory."""

    corpus: PreparedCorpus
    """The kept postings with their splits, the dropped rows and the gold queries."""
    queries: pd.DataFrame
    """query_id, query, posting_id, split: the queries kept for training and evaluation."""
    failed: list[FailedRow]
    triplets: dict[str, pd.DataFrame]
    """The training rows of each split."""
    report: dict[str, Any]
