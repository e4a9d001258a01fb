"""Real postings: the Glassdoor data-science jobs as an unlabeled corpus through `embedtune run`.

    .venv/bin/python benchmarks/glassdoor_run.py [--work /tmp/embedtune-glassdoor]

1. ``embedtune run --corpus glassdoor_jobs.csv --text-column "Job Description"
   --title-column "Job Title" --out WORK/run`` with every other setting at its default (offline
   queries, hard negatives, the model `select` picks): wall time and stage seconds.
2. The job titles as queries, base vs fine-tuned, with ``embedtune evaluate --compare``:
   - **held-out**: the run's test postings only (the model never trained on them); each distinct
     title is a query, relevant = the test postings with exactly that title;
   - **whole corpus**: every distinct description, each distinct title relevant to the
     descriptions posted under it (the set of benchmarks/evaluate_base_models.py), so the
     trained postings are in the ranking too (their titles were never training queries).
   Titles are in the descriptions too, so both models get lexical help; compare the two models,
   not these figures with the demo's.

Prints a JSON report (also WORK/results.json) and a Markdown table. A step whose output exists is
skipped, so an interrupted run resumes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from evaluate_base_models import GLASSDOOR, glassdoor_titles
from train_speed import machine
from tutorial_vs_run import cached, embedtune


def write_beir(
    folder: Path,
    docs: dict[str, tuple[str, str]],
    queries: dict[str, str],
    qrels: dict[str, list[str]],
) -> Path:
    """``docs``: id -> (title, text); ``qrels``: query id -> relevant doc ids (grade 1).

    The folder is replaced if it exists.
    """
    from embedtune.evaluate.beir_write import write_beir_records

    shutil.rmtree(folder, ignore_errors=True)
    write_beir_records(
        folder,
        [{"_id": did, "title": title, "text": text} for did, (title, text) in docs.items()],
        [{"_id": qid, "text": text} for qid, text in queries.items()],
        [(qid, did, 1) for qid, dids in qrels.items() for did in dids],
    )
    return folder


def held_out_titles(run: Path, out: Path) -> Path:
    """Title queries over the run's test postings (prepared text, as the model sees it)."""
    import pandas as pd

    test = pd.read_parquet(run / "data" / "parquet" / "test.parquet")
    docs = {str(r.id): (str(r.title), str(r.text)) for r in test.itertuples()}
    by_title: dict[str, list[str]] = {}
    for r in test.itertuples():
        title = " ".join(str(r.title).split())
        if title:
            by_title.setdefault(title, []).append(str(r.id))
    queries = {f"t{i}": t for i, t in enumerate(by_title)}
    qrels = {f"t{i}": ids for i, ids in enumerate(by_title.values())}
    return write_beir(out, docs, queries, qrels)


def whole_corpus_titles(csv: Path, out: Path) -> Path:
    data = glassdoor_titles(csv)
    docs = {d: ("", text) for d, text in zip(data.doc_ids, data.documents, strict=True)}
    qrels = {q: list(judged) for q, judged in data.qrels.items()}
    return write_beir(out, docs, data.queries, qrels)


def compare(model: Path, base: str, folder: Path) -> dict[str, Any]:
    result, seconds = embedtune("evaluate", "--model", str(model), "--beir", str(folder),
                                "--compare", base)  # fmt: skip
    pick = ("ndcg@10", "recall@10", "accuracy@1", "num_queries", "num_documents")
    return {
        "tuned": {k: result[k] for k in pick},
        "base": {k: result["compare"][k] for k in pick},
        "seconds": round(seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/embedtune-glassdoor"))
    parser.add_argument("--csv", type=Path, default=GLASSDOOR)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(),
    }

    def run() -> dict[str, Any]:
        result, seconds = embedtune(
            "run", "--corpus", str(args.csv), "--text-column", "Job Description",
            "--title-column", "Job Title", "--out", str(work / "run"),
        )  # fmt: skip
        state = json.loads((work / "run" / "run_state.json").read_text())
        stages = {name: s["seconds"] for name, s in state["stages"].items()}
        return {"wall_seconds": round(seconds, 1), "stage_seconds": stages, "result": result}

    report["run"] = cached(work / "run.json", run)
    base = report["run"]["result"]["train"]["base_model"]
    model = work / "run" / "model"
    report["held_out_titles"] = cached(
        work / "held-out.json",
        lambda: compare(model, base, held_out_titles(work / "run", work / "titles-held-out")),
    )
    report["whole_corpus_titles"] = cached(
        work / "whole.json",
        lambda: compare(model, base, whole_corpus_titles(args.csv, work / "titles-all")),
    )
    report["load_average_at_end"] = os.getloadavg()
    text = json.dumps(report, indent=2)
    (work / "results.json").write_text(text + "\n")
    print(text)
    print(
        "| title queries | queries | postings | base nDCG@10 | tuned nDCG@10 | base R@10 | tuned R@10 |"
    )
    print("|---|---|---|---|---|---|---|")
    for key, label in (("held_out_titles", "held-out test postings"),
                       ("whole_corpus_titles", "whole corpus")):  # fmt: skip
        r = report[key]
        print(
            f"| {label} | {r['tuned']['num_queries']} | {r['tuned']['num_documents']} | "
            f"{r['base']['ndcg@10']:.3f} | {r['tuned']['ndcg@10']:.3f} | "
            f"{r['base']['recall@10']:.3f} | {r['tuned']['recall@10']:.3f} |"
        )


if __name__ == "__main__":
    main()
