"""The search service under load on loopback: 10,000 postings, 32 concurrent clients, 30 s.

    .venv/bin/python benchmarks/serve_load.py --postings 10000 --clients 32 --seconds 30

Postings come from the built-in demo generator (synthetic jobs). They are embedded with
all-MiniLM-L6-v2 cut to 128 tokens to keep the build short (document length does not change
query latency). The server is the real command, `embedtune serve --index DIR` (uvicorn, one
process), started as a subprocess; the client is a bounded asyncio httpx pool in this process:
32 workers each send POST /search {query, k: 10} back to back, with distinct queries (the
demo's gold queries, so the server's query cache rarely helps). Reported: p50/p95/p99 latency
of successful requests, throughput, and errors (any non-200 or exception).

``--query-encoders torch,onnx-int8`` measures each way of encoding queries (`embedtune serve
--query-encoder`) one after the other in the same run, on the same index; for the ONNX ones it
exports the model first if needed and reports how many of the torch top-10 the variant returns
for 500 queries (the index itself is always the torch model's).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def build(out: Path, n: int, max_seq_length: int) -> list[str]:
    """Write an index of ``n`` demo postings; return queries (gold queries, distinct)."""
    from embedtune.data.demo import generate_demo_corpus
    from embedtune.index.model_info import describe_model
    from embedtune.index.source import Posting
    from embedtune.index.store import PostingStore
    from embedtune.models.encoder import SentenceTransformerEncoder
    from embedtune.models.registry import load_model

    demo = generate_demo_corpus(n, seed=1, repost_rate=0.0)
    model = load_model("all-MiniLM-L6-v2", device="cpu")
    info = describe_model(model, "all-MiniLM-L6-v2")
    model.max_seq_length = max_seq_length
    encoder = SentenceTransformerEncoder(model, batch_size=64, cache=False)
    postings = [
        Posting(p["id"], p["title"], p["description"], {"location": p["location"]})
        for p in demo.postings[:n]
    ]
    store = PostingStore.create(out, info, ["location"])
    for s in range(0, len(postings), 1024):
        chunk = postings[s : s + 1024]
        store.add(chunk, encoder.encode([p.document for p in chunk]))
    store.maybe_build_ann()
    return list(dict.fromkeys(q["query"] for q in demo.queries))


async def load(url: str, queries: list[str], clients: int, seconds: float) -> dict[str, object]:
    import httpx

    latencies: list[float] = []
    errors: dict[str, int] = {}
    counter = iter(range(10**9))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        deadline = time.perf_counter() + seconds

        async def worker() -> None:
            while time.perf_counter() < deadline:
                query = queries[next(counter) % len(queries)]
                start = time.perf_counter()
                try:
                    r = await client.post("/search", json={"query": query, "k": 10})
                    if r.status_code == 200:
                        latencies.append(time.perf_counter() - start)
                    else:
                        errors[str(r.status_code)] = errors.get(str(r.status_code), 0) + 1
                except Exception as e:  # counted, never hidden
                    errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - began
    ms = lambda p: round(float(np.percentile(latencies, p)) * 1000, 1)  # noqa: E731
    return {
        "requests_ok": len(latencies),
        "errors": errors,
        "throughput_rps": round(len(latencies) / elapsed, 1),
        "p50_ms": ms(50),
        "p95_ms": ms(95),
        "p99_ms": ms(99),
        "seconds": round(elapsed, 1),
    }


def top10_agreement(folder: Path, queries: list[str], variant: str) -> float:
    """Mean share of the torch top-10 that ``variant`` also returns, over ``queries``."""
    from embedtune.index.search import Searcher

    reference = Searcher.open(folder)
    other = Searcher.open(folder, query_encoder=variant)  # type: ignore[arg-type]
    a = reference.store.search(reference.encode_queries(queries), 10)
    b = other.store.search(other.encode_queries(queries), 10)
    shared = [len({h.id for h in x} & {h.id for h in y}) / 10 for x, y in zip(a, b, strict=True)]
    return float(np.mean(shared))


def ensure_export(folder: Path) -> None:
    """Export the index's model to ONNX (in its folder) unless that was done."""
    from embedtune.export.onnx import export_onnx
    from embedtune.index.store import PostingStore
    from embedtune.models.registry import resolve_model

    model_dir = Path(resolve_model(PostingStore.open(folder).model.name).location)
    if not (model_dir / "onnx" / "model_qint8.onnx").is_file():
        export_onnx(model_dir)


def serve_and_load(
    folder: Path, queries: list[str], args: argparse.Namespace, encoder: str
) -> dict[str, object]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "embedtune.cli.main", "serve", "--index", str(folder),
         "--port", str(port), "--query-encoder", encoder],
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip
    try:
        import httpx

        for _ in range(600):
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        url = f"http://127.0.0.1:{port}"
        asyncio.run(load(url, queries, 4, 3))  # warm up
        return asyncio.run(load(url, queries, args.clients, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postings", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--max-seq-length", type=int, default=128)
    parser.add_argument("--index", type=Path, help="Reuse this index folder (built if absent).")
    parser.add_argument("--query-encoders", default="torch", help="e.g. torch,onnx-int8")
    args = parser.parse_args()
    tmp = tempfile.TemporaryDirectory()
    folder = args.index or Path(tmp.name) / "idx"
    started = time.perf_counter()
    queries_file = folder.with_suffix(".queries.json")
    if not (folder / "index.json").exists():
        queries = build(folder, args.postings, args.max_seq_length)
        queries_file.write_text(json.dumps(queries))
    queries = json.loads(queries_file.read_text())
    build_s = time.perf_counter() - started
    results: dict[str, dict[str, object]] = {}
    try:
        for encoder in args.query_encoders.split(","):
            if encoder != "torch":
                ensure_export(folder)
            results[encoder] = serve_and_load(folder, queries, args, encoder)
            if encoder != "torch":
                results[encoder]["top10_agreement_with_torch"] = round(
                    top10_agreement(folder, queries[:500], encoder), 3
                )
    finally:
        tmp.cleanup()
    print(
        json.dumps(
            {
                "postings": args.postings,
                "clients": args.clients,
                "distinct_queries": len(queries),
                "index_build_s": round(build_s, 1),
                **(results["torch"] if list(results) == ["torch"] else results),
                "machine": f"{platform.machine()}, {os.cpu_count()} cores",
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
