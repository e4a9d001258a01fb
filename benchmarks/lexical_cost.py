"""What the index's lexical half (``embedtune.index.lexical``) costs at N postings.

    .venv/bin/python benchmarks/lexical_cost.py --n 100000 [--queries 200]

Postings: real texts (Adzuna descriptions from ``../shared/data``, cycled to N, each with its
number appended so no two are equal) with SYNTHETIC vectors (``index_scale.synthetic``; no model
runs, so the times are the store's alone, excluding query encoding). Queries: the Adzuna titles
(the words a searcher types), with held-out synthetic vectors. Measured in one process, side by
side: the first search with texts (BM25 built from the table and saved to ``lexical.npz``), the
first search after reopening (the file read back), and per-query latency (p50/p95) of the
exact in-memory path with vectors only and with vectors + words at weight 0.2.
"""

from __future__ import annotations

import argparse
import csv
import json
import tempfile
import time
from pathlib import Path

import numpy as np
from index_scale import synthetic
from train_speed import machine

from embedtune.index.model_info import ModelInfo
from embedtune.index.source import Posting
from embedtune.index.store import LEXICAL_FILE, PostingStore

ADZUNA = (
    Path(__file__).resolve().parents[1].parent
    / "shared/data/adzuna_uk_jobs/Train_rev1_first2499.csv"
)


def percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--dim", type=int, default=384)
    args = parser.parse_args()
    if not ADZUNA.is_file():
        raise SystemExit(f"skipped: {ADZUNA} not found (the data sets live outside the repo)")
    with ADZUNA.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    texts = [r["FullDescription"] for r in rows]
    titles = list(dict.fromkeys(r["Title"] for r in rows))[: args.queries]
    data = synthetic(args.n + len(titles), args.dim, 0)
    vectors, queries = data[: args.n], data[args.n :]
    report: dict[str, object] = {"machine": machine(), "n": args.n, "queries": len(titles)}
    with tempfile.TemporaryDirectory() as tmp:
        store = PostingStore.create(Path(tmp) / "idx", ModelInfo("synthetic", "none", args.dim), [])
        for s in range(0, args.n, 2048):
            chunk = range(s, min(args.n, s + 2048))
            postings = [Posting(f"p{i}", "", f"{texts[i % len(texts)]} {i}", {}) for i in chunk]
            store.add(postings, vectors[chunk.start : chunk.stop])
        store.set_meta(lexical={"weight": 0.2})
        words = sum(len(texts[i % len(texts)].split()) for i in range(args.n)) / args.n
        report["words_per_posting"] = round(words, 1)
        store.search(queries[0], 10)  # load the vectors into memory first: not the lexical cost
        start = time.perf_counter()
        store.search(queries[0], 10, texts=titles[:1])
        report["first_search_building_bm25_s"] = round(time.perf_counter() - start, 2)
        report["lexical_npz_mb"] = round((store.path / LEXICAL_FILE).stat().st_size / 1e6, 1)
        reopened = PostingStore.open(store.path)
        reopened.search(queries[0], 10)
        start = time.perf_counter()
        reopened.search(queries[0], 10, texts=titles[:1])
        report["first_search_reading_lexical_npz_s"] = round(time.perf_counter() - start, 2)
        for label, with_words in (
            ("vectors", False),
            ("vectors + words", True),
            ("vectors again", False),
        ):
            times = []
            for q, title in zip(queries, titles, strict=True):
                start = time.perf_counter()
                reopened.search(q, 10, texts=[title] if with_words else None)
                times.append(time.perf_counter() - start)
            report[label] = percentiles(times)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
