"""Stage 1b: a search query per posting, offline, from an LLM (chat or Batch API) or the user's
own column; the round-trip filter keeps those that find their posting."""

from __future__ import annotations

from embedtune.queries.answers import clean_raw_answer, parse_answer, select_queries
from embedtune.queries.batch import (
    DEFAULT_PRICES,
    CostEstimate,
    estimate_batch_cost,
    generate_batch_queries,
    load_prices,
)
from embedtune.queries.column import take_query_column, user_queries
from embedtune.queries.config import QUERY_METHODS, QueryConfig, QueryMethod, parse_query_source
from embedtune.queries.dispatch import Confirm, write_queries
from embedtune.queries.frame import QUERY_COLUMNS, query_frame
from embedtune.queries.llm import LLMConfig, generate_llm_queries
from embedtune.queries.offline import (
    OfflineQueryConfig,
    extract_keyphrases,
    generate_offline_queries,
)
from embedtune.queries.prompt import DEFAULT_PROMPT, load_prompt_template
from embedtune.queries.records import FailedRow, Posting, QueryRecord, QueryResult
from embedtune.queries.round_trip import positive_ranks, round_trip_filter

__all__ = [
    "DEFAULT_PRICES",
    "DEFAULT_PROMPT",
    "QUERY_COLUMNS",
    "QUERY_METHODS",
    "Confirm",
    "CostEstimate",
    "FailedRow",
    "LLMConfig",
    "OfflineQueryConfig",
    "Posting",
    "QueryConfig",
    "QueryMethod",
    "QueryRecord",
    "QueryResult",
    "clean_raw_answer",
    "estimate_batch_cost",
    "extract_keyphrases",
    "generate_batch_queries",
    "generate_llm_queries",
    "generate_offline_queries",
    "load_prices",
    "load_prompt_template",
    "parse_answer",
    "parse_query_source",
    "positive_ranks",
    "query_frame",
    "round_trip_filter",
    "select_queries",
    "take_query_column",
    "user_queries",
    "write_queries",
]
