"""`embedtune prepare`, whole: postings -> queries -> negatives -> training and evaluation data.

:func:`prepare_training_data` loads the source, runs stage 1a (:mod:`embedtune.data.prepare`),
writes queries (:mod:`embedtune.queries`), filters them, mines negatives per split
(:mod:`embedtune.negatives`) and writes everything atomically. One encoder (the base model, with
a text cache) serves query writing, the round-trip filter and mining, so each posting is encoded
once per run.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from embedtune._io import write_json
from embedtune.data.config import PrepareConfig
from embedtune.data.load import Corpus
from embedtune.data.prepare import (
    PreparedCorpus,
    _quiet_datasets,
    load_source,
    prepare_corpus,
    save_prepared,
    write_output,
)
from embedtune.data.split import SPLIT_NAMES
from embedtune.errors import EmbedtuneError
from embedtune.models.encoder import Encoder
from embedtune.negatives.mining import MiningResult, NegativeConfig, mine_negatives
from embedtune.progress import NullReporter, Reporter
from embedtune.queries.batch import CostEstimate
from embedtune.queries.config import QueryConfig
from embedtune.queries.records import FailedRow, Posting, QueryRecord, QueryResult
from embedtune.triplets.build import (
    beir_records,
    positive_ranks,
    query_frame,
    triplet_frame,
    user_queries,
)

Confirm = Callable[[CostEstimate], bool]


@dataclass(frozen=True)
class TrainingData:
    """Everything ``prepare`` wrote, in memory."""

    corpus: PreparedCorpus
    queries: pd.DataFrame
    """query_id, query, posting_id, split: the queries kept for training and evaluation."""
    failed: list[FailedRow]
    triplets: dict[str, pd.DataFrame]
    report: dict[str, Any]


def prepare_training_data(
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
    corpus, user_column = _take_query_column(corpus, queries)
    prepared = prepare_corpus(corpus, config, tokenizer, budget, reporter=reporter)
    lazy = _LazyEncoder(config.model, encoder, reporter)
    data = build_training_data(
        prepared,
        queries,
        negatives,
        lazy,
        user_column=user_column,
        reporter=reporter,
        confirm=confirm,
    )
    write_output(
        config, reporter, lambda tmp: save_training_data(data, tmp, config, queries, negatives)
    )
    return data


def build_training_data(
    prepared: PreparedCorpus,
    queries: QueryConfig,
    negatives: NegativeConfig,
    encoder: Encoder,
    *,
    user_column: list[Any] | None = None,
    reporter: Reporter | None = None,
    confirm: Confirm | None = None,
) -> TrainingData:
    """Queries, round-trip filter and negatives for an already prepared corpus (in memory)."""
    reporter = reporter or NullReporter()
    started = time.perf_counter()
    postings = prepared.postings
    split_of = dict(zip(postings["id"], postings["split"], strict=True))
    records, failed, query_report = _write_queries(
        prepared, queries, encoder, user_column, reporter, confirm
    )
    frame = query_frame(records, split_of)
    query_report["generated"] = len(frame)
    query_report["postings_without_query"] = int(
        len(postings) - frame["posting_id"].nunique() if len(frame) else len(postings)
    )
    if queries.round_trip_k is not None:
        frame, query_report["round_trip"] = _round_trip(
            frame, postings, encoder, queries.round_trip_k, reporter
        )
    query_report["kept"] = {name: int((frame["split"] == name).sum()) for name in SPLIT_NAMES}
    if len(frame) == 0:
        raise EmbedtuneError(
            "no usable query was written for any posting",
            fix="see failed_queries in the report, or use --queries offline",
        )

    triplets: dict[str, pd.DataFrame] = {}
    mining: dict[str, Any] = {}
    for name in SPLIT_NAMES:
        split_postings = postings[postings["split"] == name].reset_index(drop=True)
        split_queries = frame[frame["split"] == name].reset_index(drop=True)
        triplets[name], mining[name] = _split_triplets(
            name, split_postings, split_queries, negatives, encoder, reporter
        )
    if len(triplets["train"]) == 0 and query_report["kept"]["train"] > 0:
        removed = mining["train"].get("guard_removed", 0)
        raise EmbedtuneError(
            f"no training row kept a negative: the false-negative guard removed {removed} "
            "candidates, as the reference model scores every posting close to the positive",
            fix="use a stronger reference --model, a higher --negatives-guard, "
            "or --negatives least-similar / none",
        )
    report = {
        **prepared.report,
        "queries": query_report,
        "negatives": {"config": negatives.to_dict(), "splits": mining},
        "triplets": {name: len(t) for name, t in triplets.items()},
        "seconds": round(prepared.report.get("seconds", 0) + time.perf_counter() - started, 2),
    }
    return TrainingData(prepared, frame, failed, triplets, report)


# ------------------------------------------------------------------------------------- queries


def _take_query_column(corpus: Corpus, queries: QueryConfig) -> tuple[Corpus, list[Any] | None]:
    """For ``column:NAME``, split the query column off the corpus (it is not posting metadata)."""
    column = queries.column
    if column is None:
        return corpus, None
    if column not in corpus.frame.columns:
        raise EmbedtuneError(
            f"--queries column:{column}: no column {column!r} in {corpus.source}",
            fix=f"use one of: {', '.join(map(str, corpus.frame.columns))}",
        )
    values = corpus.frame[column].tolist()
    return replace(corpus, frame=corpus.frame.drop(columns=[column])), values


def _write_queries(
    prepared: PreparedCorpus,
    config: QueryConfig,
    encoder: Encoder,
    user_column: list[Any] | None,
    reporter: Reporter,
    confirm: Confirm | None,
) -> tuple[list[QueryRecord], list[FailedRow], dict[str, Any]]:
    postings = [
        Posting(id=r.id, title=r.title, text=r.text)
        for r in prepared.postings[["id", "title", "text"]].itertuples(index=False)
    ]
    report: dict[str, Any] = {"source": config.source, "per_posting": config.per_posting}
    if config.method == "column":
        assert user_column is not None
        records, dropped = user_queries(user_column, prepared.posting_of_rows())
        report["dropped_rows"] = dropped
        return records, [], report
    if config.method == "offline":
        from embedtune.queries.offline import OfflineQueryConfig, generate_offline_queries

        offline = OfflineQueryConfig(per_posting=config.per_posting, seed=config.seed)
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
        per_posting=config.per_posting,
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


def _round_trip(
    frame: pd.DataFrame, postings: pd.DataFrame, encoder: Encoder, k: int, reporter: Reporter
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Keep the queries whose posting the reference model ranks in the top ``k`` of its split."""
    keep = np.zeros(len(frame), dtype=bool)
    removed: dict[str, int] = {}
    with reporter.task(f"Round-trip filter (top {k})", total=None):
        for name in SPLIT_NAMES:
            rows = np.flatnonzero((frame["split"] == name).to_numpy())
            split_postings = postings[postings["split"] == name]
            if not len(rows):
                removed[name] = 0
                continue
            position = {pid: i for i, pid in enumerate(split_postings["id"])}
            corpus_emb = encoder.encode(split_postings["text"].tolist(), kind="document")
            query_emb = encoder.encode(frame["query"].iloc[rows].tolist(), kind="query")
            positives = np.array([position[p] for p in frame["posting_id"].iloc[rows]])
            ranks = positive_ranks(query_emb, corpus_emb, positives)
            keep[rows] = ranks < k
            removed[name] = int((ranks >= k).sum())
    examples = frame.loc[~keep, ["query", "posting_id"]].head(5).to_dict("records")
    report = {"k": k, "removed": removed, "removed_total": sum(removed.values())}
    report["removed_examples"] = examples
    return frame[keep].reset_index(drop=True), report


# ----------------------------------------------------------------------------------- negatives


def _split_triplets(
    name: str,
    postings: pd.DataFrame,
    queries: pd.DataFrame,
    config: NegativeConfig,
    encoder: Encoder,
    reporter: Reporter,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """One split's training rows, its negatives mined among that split's postings only."""
    if len(queries) == 0:
        frame, _ = triplet_frame(queries, postings, None if config.method == "none" else [], 1)
        return frame, {"queries": 0, "postings": len(postings)}
    n = config.num_negatives if config.method != "none" else 0
    candidates = len(postings) - 1
    if config.method != "none" and candidates < n:
        raise EmbedtuneError(
            f"the {name} split has {len(postings)} postings: too few for {n} negatives per query",
            fix="use a larger corpus, fewer --num-negatives, or --negatives none",
        )
    position = {pid: i for i, pid in enumerate(postings["id"])}
    group_codes = pd.factorize(postings["group"])[0]
    result: MiningResult = mine_negatives(
        queries["query"].tolist(),
        [position[p] for p in queries["posting_id"]],
        postings["text"].tolist(),
        encoder,
        config,
        groups=group_codes.tolist(),
        reporter=reporter,
    )
    chosen = None if config.method == "none" else result.negatives
    report = {"queries": len(queries), "postings": len(postings), **result.report}
    if config.method == "hard" and chosen is not None:
        report["widened"] = _widen(
            chosen, queries, postings, position, group_codes, config, encoder
        )
    frame, short = triplet_frame(queries, postings, chosen, max(n, 1))
    report["rows_without_enough_negatives"] = short
    return frame, report


def _widen(
    chosen: list[list[int]],
    queries: pd.DataFrame,
    postings: pd.DataFrame,
    position: dict[str, int],
    group_codes: np.ndarray,
    config: NegativeConfig,
    encoder: Encoder,
) -> dict[str, int]:
    """Queries whose rank window held too few negatives past the guard look further down.

    When every candidate in ``[range_min, range_max)`` scores too close to the positive (common
    in a corpus of many near-identical roles), the window moves to ``[range_max, 4 * range_max)``
    and so on until the corpus ends; the guard still applies. Fills ``chosen`` in place and
    returns how many queries were short and how many a wider window completed.
    """
    n = config.num_negatives
    short = [i for i, c in enumerate(chosen) if len(c) < n]
    counts = {"short": len(short), "completed": 0}
    low, last = config.range_max, len(postings) - 1
    while short and low < last:
        high = min(last, low * 4)
        if high - low < n:
            break
        wider = replace(config, range_min=low, range_max=high)
        result = mine_negatives(
            queries["query"].iloc[short].tolist(),
            [position[p] for p in queries["posting_id"].iloc[short]],
            postings["text"].tolist(),
            encoder,
            wider,
            groups=group_codes.tolist(),
        )
        for i, extra in zip(short, result.negatives, strict=True):
            chosen[i] = (list(chosen[i]) + [j for j in extra if j not in chosen[i]])[:n]
        still = [i for i in short if len(chosen[i]) < n]
        counts["completed"] += len(short) - len(still)
        short, low = still, high
    return counts


# -------------------------------------------------------------------------------------- output


def save_training_data(
    data: TrainingData,
    out: Path,
    config: PrepareConfig,
    queries: QueryConfig,
    negatives: NegativeConfig,
) -> None:
    """Write stage 1a's files, then triplets/, queries.parquet, failed_queries.jsonl and ir/."""
    import datasets

    save_prepared(data.corpus, out, config)
    with _quiet_datasets():
        datasets.DatasetDict(
            {name: _as_dataset(frame) for name, frame in data.triplets.items()}
        ).save_to_disk(  # one shard each: datasets cannot load an empty split saved with none
            str(out / "triplets"), num_shards=dict.fromkeys(data.triplets, 1)
        )
    data.queries.to_parquet(out / "queries.parquet", index=False)
    with (out / "failed_queries.jsonl").open("w", encoding="utf-8") as f:
        for row in data.failed:
            f.write(json.dumps(row.__dict__, ensure_ascii=False) + "\n")
    postings = data.corpus.postings
    gold = data.corpus.gold_queries
    for name in SPLIT_NAMES:
        split_postings = postings[postings["split"] == name]
        write_beir(out / "ir" / name, split_postings, data.queries[data.queries["split"] == name])
        if gold is not None:
            write_beir(out / "ir" / f"{name}-gold", split_postings, gold[gold["split"] == name])
    write_json(out / "prepare_report.json", data.report)
    config_data = json.loads((out / "config.json").read_text(encoding="utf-8"))
    config_data["queries"] = queries.to_dict()
    config_data["negatives"] = negatives.to_dict()
    write_json(out / "config.json", config_data)


def _as_dataset(frame: pd.DataFrame) -> Any:
    """A string-typed ``datasets.Dataset`` (an empty frame keeps its columns and loads back)."""
    import datasets

    features = datasets.Features({c: datasets.Value("string") for c in frame.columns})
    return datasets.Dataset.from_dict(
        {c: frame[c].astype(str).tolist() for c in frame.columns}, features=features
    )


def write_beir(folder: Path, postings: pd.DataFrame, queries: pd.DataFrame) -> None:
    """One split in BEIR layout: corpus.jsonl, queries.jsonl, qrels/test.tsv (with header)."""
    corpus, qs, qrels = beir_records(postings, queries)
    (folder / "qrels").mkdir(parents=True)
    for file, rows in (("corpus.jsonl", corpus), ("queries.jsonl", qs)):
        with (folder / file).open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    with (folder / "qrels" / "test.tsv").open("w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\tscore\n")
        f.writelines(f"{q}\t{p}\t{s}\n" for q, p, s in qrels)


# ------------------------------------------------------------------------------------- encoder


class _LazyEncoder:
    """The reference model, loaded on first use (``column:`` + ``none`` never loads it)."""

    def __init__(self, model: str, encoder: Encoder | None, reporter: Reporter) -> None:
        self._name, self._encoder, self._reporter = model, encoder, reporter

    def _get(self) -> Encoder:
        if self._encoder is None:
            from embedtune.models.encoder import SentenceTransformerEncoder
            from embedtune.models.registry import load_model

            with self._reporter.task(f"Loading {self._name}", total=None):
                model = load_model(self._name)
            self._encoder = SentenceTransformerEncoder(model, reporter=self._reporter)
        return self._encoder

    @property
    def dimension(self) -> int:
        return self._get().dimension

    def encode(self, texts: Any, *, kind: Any = "document") -> np.ndarray:
        return self._get().encode(texts, kind=kind)
