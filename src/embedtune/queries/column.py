"""The user's own queries (``--queries column:NAME``): one per input row of a pairs file."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from embedtune.data.load import Corpus
from embedtune.errors import EmbedtuneError
from embedtune.queries.answers import clean_line
from embedtune.queries.records import QueryRecord

MAX_QUERY_WORDS = 32


def take_query_column(corpus: Corpus, column: str | None) -> tuple[Corpus, list[Any] | None]:
    """Split the query ``column`` off the corpus (it is not posting metadata); None: no column.

    >>> frame = pd.DataFrame({"text": ["a", "b"], "q": ["qa", "qb"]})
    >>> rest, values = take_query_column(Corpus(frame, "t"), "q")
    >>> list(rest.frame.columns), values
    (['text'], ['qa', 'qb'])
    """
    if column is None:
        return corpus, None
    if column not in corpus.frame.columns:
        raise EmbedtuneError(
            f"--queries column:{column}: no column {column!r} in {corpus.source}",
            fix=f"use one of: {', '.join(map(str, corpus.frame.columns))}",
        )
    values = corpus.frame[column].tolist()
    return replace(corpus, frame=corpus.frame.drop(columns=[column])), values


def user_queries(
    queries: Sequence[Any],
    posting_of_row: Sequence[str | None],
    *,
    max_words: int = MAX_QUERY_WORDS,
) -> tuple[list[QueryRecord], dict[str, int]]:
    """The user's own queries (one per input row) attached to the posting each row became.

    Rows whose posting was dropped (filtered or empty) lose their query; a duplicate posting's
    query moves to the kept original. Queries are cleaned like LLM answers (quotes, list marks),
    and empty or over-long ones are dropped. Returns the records and counts of what was dropped.
    """
    if len(queries) != len(posting_of_row):
        raise ValueError("one query per input row")
    records: list[QueryRecord] = []
    dropped = {"posting_dropped": 0, "empty": 0, "too_long": 0}
    for raw, posting in zip(queries, posting_of_row, strict=True):
        text = clean_line(str(raw)) if raw is not None and not _is_missing(raw) else ""
        if posting is None:
            dropped["posting_dropped"] += 1
        elif not text:
            dropped["empty"] += 1
        elif len(text.split()) > max_words:
            dropped["too_long"] += 1
        else:
            records.append(QueryRecord(posting_id=posting, query=text))
    return records, dropped


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
