"""Which generator writes the queries: offline, an OpenAI-compatible chat model, OpenAI's Batch
API, or the user's own column (``--queries``)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

from embedtune.models.encoder import Encoder
from embedtune.progress import NullReporter, Reporter
from embedtune.queries.batch import CostEstimate
from embedtune.queries.column import user_queries
from embedtune.queries.config import QueryConfig
from embedtune.queries.records import FailedRow, Posting, QueryRecord, QueryResult

Confirm = Callable[[CostEstimate], bool]
"""Asked with the Batch API cost estimate before a batch is sent; False cancels."""


def write_queries(
    postings: list[Posting],
    config: QueryConfig,
    encoder: Encoder,
    *,
    user_column: Sequence[Any] | None = None,
    posting_of_rows: Sequence[str | None] = (),
    reporter: Reporter | None = None,
    confirm: Confirm | None = None,
) -> tuple[list[QueryRecord], list[FailedRow], dict[str, Any]]:
    """Queries for ``postings`` by ``config.method``; the failed postings and a report.

    ``column``: ``user_column`` holds one query per input row and ``posting_of_rows`` the posting
    each row became (see :func:`embedtune.queries.column.user_queries`). ``encoder`` is used by
    the offline generator only.
    """
    reporter = reporter or NullReporter()
    report: dict[str, Any] = {"source": config.source, "per_posting": config.per_posting}
    if config.method == "column":
        if user_column is None:
            raise ValueError("--queries column:NAME needs the column's values")
        records, dropped = user_queries(user_column, posting_of_rows)
        report["dropped_rows"] = dropped
        return records, [], report
    if config.method == "offline":
        from embedtune.queries.offline import OfflineQueryConfig, generate_offline_queries

        offline = OfflineQueryConfig(per_posting=config.count, seed=config.seed)
        return generate_offline_queries(postings, encoder, offline, reporter=reporter), [], report
    result = _llm_queries(postings, config, reporter, confirm)
    report["llm_model"] = config.llm_model
    report["failed"] = len(result.failed)
    return result.queries, result.failed, report


def llm_config(config: QueryConfig) -> Any:
    """The :class:`~embedtune.queries.llm.LLMConfig` behind ``--queries openai[-batch]``."""
    from embedtune.queries.llm import LLMConfig
    from embedtune.queries.prompt import DEFAULT_PROMPT, load_prompt_template

    template = (
        load_prompt_template(config.prompt_template) if config.prompt_template else DEFAULT_PROMPT
    )
    return LLMConfig(
        model=config.llm_model,
        base_url=config.llm_base_url,
        prompt_template=template,
        per_posting=config.count,
    )


def _llm_queries(
    postings: list[Posting], config: QueryConfig, reporter: Reporter, confirm: Confirm | None
) -> QueryResult:
    from embedtune.queries.batch import generate_batch_queries, load_prices
    from embedtune.queries.llm import generate_llm_queries, plan_jobs

    llm = llm_config(config)
    if config.method == "openai":
        return generate_llm_queries(postings, llm, reporter=reporter)
    keys = sorted(job.key for job in plan_jobs(postings, llm))
    digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:16]
    state_dir = llm.resolved_cache_dir.parent / "batches" / digest
    return generate_batch_queries(
        postings,
        llm,
        state_dir=state_dir,
        confirm=confirm,
        yes=config.yes,
        poll_interval=config.batch_poll_seconds,
        reporter=reporter,
        prices=load_prices(config.prices) if config.prices else None,
    )
