"""Peak memory and wall time of `embedtune prepare` on a corpus of N postings (issue 16, goal 5).

    OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 HF_HUB_OFFLINE=1 \\
        .venv/bin/python benchmarks/prepare_memory.py --n 100000 --out /tmp/prepare-memory.json
    .venv/bin/python benchmarks/prepare_memory.py --n 10000,30000   # the growth with N

The corpus is built at run time from our own demo generator
(:func:`embedtune.data.demo.generate_demo_corpus`, seed 42: invented text, nothing copied from
real postings): ``ceil(N / 1.08)`` original jobs plus the generator's 8% reposts (near
duplicates, so dedupe has work), cut to the first ``N`` rows of its shuffled order and written
as ``WORK/corpus-N.csv`` with the columns id, title, company, location, description.

Each size is one child process running ``embedtune prepare`` with its defaults (offline
queries, hard negatives, all-MiniLM-L6-v2 as the reference model, cleaning and dedupe on):

    embedtune prepare WORK/corpus-N.csv --text-column description --id-column id \\
        --out WORK/out-N --overwrite --json

Its peak RSS is ``ru_maxrss`` of the child from ``os.wait4`` (the whole process: Python,
torch, the model, the data); wall time is measured around the child. The parent also samples
the child's RSS with psutil every 0.2 s and timestamps the progress lines the child prints
(``EMBEDTUNE_PROGRESS_INTERVAL=1``), so the JSON names the step that was running at the peak
(the first progress line printed at or after the peak sample).

``--encoder stand-in``: the real model encodes about 16 postings a second on one CPU thread
(100,000 postings: about 100 minutes of encoding alone), so this mode measures the rest of the
pipeline at full size. The child loads the real model as usual (torch and the weights count in
its RSS) and runs the same CLI command, but ``SentenceTransformerEncoder._encode`` is replaced
by a bag-of-words hashing encoder of the model's dimension (384): the embedding cache, the
queries, dedupe, mining and writing all run on real data sizes; only the model's activations
during encoding (transient; measure them by running a small ``N`` both ways) are missing.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil

MB = 1024 * 1024
ROOT = Path(__file__).resolve().parents[1]
COLUMNS = ("id", "title", "company", "location", "description")
REPOST_RATE = 0.08  # the demo generator's default


def build_corpus(n: int, path: Path, seed: int) -> dict[str, Any]:
    """Write ``n`` demo postings (originals and reposts, shuffled) to ``path`` as CSV."""
    from embedtune.data.demo import generate_demo_corpus

    started = time.perf_counter()
    jobs = math.ceil(n / (1 + REPOST_RATE))
    postings = generate_demo_corpus(jobs, seed=seed).postings[:n]
    if len(postings) < n:
        raise SystemExit(f"the demo generator gave {len(postings)} postings, fewer than {n}")
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(postings)
    tmp.replace(path)
    return {
        "rows": len(postings),
        "reposts": sum(1 for p in postings if p["repost_of"]),
        "mb": round(path.stat().st_size / MB, 1),
        "seconds": round(time.perf_counter() - started, 1),
    }


def stand_in_encode(texts: list[str], dimension: int) -> Any:
    """Bag of words hashed to ``dimension`` axes: fast, deterministic, ranks by shared words."""
    import re
    import zlib

    import numpy as np

    out = np.zeros((len(texts), dimension), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"\w+", text.lower()):
            out[row, zlib.crc32(word.encode()) % dimension] += 1.0
    return out


def run_cli_with_stand_in(argv: list[str]) -> None:
    """The child of ``--encoder stand-in``: the embedtune CLI with a fast stand-in encoder."""
    from embedtune.cli.main import main as cli_main
    from embedtune.models.encoder import SentenceTransformerEncoder

    def _encode(self: SentenceTransformerEncoder, texts: list[str], kind: str) -> Any:
        return stand_in_encode(texts, self.dimension)

    SentenceTransformerEncoder._encode = _encode  # type: ignore[method-assign]
    sys.argv = ["embedtune", *argv]
    cli_main()


def prepare_command(csv_path: Path, out: Path, encoder: str) -> list[str]:
    exe = Path(sys.executable).with_name("embedtune")
    head = [str(exe)]
    if encoder == "stand-in":
        head = [sys.executable, str(Path(__file__).resolve()), "--child-stand-in"]
    return [
        *head,
        "prepare",
        str(csv_path),
        "--text-column",
        "description",
        "--id-column",
        "id",
        "--out",
        str(out),
        "--overwrite",
        "--json",
    ]


def run_prepare(cmd: list[str], log: Path) -> dict[str, Any]:
    """Run ``cmd``; its wall time, ``ru_maxrss`` and the step running at the polled peak."""
    env = {**os.environ, "EMBEDTUNE_PROGRESS_INTERVAL": "1", "HF_HUB_OFFLINE": "1"}
    samples: list[tuple[float, float]] = []
    lines: list[tuple[float, str]] = []
    started = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )

    def read_stderr() -> None:
        assert proc.stderr is not None
        with log.open("w") as f:  # written as it comes, to follow a long run
            for line in proc.stderr:
                lines.append((time.perf_counter() - started, line.rstrip()))
                f.write(f"{lines[-1][0]:9.1f}  {lines[-1][1]}\n")
                f.flush()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    out_chunks: list[str] = []
    out_reader = threading.Thread(
        target=lambda: out_chunks.append(proc.stdout.read() if proc.stdout else ""), daemon=True
    )
    out_reader.start()
    ps = psutil.Process(proc.pid)
    rusage = None
    while rusage is None:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            rusage = usage
            proc.returncode = os.waitstatus_to_exitcode(status)
            break
        with contextlib.suppress(psutil.Error):
            samples.append((time.perf_counter() - started, ps.memory_info().rss / MB))
        time.sleep(0.2)
    wall = time.perf_counter() - started
    reader.join(5)
    out_reader.join(5)
    if proc.returncode != 0:
        tail = "\n".join(line for _, line in lines[-20:])
        raise SystemExit(f"prepare failed with exit code {proc.returncode}:\n{tail}")
    peak_t, peak_polled = max(samples, key=lambda s: s[1]) if samples else (0.0, 0.0)
    at_peak = next((line for t, line in lines if t >= peak_t and line.strip()), "")
    result = json.loads(out_chunks[0]) if out_chunks and out_chunks[0].strip() else {}
    return {
        "seconds": round(wall, 1),
        "peak_rss_mb": round(rusage.ru_maxrss / 1024),  # KiB on Linux
        "polled_peak_mb": round(peak_polled),
        "polled_peak_at_s": round(peak_t, 1),
        "step_at_peak": at_peak,
        "cpu_seconds": round(rusage.ru_utime + rusage.ru_stime, 1),
        "rss_timeline_mb": [
            (round(t, 1), round(r)) for t, r in samples[:: max(1, len(samples) // 200)]
        ],
        "result": result,
    }


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    with contextlib.suppress(OSError):
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    ram = psutil.virtual_memory().total
    return f"{model}, {os.cpu_count()} cores, {ram / 1024**3:.1f} GiB RAM"


def main() -> None:
    if sys.argv[1:2] == ["--child-stand-in"]:
        run_cli_with_stand_in(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", default="100000", help="postings; several: 10000,30000,100000")
    parser.add_argument("--work", type=Path, default=Path("/tmp/embedtune-prepare-memory"))
    parser.add_argument("--out", type=Path, help="write the figures here as JSON")
    parser.add_argument("--seed", type=int, default=42, help="seed of the demo generator")
    parser.add_argument(
        "--encoder",
        choices=("model", "stand-in"),
        default="model",
        help="model: the real reference model; stand-in: see the module docstring",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.n.split(",") if s.strip()]
    args.work.mkdir(parents=True, exist_ok=True)
    runs: list[dict[str, Any]] = []
    info = {
        "machine": machine(),
        "date": datetime.date.today().isoformat(),
        "python": platform.python_version(),
        "threads": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")},
    }
    print(f"machine: {info['machine']}; threads: {info['threads']}", flush=True)
    for n in sizes:
        csv_path = args.work / f"corpus-{n}.csv"
        corpus = build_corpus(n, csv_path, args.seed)  # rebuilt each time: nothing stale
        print(f"n={n:,}: corpus {corpus['mb']} MB in {corpus['seconds']} s", flush=True)
        tag = f"{n}" if args.encoder == "model" else f"{n}-stand-in"
        cmd = prepare_command(csv_path, args.work / f"out-{tag}", args.encoder)
        run = run_prepare(cmd, args.work / f"prepare-{tag}.log")
        counts = run["result"].get("counts", {})
        runs.append(
            {
                "n": n,
                "encoder": args.encoder,
                "corpus": corpus,
                "command": " ".join(cmd),
                "counts": counts,
                **run,
            }
        )
        print(
            f"n={n:,}: {run['seconds']} s, peak RSS {run['peak_rss_mb']:,} MB "
            f"(polled {run['polled_peak_mb']:,} MB at {run['polled_peak_at_s']} s, "
            f"during: {run['step_at_peak']!r})",
            flush=True,
        )
        if args.out:
            args.out.write_text(json.dumps({**info, "runs": runs}, indent=1) + "\n")
    print("\n| n | encoder | wall s | peak RSS (MB) | kept | step at the peak |")
    print("|---:|---|---:|---:|---:|---|")
    for r in runs:
        kept = r["counts"].get("kept", "")
        print(
            f"| {r['n']:,} | {r['encoder']} | {r['seconds']} | {r['peak_rss_mb']:,} | {kept} | {r['step_at_peak']} |"
        )


if __name__ == "__main__":
    main()
