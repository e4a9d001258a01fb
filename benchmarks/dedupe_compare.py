"""Our numpy MinHash + LSH (``embedtune.data.dedupe``) against datasketch's, on real texts.

    .venv/bin/python benchmarks/dedupe_compare.py --demo-n 2000 \
        --glassdoor /work/shared/data/glassdoor_ds_jobs/glassdoor_jobs.csv

Both sides get the same cleaned texts (``clean_posting``, as ``embedtune prepare`` does), the same
word 3-gram shingles, ``num_perm`` (128), LSH split (the ``(bands, rows)`` that ``_bands_for``
picks for the threshold) and threshold, and both verify candidates on their MinHash Jaccard
estimate. They differ only where the libraries differ: datasketch hashes shingles with SHA-1 and
permutes modulo a Mersenne prime; ours uses CRC-32 and multiply-shift. Each side runs in its own
subprocess that reports the wall time of signatures + LSH + verification (median of
``--repeat``) and its peak RSS above what it held before (``ru_maxrss``). The parent computes
the exact Jaccard of every pair (a sparse shingle matrix product) and scores both pair lists
against it: pairs found by one side only, and recall / false pairs against the truth.
Skips cleanly (exit 0, a note) when datasketch is not installed.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

THRESHOLDS = (0.5, 0.7)  # embedtune's group_threshold and near-duplicate threshold


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * resource.getpagesize() / 2**20


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _ours(texts: list[str], threshold: float, num_perm: int) -> list[tuple[int, int, float]]:
    from embedtune.data.dedupe import minhash_signatures, similar_pairs

    return similar_pairs(minhash_signatures(texts, num_perm=num_perm), threshold)


def _datasketch(texts: list[str], threshold: float, num_perm: int) -> list[tuple[int, int, float]]:
    from datasketch import MinHash, MinHashLSH

    from embedtune.data.dedupe import _bands_for, shingles

    bands, rows = _bands_for(threshold, num_perm)
    sets = [[s.encode() for s in shingles(t)] for t in texts]
    hashes = MinHash.bulk(sets, num_perm=num_perm, seed=1)
    lsh = MinHashLSH(num_perm=num_perm, params=(bands, rows))
    with lsh.insertion_session() as session:
        for i, (h, s) in enumerate(zip(hashes, sets, strict=True)):
            if s:  # an empty text matches nothing, as in ours
                session.insert(i, h)
    pairs = []
    for i, (h, s) in enumerate(zip(hashes, sets, strict=True)):
        if not s:
            continue
        for j in sorted(lsh.query(h)):
            if j > i:
                jaccard = float(h.jaccard(hashes[j]))
                if jaccard >= threshold:
                    pairs.append((i, j, jaccard))
    return sorted(pairs)


def worker(impl: str, texts_file: Path, threshold: float, num_perm: int, repeat: int) -> None:
    texts = json.loads(texts_file.read_text(encoding="utf-8"))
    run = {"ours": _ours, "datasketch": _datasketch}[impl]
    import embedtune.data.dedupe  # noqa: F401  (imports outside the timing)

    if impl == "datasketch":
        import datasketch  # noqa: F401
    before = _rss_mb()
    seconds, pairs = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        pairs = run(texts, threshold, num_perm)
        seconds.append(time.perf_counter() - start)
    out = {
        "seconds": statistics.median(seconds),
        "peak_above_start_mb": round(_peak_mb() - before, 1),
        "pairs": [[i, j] for i, j, _ in pairs],
    }
    json.dump(out, sys.stdout)


def load_texts(name: str, args: argparse.Namespace) -> list[str]:
    from embedtune.data.clean import clean_posting

    if name == "demo":
        from embedtune.data.demo import generate_demo_corpus

        raw = [p["description"] for p in generate_demo_corpus(args.demo_n, seed=42).postings]
    else:
        import pandas as pd

        raw = pd.read_csv(args.glassdoor)["Job Description"].fillna("").astype(str).tolist()
    return [clean_posting(t).text if t.strip() else "" for t in raw]


def exact_jaccard_pairs(texts: list[str], threshold: float) -> set[tuple[int, int]]:
    """Every pair whose exact shingle-set Jaccard is at least ``threshold``."""
    from scipy import sparse

    from embedtune.data.dedupe import shingles

    vocab: dict[str, int] = {}
    rows, cols = [], []
    for i, t in enumerate(texts):
        for s in shingles(t):
            rows.append(i)
            cols.append(vocab.setdefault(s, len(vocab)))
    x = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(texts), len(vocab))
    )
    sizes = np.asarray(x.sum(axis=1)).ravel()
    inter = (x @ x.T).tocoo()
    out = set()
    for i, j, v in zip(inter.row, inter.col, inter.data, strict=True):
        if i < j and v / (sizes[i] + sizes[j] - v) >= threshold:
            out.add((int(i), int(j)))
    return out


def compare(name: str, texts: list[str], args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(texts, f)
    results: dict[str, Any] = {"corpus": name, "texts": len(texts)}
    for threshold in THRESHOLDS:
        found = {}
        for impl in ("ours", "datasketch"):
            cmd = [sys.executable, __file__, "--worker", impl, "--texts", f.name]
            cmd += ["--threshold", str(threshold), "--repeat", str(args.repeat)]
            found[impl] = json.loads(subprocess.run(cmd, check=True, capture_output=True).stdout)
        truth = exact_jaccard_pairs(texts, threshold)
        ours = {tuple(p) for p in found["ours"]["pairs"]}
        theirs = {tuple(p) for p in found["datasketch"]["pairs"]}
        results[str(threshold)] = {
            "exact_pairs": len(truth),
            **{
                impl: {
                    "seconds": round(found[impl]["seconds"], 3),
                    "peak_above_start_mb": found[impl]["peak_above_start_mb"],
                    "pairs": len(pairs),
                    "missed_true": len(truth - pairs),
                    "false": len(pairs - truth),
                }
                for impl, pairs in (("ours", ours), ("datasketch", theirs))
            },
            "only_ours": len(ours - theirs),
            "only_datasketch": len(theirs - ours),
        }
    Path(f.name).unlink()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo-n", type=int, default=2000)
    parser.add_argument("--glassdoor", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--worker", choices=["ours", "datasketch"], default=None)
    parser.add_argument("--texts", type=Path, default=None)
    parser.add_argument("--threshold", type=float, default=0.5)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.texts, args.threshold, args.num_perm, args.repeat)
        return
    try:
        import datasketch
    except ImportError:
        print("datasketch is not installed (pip install datasketch); nothing to compare")
        return
    print(f"# {platform.processor() or platform.machine()}, datasketch {datasketch.__version__}")
    corpora = ["demo"] + (["glassdoor"] if args.glassdoor else [])
    for name in corpora:
        print(json.dumps(compare(name, load_texts(name, args), args), indent=1))


if __name__ == "__main__":
    main()
