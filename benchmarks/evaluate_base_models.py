"""How the installed base models retrieve job postings, before any fine-tuning.

Run:
    .venv/bin/python benchmarks/evaluate_base_models.py --prepared /tmp/demo-prep

Sets (each model ranks every document of a set for each of its queries):

* ``demo {split} gold``: a prepared folder's ``ir/{split}-gold`` (human-style gold queries of the
  demo corpus; default split test), and ``demo {split} generated`` (``ir/{split}``);
* ``glassdoor titles``: the real Glassdoor postings of ``../shared/data`` — the distinct job
  descriptions (raw text, without the title) are the corpus, each distinct ``Job Title`` is a
  query, and a description is relevant to a title when a posting with that title has it.

Models: every known base model installed (``embedtune.models.installed_models``), plus
all-mpnet-base-v2 from its unpacked cache folder when its packages are not installed (the same
weights); or ``--models a,b`` (names or folders). Prints the machine, a Markdown table and, with
``--json PATH``, writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from embedtune.evaluate.beir import BeirData, load_beir
from embedtune.evaluate.model_eval import load_encoder
from embedtune.evaluate.retrieval import evaluate_retrieval
from embedtune.models.registry import installed_models, model_cache_dir

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
GLASSDOOR = SHARED / "glassdoor_ds_jobs" / "glassdoor_jobs.csv"
COLUMNS = ("ndcg@10", "mrr@10", "recall@1", "recall@10", "map@100", "accuracy@1")


def glassdoor_titles(path: Path) -> BeirData:
    """Distinct descriptions as documents, distinct titles as queries (see the module doc)."""
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    doc_of: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    queries: dict[str, str] = {}
    for row in rows:
        text, title = row["Job Description"].strip(), row["Job Title"].strip()
        if not text or not title:
            continue
        did = doc_of.setdefault(text, f"d{len(doc_of)}")
        qid = queries.setdefault(title, f"t{len(queries)}")
        qrels.setdefault(qid, {})[did] = 1
    return BeirData(
        folder=path,
        doc_ids=list(doc_of.values()),
        documents=list(doc_of),
        queries={qid: title for title, qid in queries.items()},
        qrels=qrels,
    )


def default_models() -> list[str]:
    names = [m.name for m in installed_models()]
    mpnet = model_cache_dir() / "all-mpnet-base-v2"
    if "all-mpnet-base-v2" not in names and (mpnet / "modules.json").is_file():
        names.append(str(mpnet))
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prepared", type=Path, default=Path("/tmp/demo-prep"))
    parser.add_argument("--split", default="test")
    parser.add_argument("--glassdoor", type=Path, default=GLASSDOOR)
    parser.add_argument("--models", default="", help="comma-separated (default: installed)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()

    sets: dict[str, BeirData] = {}
    for kind, suffix in (("gold", "-gold"), ("generated", "")):
        folder = args.prepared / "ir" / f"{args.split}{suffix}"
        if folder.is_dir():
            sets[f"demo {args.split} {kind}"] = load_beir(folder)
        else:
            print(f"skipped: {folder} not found")
    if args.glassdoor.is_file():
        sets["glassdoor titles"] = glassdoor_titles(args.glassdoor)
    else:
        print(f"skipped: {args.glassdoor} not found")
    models = [m.strip() for m in args.models.split(",") if m.strip()] or default_models()

    import torch

    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"torch {torch.__version__} ({torch.get_num_threads()} threads), "
        f"python {platform.python_version()}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    )
    for name, data in sets.items():
        relevant = sum(1 for q in data.judged for g in data.qrels[q].values() if g > 0)
        print(
            f"set {name}: {len(data.doc_ids)} documents, {len(data.judged)} queries, "
            f"{relevant} relevant pairs"
        )
    print()
    print("| set | model | " + " | ".join(COLUMNS) + " | docs/s | seconds |")
    print("|---|---|" + "---|" * (len(COLUMNS) + 2))
    figures: list[dict[str, Any]] = []
    for model_name in models:
        model, encoder, _ = load_encoder(model_name, batch_size=args.batch_size)
        label = Path(model_name).name
        encoded: set[int] = set()  # corpora already embedded: their speed is not measured again
        for set_name, data in sets.items():
            fresh = hash(tuple(data.documents)) not in encoded
            encoded.add(hash(tuple(data.documents)))
            start = time.perf_counter()
            result = evaluate_retrieval(encoder, data)
            seconds = time.perf_counter() - start
            m = result.metrics
            speed = result.postings_per_second if fresh else None
            cells = " | ".join(f"{m[c]:.3f}" for c in COLUMNS)
            shown = f"{speed:.1f}" if speed else "(cached)"
            print(f"| {set_name} | {label} | {cells} | {shown} | {seconds:.1f} |", flush=True)
            figures.append(
                {
                    "set": set_name,
                    "model": label,
                    **result.to_dict(),
                    "seconds": seconds,
                    "docs_per_s": speed,
                }
            )
        del model, encoder
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
