"""Writing a prepared folder: the layout ``train``, ``evaluate`` and ``index`` read.

``dataset/`` and ``parquet/`` (the postings of each split), ``gold_queries.parquet`` (when the
source brings queries), ``dropped.jsonl``, ``triplets/``, ``queries.parquet``,
``failed_queries.jsonl``, ``ir/{split}``, ``ir/{split}-gold`` and, when the corpus has a title
column, ``ir/validation-titles`` and ``ir/test-titles`` (BEIR layout),
``prepare_report.json`` and ``config.json``, each written once, into a temporary folder that
replaces ``--out`` only when everything is written.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from embedtune._io import atomic_dir, write_json
from embedtune.data.config import PrepareConfig
from embedtune.data.postings import PreparedCorpus
from embedtune.data.split import SPLIT_NAMES
from embedtune.evaluate.beir_write import write_beir
from embedtune.evaluate.titles import TITLE_SPLITS, write_titles
from embedtune.negatives.mining import NegativeConfig
from embedtune.prepare.result import TrainingData
from embedtune.progress import Reporter
from embedtune.queries.config import QueryConfig

TRIPLET_BATCH_ROWS = 4096
"""Training rows written at once (a batch of their texts is what writing holds in memory)."""


def write_output(config: PrepareConfig, reporter: Reporter, write: Callable[[Path], None]) -> None:
    """``write(folder)`` into a temporary folder that replaces ``config.out`` when it succeeds;
    then push to the Hub if asked."""
    with (
        reporter.task(f"Writing {config.out}", total=None),
        atomic_dir(config.out, overwrite=config.overwrite) as tmp,
    ):
        write(tmp)
    if config.push_to_hub:
        from embedtune.data.hub import push_prepared

        with reporter.task(f"Pushing to the Hub: {config.push_to_hub}", total=None):
            push_prepared(config.out, config.push_to_hub)


def write_prepared(
    data: TrainingData,
    out: Path,
    config: PrepareConfig,
    queries: QueryConfig,
    negatives: NegativeConfig,
) -> None:
    """Write every file of a prepared folder into ``out`` (an existing, empty folder)."""
    _write_postings(data.corpus, out)
    _write_training(data, out)
    write_json(out / "prepare_report.json", data.report)
    write_json(
        out / "config.json",
        {
            "prepare": config.to_dict(),
            "versions": _versions(),
            "queries": queries.to_dict(),
            "negatives": negatives.to_dict(),
        },
    )


def _write_postings(prepared: PreparedCorpus, out: Path) -> None:
    """The postings of each split (Arrow + Parquet), gold queries and dropped rows."""
    import datasets

    by_split = {
        name: prepared.postings[prepared.postings["split"] == name].reset_index(drop=True)
        for name in SPLIT_NAMES
    }
    dataset = datasets.DatasetDict(
        {
            name: datasets.Dataset.from_pandas(df, preserve_index=False)
            for name, df in by_split.items()
        }
    )
    with _quiet_datasets():
        dataset.save_to_disk(str(out / "dataset"))
    (out / "parquet").mkdir()
    for name, df in by_split.items():
        df.to_parquet(out / "parquet" / f"{name}.parquet", index=False)
    if prepared.gold_queries is not None:
        prepared.gold_queries.to_parquet(out / "gold_queries.parquet", index=False)
    pd.DataFrame(prepared.dropped).to_json(out / "dropped.jsonl", orient="records", lines=True)


def _write_training(data: TrainingData, out: Path) -> None:
    """triplets/, queries.parquet, failed_queries.jsonl and the BEIR sets under ir/."""
    write_triplets(data.triplets, out / "triplets")
    data.queries.to_parquet(out / "queries.parquet", index=False)
    with (out / "failed_queries.jsonl").open("w", encoding="utf-8") as f:
        for row in data.failed:
            f.write(json.dumps(row.__dict__, ensure_ascii=False) + "\n")
    postings = data.corpus.postings
    gold = data.corpus.gold_queries
    titled = data.corpus.report.get("columns", {}).get("title") is not None
    for name in SPLIT_NAMES:
        split_postings = postings[postings["split"] == name]
        write_beir(out / "ir" / name, split_postings, data.queries[data.queries["split"] == name])
        if gold is not None:
            write_beir(out / "ir" / f"{name}-gold", split_postings, gold[gold["split"] == name])
        if titled and name in TITLE_SPLITS:  # held-back postings only: see evaluate/titles.py
            write_titles(out / "ir" / f"{name}-titles", split_postings)


def write_triplets(
    triplets: dict[str, pd.DataFrame], folder: Path, *, batch_rows: int = TRIPLET_BATCH_ROWS
) -> None:
    """Each split's rows as a ``datasets.DatasetDict`` saved at ``folder`` (``load_from_disk``
    reads it), every column a string, written ``batch_rows`` rows at a time.

    ``DatasetDict.save_to_disk`` would first build every split in memory through
    ``Dataset.from_dict`` (about five times the text, transiently: +2 GB at 100,000 postings).
    Here ``save_to_disk`` writes the layout (``dataset_dict.json``, each split's ``state.json``,
    ``dataset_info.json`` and its one data file) for empty splits with the same features, and
    each data file is then rewritten as an Arrow stream with datasets' own ``ArrowWriter``, a
    batch of rows at a time: memory holds one batch of text, whatever the number of rows.
    """
    import datasets
    import pyarrow as pa
    from datasets.arrow_writer import ArrowWriter

    features = {
        name: datasets.Features({c: datasets.Value("string") for c in frame.columns})
        for name, frame in triplets.items()
    }
    empty = datasets.DatasetDict(
        {
            name: datasets.Dataset.from_dict(
                {c: [] for c in frame.columns}, features=features[name]
            )
            for name, frame in triplets.items()
        }
    )
    with _quiet_datasets():  # one shard each: datasets cannot load an empty split saved with none
        empty.save_to_disk(str(folder), num_shards=dict.fromkeys(triplets, 1))
    for name, frame in triplets.items():
        state = json.loads((folder / name / "state.json").read_text(encoding="utf-8"))
        (data_file,) = (folder / name / f["filename"] for f in state["_data_files"])
        with ArrowWriter(features=features[name], path=str(data_file)) as writer:
            for start in range(0, len(frame), batch_rows):
                part = frame.iloc[start : start + batch_rows]
                writer.write_table(
                    pa.table({c: pa.array(part[c].astype(str), pa.string()) for c in part})
                )
            writer.finalize()


@contextmanager
def _quiet_datasets() -> Iterator[None]:
    """Hide datasets' own progress bars for a moment (we show ours), then restore the setting."""
    import datasets

    was_enabled = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        yield
    finally:
        if was_enabled:
            datasets.enable_progress_bars()


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    found = {"python": platform.python_version()}
    for name in ("embedtune", "datasets", "transformers", "tokenizers", "pandas"):
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            continue
    return found
