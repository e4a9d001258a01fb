"""Our chunked exact top-k (``embedtune.negatives.topk``) against faiss ``IndexFlatIP``.

    .venv/bin/python benchmarks/topk_compare.py --n 20000 --dim 384 --k 10 64

Seeded random unit float32 vectors: ``n`` queries against ``n`` corpus rows (the shape of
negative mining and of evaluation). Each side runs in its own subprocess that builds the
inputs, then reports the wall time of the top-k (median of ``--repeat``) and its peak RSS above
what it held once the inputs existed (``ru_maxrss``). The parent checks that both return the
same indices (and scores within float32 rounding); ties are not expected with random vectors.
faiss is not a dependency of embedtune: without it (``pip install faiss-cpu``) the script says
so and exits 0.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from typing import Any

import numpy as np


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _vectors(n: int, dim: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    corpus = rng.standard_normal((n, dim), dtype=np.float32)
    corpus /= np.linalg.norm(corpus, axis=1, keepdims=True)
    queries = corpus + 0.5 * rng.standard_normal((n, dim), dtype=np.float32) / np.sqrt(dim)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    return queries, corpus


def worker(impl: str, n: int, dim: int, k: int, repeat: int, out: str) -> None:
    queries, corpus = _vectors(n, dim, seed=0)
    if impl == "faiss":
        import faiss

        def run() -> tuple[np.ndarray, np.ndarray]:
            index = faiss.IndexFlatIP(dim)
            index.add(corpus)
            scores, idx = index.search(queries, k)
            return idx, scores
    else:
        from embedtune.negatives.topk import chunked_topk

        def run() -> tuple[np.ndarray, np.ndarray]:
            return chunked_topk(queries, corpus, k)

    before = _rss_mb()
    seconds = []
    for _ in range(repeat):
        start = time.perf_counter()
        idx, scores = run()
        seconds.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    np.savez(out, idx=idx, scores=scores)
    json.dump(
        {"seconds": statistics.median(seconds), "peak_above_inputs_mb": peak - before}, sys.stdout
    )


def compare(n: int, dim: int, k: int, repeat: int) -> dict[str, Any]:
    result: dict[str, Any] = {"n": n, "dim": dim, "k": k}
    arrays = {}
    for impl in ("ours", "faiss"):
        path = f"/tmp/topk_{impl}_{n}_{k}.npz"
        cmd = [sys.executable, __file__, "--worker", impl, "--n", str(n), "--dim", str(dim)]
        cmd += ["--k", str(k), "--repeat", str(repeat), "--out", path]
        stats = json.loads(subprocess.run(cmd, check=True, capture_output=True).stdout)
        result[impl] = {key: round(v, 3) for key, v in stats.items()}
        arrays[impl] = np.load(path)
    same = arrays["ours"]["idx"] == arrays["faiss"]["idx"]
    result["identical_indices"] = float(same.mean())
    result["rows_identical"] = float(same.all(axis=1).mean())
    diff = np.abs(arrays["ours"]["scores"] - arrays["faiss"]["scores"])
    result["max_abs_score_diff"] = float(diff.max())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--dim", type=int, default=384)
    parser.add_argument("--k", type=int, nargs="+", default=[10, 64])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--worker", choices=["ours", "faiss"], default=None)
    parser.add_argument("--out", default="")
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.n, args.dim, args.k[0], args.repeat, args.out)
        return
    try:
        import faiss
    except ImportError:
        print("faiss is not installed (pip install faiss-cpu); nothing to compare")
        return
    print(f"# faiss {faiss.__version__}, numpy {np.__version__}")
    for k in args.k:
        print(json.dumps(compare(args.n, args.dim, k, args.repeat)))


if __name__ == "__main__":
    main()
