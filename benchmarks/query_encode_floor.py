"""How fast can this machine encode search queries? The floor under the service's latency.

    .venv/bin/python benchmarks/query_encode_floor.py [--clients 32]

The service (`embedtune serve`) encodes the queries that arrive together as one batch
(embedtune.index.batching). With ``--clients`` closed-loop clients all waiting, each batch holds
up to that many queries, and no client can be answered faster than such a batch is encoded: by
Little's law the mean latency is at least ``clients / throughput``, and the throughput at most
``clients / batch_seconds``, so mean latency >= one full batch's encode time, before any HTTP,
JSON, search or snippet work, and before the load client's own CPU use.

Queries: the demo's gold queries (distinct; their token counts are in the report), the same
kind benchmarks/serve_load.py sends. Each way of encoding that `embedtune serve
--query-encoder` offers is timed at batch sizes 1, 16 and ``--clients``, with 1 and 2 threads:
torch (sentence-transformers), ONNX fp32 and ONNX int8 (the model's export; made first if
missing, in the model's own folder). Median of 7 timed calls after one warm-up.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MODEL = "all-MiniLM-L6-v2"


def timed(encode: Callable[[list[str]], Any], texts: list[str], repeats: int = 7) -> float:
    """Median milliseconds of ``encode(texts)`` over ``repeats`` calls, after one warm-up."""
    encode(texts)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        encode(texts)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=32)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    import torch

    from embedtune.data.demo import generate_demo_corpus
    from embedtune.export.onnx import export_onnx
    from embedtune.export.onnx_encoder import OnnxEncoder
    from embedtune.models.registry import load_model, resolve_model

    demo = generate_demo_corpus(2000, seed=1, repost_rate=0.0)
    queries = list(dict.fromkeys(q["query"] for q in demo.queries))[: args.clients]
    folder = Path(resolve_model(MODEL).location)
    if not (folder / "onnx" / "model_qint8.onnx").is_file():
        export_onnx(folder)
    model = load_model(MODEL, device="cpu")
    lengths = [len(x) for x in model.tokenizer(queries)["input_ids"]]
    sizes = sorted({1, 16, args.clients})
    rows: list[dict[str, Any]] = []
    for threads in (1, 2):
        torch.set_num_threads(threads)
        encoders: dict[str, Callable[[list[str]], Any]] = {
            "torch": lambda t: model.encode_query(t, batch_size=len(t), show_progress_bar=False)
        }
        for name, file in (("onnx", "onnx/model.onnx"), ("onnx-int8", "onnx/model_qint8.onnx")):
            onnx = OnnxEncoder(folder, file, threads=threads)
            encoders[name] = lambda t, e=onnx: e.encode(t, kind="query")
        for name, encode in encoders.items():
            row: dict[str, Any] = {"encoder": name, "threads": threads}
            for n in sizes:
                row[f"batch_{n}_ms"] = timed(encode, queries[:n])
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    report = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "load_average": os.getloadavg(),
        "model": MODEL,
        "query_tokens": {"mean": statistics.mean(lengths), "max": max(lengths)},
        "rows": rows,
    }
    print(json.dumps(report, indent=2))
    key = f"batch_{args.clients}_ms"
    print(f"\n| encoder | threads | {' | '.join(f'batch {n} (ms)' for n in sizes)} |")
    print("|---|---:|" + "---:|" * len(sizes))
    for r in rows:
        cells = " | ".join(str(r[f"batch_{n}_ms"]) for n in sizes)
        print(f"| {r['encoder']} | {r['threads']} | {cells} |")
    best = min(rows, key=lambda r: r[key])
    print(
        f"\nFloor at {args.clients} clients: mean latency >= {best[key]} ms "
        f"({best['encoder']}, {best['threads']} threads), before HTTP, search and snippets."
    )


if __name__ == "__main__":
    main()
