"""Write one retrieval set in BEIR layout (read back by :func:`embedtune.evaluate.beir.load_beir`).

``embedtune prepare`` writes one per split: ``corpus.jsonl`` (every posting of the split),
``queries.jsonl`` and ``qrels/test.tsv`` (with its header row, every score 1); and, when the
corpus has titles, the titles view of the validation and test splits (:mod:`.titles`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd


def beir_records(
    postings: pd.DataFrame, queries: pd.DataFrame
) -> tuple[list[dict[str, str]], list[dict[str, str]], list[tuple[str, str, int]]]:
    """The BEIR view of one split: corpus (every posting), queries, and qrels (score 1).

    >>> postings = pd.DataFrame({"id": ["a"], "title": ["A"], "text": ["ta"]})
    >>> queries = pd.DataFrame({"query_id": ["a:q1"], "query": ["qa"], "posting_id": ["a"]})
    >>> beir_records(postings, queries)
    ([{'_id': 'a', 'title': 'A', 'text': 'ta'}], [{'_id': 'a:q1', 'text': 'qa'}], [('a:q1', 'a', 1)])
    """
    corpus = [
        {"_id": pid, "title": title, "text": text}
        for pid, title, text in zip(
            postings["id"], postings["title"], postings["text"], strict=True
        )
    ]
    qs = [
        {"_id": qid, "text": text}
        for qid, text in zip(queries["query_id"], queries["query"], strict=True)
    ]
    qrels = [
        (qid, pid, 1) for qid, pid in zip(queries["query_id"], queries["posting_id"], strict=True)
    ]
    return corpus, qs, qrels


def write_beir(folder: Path, postings: pd.DataFrame, queries: pd.DataFrame) -> None:
    """One split in BEIR layout: corpus.jsonl, queries.jsonl, qrels/test.tsv (with header)."""
    write_beir_records(folder, *beir_records(postings, queries))


def write_beir_records(
    folder: Path,
    corpus: Sequence[Mapping[str, str]],
    qs: Sequence[Mapping[str, str]],
    qrels: Sequence[tuple[str, str, int]],
) -> None:
    """Records (as :func:`beir_records` returns them) in BEIR layout into a new ``folder``."""
    (folder / "qrels").mkdir(parents=True)
    for file, rows in (("corpus.jsonl", corpus), ("queries.jsonl", qs)):
        with (folder / file).open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    with (folder / "qrels" / "test.tsv").open("w", encoding="utf-8") as f:
        f.write("query-id\tcorpus-id\tscore\n")
        f.writelines(f"{q}\t{p}\t{s}\n" for q, p, s in qrels)
