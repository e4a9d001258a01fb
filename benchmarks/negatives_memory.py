"""Peak memory and wall time of negative mining, against the tutorial's full similarity matrix.

    .venv/bin/python benchmarks/negatives_memory.py --n 100000 --dim 384

Seeded random unit float32 embeddings stand in for a real model: ``n`` postings, and ``n``
queries each near its own posting (query i's positive is posting i, as in the tutorial, where
every row is one (query, positive) pair); postings fall in groups of 4 for ``hard``. Each run
is a separate subprocess that builds its inputs, then mines through
``mine_from_embeddings`` (the code path ``mine_negatives`` takes after encoding); it reports
its own peak RSS (``getrusage(RUSAGE_SELF).ru_maxrss``), its RSS once the inputs exist, and
the mining's wall time. The parent also polls each child's RSS with psutil as a cross-check.

The tutorial's method (full ``N x N`` float32 similarity matrix, ``np.argsort`` of every row
into an ``N x N`` int64 matrix, then the greedy walk) cannot run at 100,000 on a 24 GB machine:
its need is computed. It is measured at ``--full-sizes`` (default 10,000 and 20,000) together
with ``least-similar`` at the same sizes, and the two lists of negatives are compared.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

MB = 1024 * 1024


# ------------------------------------------------------------------------------- worker


def make_inputs(n: int, dim: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(queries, postings): unit float32 rows, query i near posting i; built in place."""
    rng = np.random.default_rng(seed)
    corpus = rng.standard_normal((n, dim), dtype=np.float32)
    corpus /= np.linalg.norm(corpus, axis=1, keepdims=True)
    queries = rng.standard_normal((n, dim), dtype=np.float32)
    queries *= np.float32(0.8 / np.sqrt(dim))
    queries += corpus
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    return queries, corpus


def full_matrix_least_similar(positive_emb: np.ndarray, corpus_emb: np.ndarray) -> np.ndarray:
    """The tutorial's method: similarity matrix, argsort each row, greedy walk to unused ones."""
    sims = positive_emb @ corpus_emb.T  # N x N float32
    order = np.argsort(sims, axis=1, kind="stable")  # N x N int64
    used = np.zeros(corpus_emb.shape[0], dtype=bool)
    out = np.empty(positive_emb.shape[0], dtype=np.int64)
    for i, row in enumerate(order):
        j = row[np.argmax(~used[row])]
        used[j] = True
        out[i] = j
    return out


def worker(method: str, n: int, dim: int, seed: int, save: Path | None) -> dict[str, Any]:
    from embedtune.negatives import NegativeConfig, mine_from_embeddings

    queries, corpus = make_inputs(n, dim, seed)
    positives = np.arange(n)
    rss_inputs = psutil.Process().memory_info().rss / MB
    start = time.perf_counter()
    report: dict[str, Any] = {}
    if method == "full-matrix":
        negatives = full_matrix_least_similar(corpus[positives], corpus)
    else:
        result = mine_from_embeddings(
            queries,
            corpus,
            positives,
            NegativeConfig(method=method),  # type: ignore[arg-type]
            groups=positives // 4,
        )
        report = result.report
        negatives = np.array([x[0] if x else -1 for x in result.negatives])
    seconds = time.perf_counter() - start
    if save is not None:
        np.save(save, negatives)
    return {
        "method": method,
        "n": n,
        "dim": dim,
        "seconds": seconds,
        "rss_inputs_mb": rss_inputs,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "report": report,
    }


# ------------------------------------------------------------------------------- parent


def run_child(method: str, n: int, args: argparse.Namespace, save: Path | None) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", method, "--n", str(n), "--dim", str(args.dim)]
    cmd += ["--seed", str(args.seed)] + (["--save", str(save)] if save else [])
    print(f"  {method} at {n:,} ...", end="", flush=True)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    polled = 0.0
    ps = psutil.Process(proc.pid)
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            polled = max(polled, ps.memory_info().rss / MB)
        time.sleep(0.05)
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise SystemExit(f"{method} at {n} failed with exit code {proc.returncode}")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    result["polled_peak_mb"] = polled
    print(f" {result['seconds']:.1f} s, peak RSS {result['peak_rss_mb']:,.0f} MB")
    return result


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except OSError:
        pass
    ram = psutil.virtual_memory().total
    return f"{model}, {os.cpu_count()} cores, {ram / 1024**3:.1f} GiB ({ram / 1e9:.1f} GB) RAM"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="queries = postings")
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--full-sizes", default="10000,20000", help="sizes for the full matrix")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--save", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.n, args.dim, args.seed, args.save)))
        return

    print(f"machine: {machine()}")
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in [int(s) for s in args.full_sizes.split(",") if s]:
            full = run_child("full-matrix", size, args, Path(tmp) / f"full-{size}.npy")
            ours = run_child("least-similar", size, args, Path(tmp) / f"ours-{size}.npy")
            same = np.array_equal(
                np.load(Path(tmp) / f"full-{size}.npy"), np.load(Path(tmp) / f"ours-{size}.npy")
            )
            full["note"] = f"measured; negatives identical to chunked: {same}"
            ours["note"] = "measured"
            rows += [full, ours]
        for method in ("least-similar", "hard"):
            result = run_child(method, args.n, args, None)
            result["note"] = "measured"
            rows.append(result)
    need_sim = args.n * args.n * 4 / 1e9
    need_all = args.n * args.n * 12 / 1e9
    ram = psutil.virtual_memory().total / 1e9
    rows.append(
        {
            "method": "full-matrix",
            "n": args.n,
            "note": f"computed, not measured: {need_sim:,.1f} GB for the float32 similarity "
            f"matrix (N*N*4), {need_all:,.1f} GB with the int64 argsort (N*N*12); "
            + ("does not fit" if need_sim > ram else "fits")
            + f" in this machine's {ram:.1f} GB",
        }
    )

    print()
    print(
        "| method | N | peak RSS (MB) | RSS of inputs (MB) | polled peak (MB) | time (s) | note |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        if "seconds" not in r:
            print(f"| {r['method']} | {r['n']:,} | - | - | - | - | {r['note']} |")
            continue
        print(
            f"| {r['method']} | {r['n']:,} | {r['peak_rss_mb']:,.0f} | {r['rss_inputs_mb']:,.0f} "
            f"| {r['polled_peak_mb']:,.0f} | {r['seconds']:.1f} | {r['note']} |"
        )
    for r in rows:
        if r.get("report"):
            rep = r["report"]
            keys = [k for k in rep if not isinstance(rep[k], dict)]
            print(f"\n{r['method']} at {r['n']:,}: " + ", ".join(f"{k}={rep[k]}" for k in keys))
            for k in (k for k in rep if isinstance(rep[k], dict)):
                stats = rep[k]
                print(
                    f"  {k}: mean {stats['mean']:.3f}, p5 {stats['p5']:.3f}, "
                    f"p50 {stats['p50']:.3f}, p95 {stats['p95']:.3f}"
                )


if __name__ == "__main__":
    main()
