"""The small records that flow between query generation, negative mining and prepare."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Posting:
    """A prepared posting as the query generators and miners see it."""

    id: str
    title: str
    text: str


@dataclass(frozen=True)
class QueryRecord:
    """One search query written for one posting (its positive)."""

    posting_id: str
    query: str


@dataclass(frozen=True)
class FailedRow:
    """A posting for which no usable query came back, and why."""

    posting_id: str
    reason: str
    raw: str = ""


@dataclass(frozen=True)
class QueryResult:
    queries: list[QueryRecord]
    failed: list[FailedRow]
