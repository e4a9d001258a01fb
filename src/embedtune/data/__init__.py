"""Stage 1: load, clean, dedupe, fit and split a postings corpus."""

from __future__ import annotations

from embedtune.data.budget import fit_to_budget
from embedtune.data.config import PrepareConfig
from embedtune.data.dedupe import DedupeResult, Duplicate, find_duplicates
from embedtune.data.load import Corpus, load_corpus, read_table, resolve_columns
from embedtune.data.postings import PreparedCorpus, load_prepared, prepare_corpus
from embedtune.data.split import grouped_split

__all__ = [
    "Corpus",
    "DedupeResult",
    "Duplicate",
    "PrepareConfig",
    "PreparedCorpus",
    "find_duplicates",
    "fit_to_budget",
    "grouped_split",
    "load_corpus",
    "load_prepared",
    "prepare_corpus",
    "read_table",
    "resolve_columns",
]
