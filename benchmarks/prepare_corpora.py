"""How `embedtune prepare` does on the demo corpus and the real Glassdoor postings.

Run: .venv/bin/python benchmarks/prepare_corpora.py
Prints one Markdown table: rows in/out, duplicates found, tokens before/after, seconds.
Demo reposts are known (``repost_of``), so the table also shows how many the deduper caught.
"""

from __future__ import annotations

import json
import platform
import tempfile
import time
from pathlib import Path

from embedtune.data import PrepareConfig
from embedtune.data.demo import generate_demo_corpus
from embedtune.prepare import prepare

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SOURCES = {
    "demo (1,000 jobs)": "demo",
    "glassdoor_jobs.csv": str(SHARED / "glassdoor_ds_jobs" / "glassdoor_jobs.csv"),
    "Uncleaned_DS_jobs.csv": str(SHARED / "glassdoor_ds_jobs_2021" / "Uncleaned_DS_jobs.csv"),
}


def demo_repost_recall(out: Path) -> str:
    demo = generate_demo_corpus(1000, seed=42)
    dropped = {json.loads(line)["id"] for line in (out / "dropped.jsonl").read_text().splitlines()}
    pairs = [(p["id"], p["repost_of"]) for p in demo.postings if p["repost_of"]]
    caught = sum(1 for a, b in pairs if a in dropped or b in dropped)
    return f"{caught}/{len(pairs)}"


def main() -> None:
    print(
        f"machine: {platform.processor() or platform.machine()}, python {platform.python_version()}"
    )
    print(
        "| corpus | rows | exact dup | near dup | kept | tokens raw → final | truncated | reposts caught | seconds |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, source in SOURCES.items():
        if source != "demo" and not Path(source).exists():
            print(f"| {name} | skipped: {source} not found |")
            continue
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out"
            start = time.perf_counter()
            report = prepare(PrepareConfig(source=source, out=out)).report
            seconds = time.perf_counter() - start
            c, t = report["counts"], report["tokens"]
            recall = demo_repost_recall(out) if source == "demo" else "n/a"
            print(
                f"| {name} | {c['loaded']} | {c['exact_duplicate']} | {c['near_duplicate']} | {c['kept']} "
                f"| {t['raw']:,} → {t['final']:,} | {t['truncated_postings']} | {recall} | {seconds:.1f} |"
            )


if __name__ == "__main__":
    main()
