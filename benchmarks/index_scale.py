"""Scale of the index: build time, size on disk and top-10 query latency at 100,000 vectors.

    .venv/bin/python benchmarks/index_scale.py --n 100000 --dim 384

The vectors are SYNTHETIC: seeded unit vectors drawn around 1,000 random cluster centres (real
embeddings cluster too; uniform random vectors are the worst case for IVF-PQ recall). No model
runs, so the latency is the store's alone, excluding the query's encoding. Texts are short
placeholders. The index is built as `embedtune index` builds it: chunks of 2,048 rows appended
to a LanceDB table, then IVF-PQ (above the 50,000-row threshold). Queries are held-out points
near the data; recall@10 is measured against exact brute-force top-10 (numpy). Two query paths:
``default`` is what `embedtune search` and `serve` use (exact, in memory while the vectors fit
1 GiB), ``ann`` the LanceDB IVF-PQ path used beyond that.

``--known K`` then adds K known queries (``embedtune.index.known``: seeded points near random
postings, weight 0.5) and times both paths again in the same process, side by side.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import numpy as np

from embedtune.index.build import folder_size
from embedtune.index.model_info import ModelInfo
from embedtune.index.source import Posting
from embedtune.index.store import PostingStore
from embedtune.models.encoder import normalize_rows


def synthetic(n: int, dim: int, seed: int, centres: int = 1000) -> np.ndarray:
    rng = np.random.default_rng(seed)
    c = normalize_rows(rng.normal(size=(centres, dim)))
    return normalize_rows(
        c[rng.integers(0, centres, n)] + 0.6 * rng.normal(size=(n, dim)) / dim**0.5
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--known", type=int, default=0, help="known queries to add, then time")
    args = parser.parse_args()

    data = synthetic(args.n + args.queries, args.dim, args.seed)
    vectors, queries = data[: args.n], data[args.n :]
    with tempfile.TemporaryDirectory() as tmp:
        model = ModelInfo("synthetic", "none", args.dim)
        start = time.perf_counter()
        store = PostingStore.create(Path(tmp) / "idx", model, ["city"])
        for s in range(0, args.n, 2048):
            rows = range(s, min(args.n, s + 2048))
            store.add(
                [Posting(f"p{i}", f"Job {i}", f"posting text {i}", {"city": "x"}) for i in rows],
                vectors[s : s + 2048],
            )
        write_s = time.perf_counter() - start
        t = time.perf_counter()
        built = store.maybe_build_ann()
        ann_s = time.perf_counter() - t
        size = folder_size(Path(tmp) / "idx")
        truth = [{f"p{i}" for i in np.argsort(-(vectors @ q))[:10]} for q in queries]
        t = time.perf_counter()
        store.search(queries[0], 10)  # the default path: loads the in-memory copy once
        load_s = time.perf_counter() - t
        lat: dict[str, list[float]] = {"default": [], "ann": []}
        recall: dict[str, list[float]] = {"default": [], "ann": []}
        for path, in_memory in (("default", None), ("ann", False)):
            store.search(queries[0], 10, in_memory=in_memory)  # warm up
            for q, true in zip(queries, truth, strict=True):
                t = time.perf_counter()
                hits = store.search(q, 10, in_memory=in_memory)[0]
                lat[path].append(time.perf_counter() - t)
                recall[path].append(len(true & {h.id for h in hits}) / 10)
        known: dict[str, float] = {}
        if args.known:
            rng = np.random.default_rng(args.seed + 1)
            at = rng.integers(0, args.n, args.known)
            near = normalize_rows(
                vectors[at] + 0.5 * rng.normal(size=(args.known, args.dim)) / args.dim**0.5
            )
            store.add_known([f"q{i}" for i in range(args.known)], [f"p{i}" for i in at], near)
            store.set_meta(known_queries={"weight": 0.5})
            for path, in_memory in (("default", None), ("ann", False)):
                store.search(queries[0], 10, in_memory=in_memory)  # warm up (loads them)
                times = []
                for q in queries:
                    t = time.perf_counter()
                    store.search(q, 10, in_memory=in_memory)
                    times.append(time.perf_counter() - t)
                known[f"known_{path}_top10_p50_ms"] = round(
                    float(np.percentile(times, 50)) * 1000, 2
                )
                known[f"known_{path}_top10_p95_ms"] = round(
                    float(np.percentile(times, 95)) * 1000, 2
                )
    ms = lambda xs, p: round(float(np.percentile(xs, p)) * 1000, 2)  # noqa: E731
    print(
        json.dumps(
            {
                "vectors": args.n,
                "dim": args.dim,
                "data": "synthetic clustered unit vectors (seeded), not a model's embeddings",
                "ann": store.meta["ann"] if built else None,
                "write_s": round(write_s, 1),
                "ann_build_s": round(ann_s, 1),
                "build_total_s": round(write_s + ann_s, 1),
                "size_mb": round(size / 1e6, 1),
                "in_memory_load_s": round(load_s, 2),
                "default_top10_p50_ms": ms(lat["default"], 50),
                "default_top10_p95_ms": ms(lat["default"], 95),
                "default_recall_at_10": round(float(np.mean(recall["default"])), 3),
                "ann_top10_p50_ms": ms(lat["ann"], 50),
                "ann_top10_p95_ms": ms(lat["ann"], 95),
                "ann_recall_at_10": round(float(np.mean(recall["ann"])), 3),
                "queries": args.queries,
                "known_queries": args.known,
                **known,
                "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
