"""`embedtune prepare`, whole: load -> clean -> dedupe -> split -> queries -> filter -> negatives
-> write.

:func:`prepare` loads the source and the reference model, and writes; :func:`build_training_data`
does the work from queries on, on a corpus in memory, and can be tested with a fake encoder.
One encoder (the base model, with a text cache) serves query writing, the round-trip filter and
mining, so each posting is encoded once per run.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import pandas as pd

from embedtune.data.config import PrepareConfig
from embedtune.data.postings import PreparedCorpus, load_source, prepare_corpus
from embedtune.data.split import SPLIT_NAMES
from embedtune.errors import EmbedtuneError
from embedtune.models.encoder import Encoder
from embedtune.models.lazy_encoder import LazyEncoder
from embedtune.negatives.mining import NegativeConfig
from embedtune.prepare.result import TrainingData
from embedtune.prepare.rows import split_rows
from embedtune.prepare.write import write_output, write_prepared
from embedtune.progress import NullReporter, Reporter
from embedtune.queries.column import take_query_column
from embedtune.queries.config import QueryConfig
from embedtune.queries.dispatch import Confirm, write_queries
from embedtune.queries.frame import query_frame
from embedtune.queries.records import FailedRow, Posting
from embedtune.queries.round_trip import round_trip_filter


def prepare(
    config: PrepareConfig,
    queries: QueryConfig | None = None,
    negatives: NegativeConfig | None = None,
    *,
    reporter: Reporter | None = None,
    confirm: Confirm | None = None,
    encoder: Encoder | None = None,
) -> TrainingData:
    """Load ``config.source``, prepare it and write training data atomically to ``config.out``.

    ``encoder``: the reference model for offline queries, the round-trip filter and hard
    negatives (default: ``config.model``, loaded only when needed). ``confirm`` is asked before
    an OpenAI batch is sent (unless ``queries.yes``).
    """
    reporter = reporter or NullReporter()
    queries = queries or QueryConfig(seed=config.seed)
    negatives = negatives or NegativeConfig(seed=config.seed)
    corpus, tokenizer, budget = load_source(config, reporter)
    corpus, user_column = take_query_column(corpus, queries.column)
    prepared = prepare_corpus(corpus, config, tokenizer, budget, reporter=reporter)
    data = build_training_data(
        prepared,
        queries,
        negatives,
        LazyEncoder(config.model, encoder, reporter=reporter),
        user_column=user_column,
        reporter=reporter,
        confirm=confirm,
    )
    write_output(
        config, reporter, lambda tmp: write_prepared(data, tmp, config, queries, negatives)
    )
    return data


def build_training_data(
    prepared: PreparedCorpus,
    queries: QueryConfig,
    negatives: NegativeConfig,
    encoder: Encoder,
    *,
    user_column: Sequence[Any] | None = None,
    reporter: Reporter | None = None,
    confirm: Confirm | None = None,
) -> TrainingData:
    """Queries, round-trip filter and negatives for an already prepared corpus (in memory)."""
    reporter = reporter or NullReporter()
    started = time.perf_counter()
    frame, failed, query_report = _queries(
        prepared, queries, encoder, user_column, reporter, confirm
    )
    triplets, mining = _training_rows(prepared.postings, frame, negatives, encoder, reporter)
    report = {
        **prepared.report,
        "queries": query_report,
        "negatives": {"config": negatives.to_dict(), "splits": mining},
        "triplets": {name: len(t) for name, t in triplets.items()},
        "seconds": round(prepared.report.get("seconds", 0) + time.perf_counter() - started, 2),
    }
    return TrainingData(prepared, frame, failed, triplets, report)


def _queries(
    prepared: PreparedCorpus,
    config: QueryConfig,
    encoder: Encoder,
    user_column: Sequence[Any] | None,
    reporter: Reporter,
    confirm: Confirm | None,
) -> tuple[pd.DataFrame, list[FailedRow], dict[str, Any]]:
    """Write the queries, give them ids and splits, and apply the round-trip filter."""
    postings = prepared.postings
    records, failed, report = write_queries(
        [
            Posting(id=r.id, title=r.title, text=r.text)
            for r in postings[["id", "title", "text"]].itertuples(index=False)
        ],
        config,
        encoder,
        user_column=user_column,
        posting_of_rows=prepared.posting_of_rows() if user_column is not None else (),
        reporter=reporter,
        confirm=confirm,
    )
    frame = query_frame(records, dict(zip(postings["id"], postings["split"], strict=True)))
    report["generated"] = len(frame)
    report["postings_without_query"] = int(
        len(postings) - frame["posting_id"].nunique() if len(frame) else len(postings)
    )
    if config.round_trip_k is not None:
        frame, report["round_trip"] = round_trip_filter(
            frame, postings, encoder, config.round_trip_k, SPLIT_NAMES, reporter=reporter
        )
    report["kept"] = {name: int((frame["split"] == name).sum()) for name in SPLIT_NAMES}
    if len(frame) == 0:
        raise EmbedtuneError(
            "no usable query was written for any posting",
            fix="see failed_queries in the report, or use --queries offline",
        )
    return frame, failed, report


def _training_rows(
    postings: pd.DataFrame,
    queries: pd.DataFrame,
    config: NegativeConfig,
    encoder: Encoder,
    reporter: Reporter,
) -> tuple[dict[str, pd.DataFrame], dict[str, Any]]:
    """Each split's training rows, its negatives mined among its own postings; mining reports."""
    triplets: dict[str, pd.DataFrame] = {}
    mining: dict[str, Any] = {}
    for name in SPLIT_NAMES:
        triplets[name], mining[name] = split_rows(
            name,
            postings[postings["split"] == name].reset_index(drop=True),
            queries[queries["split"] == name].reset_index(drop=True),
            config,
            encoder,
            reporter=reporter,
        )
    if len(triplets["train"]) == 0 and (queries["split"] == "train").any():
        removed = mining["train"].get("guard_removed", 0)
        raise EmbedtuneError(
            f"no training row kept a negative: the false-negative guard removed {removed} "
            "candidates, as the reference model scores every posting close to the positive",
            fix="use a stronger reference --model, a higher --negatives-guard, "
            "or --negatives least-similar / none",
        )
    return triplets, mining
