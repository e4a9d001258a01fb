"""The tutorial reproduced, side by side with `embedtune run`, on the same demo data, in one run.

    .venv/bin/python benchmarks/tutorial_vs_run.py [--work /tmp/embedtune-proof]
        [--general ../shared/data/beir-dbpedia-5k] [--general-max-docs 2000] [--full-general]

Steps (each skipped when its output already exists, so an interrupted benchmark resumes):

1. ``embedtune run --out WORK/run`` on the built-in demo with its defaults (hard negatives with
   the false-negative guard, the model picked by `select`), plus ``--general`` as `make demo`
   passes it: the wall time of the whole command and of each stage.
2. The tutorial's data: the same demo corpus, queries, split and seed, prepared with
   **least-similar** negatives (``WORK/tutorial/data``); the test split is checked to be the
   run's test split.
3. The tutorial's training script: plain sentence-transformers, MultipleNegativesRankingLoss,
   batch 16, lr 2e-5, 10% warmup, 1 epoch, no-duplicates sampler, fp32, all-MiniLM-L6-v2
   (``train_speed.plain_train``) on the tutorial's data: wall time and triplets per second.
4. ``embedtune train`` with its defaults on the same tutorial data: issue 5's like-for-like
   speed comparison (same triplets, same base model, same machine, same run).
5. ``embedtune evaluate`` of the base model and the three trained models on the run's test split:
   nDCG@10, Recall@10 and accuracy@1 for the generated queries and the held-out gold queries,
   and triplet accuracy on both the run's hard test triplets and the tutorial's least-similar
   ones. With ``--full-general``: nDCG@10 on the whole BEIR folder for base and run model too.

Prints a JSON report (also WORK/results.json) and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from train_speed import machine, run_embedtune, run_plain

BASE = "all-MiniLM-L6-v2"
SEED = 42


def embedtune(*args: str) -> tuple[dict[str, Any], float]:
    """Run ``embedtune ARGS --json``; its JSON result and the wall seconds."""
    cmd = [str(Path(sys.executable).with_name("embedtune")), *args, "--json"]
    print("$", " ".join(cmd), file=sys.stderr, flush=True)
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    seconds = time.perf_counter() - start
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed with exit code {proc.returncode}")
    return json.loads(proc.stdout.strip().splitlines()[-1]), seconds


def cached(path: Path, compute: Any) -> Any:
    if path.exists():
        return json.loads(path.read_text())
    value = compute()
    path.write_text(json.dumps(value, indent=2) + "\n")
    return value


def step_run(work: Path, general: list[str]) -> dict[str, Any]:
    result, seconds = embedtune("run", "--out", str(work / "run"), *general)
    state = json.loads((work / "run" / "run_state.json").read_text())
    stages = {name: s["seconds"] for name, s in state["stages"].items()}
    return {"wall_seconds": round(seconds, 1), "stage_seconds": stages, "result": result}


def step_tutorial_data(work: Path) -> dict[str, Any]:
    from embedtune.data.config import PrepareConfig
    from embedtune.negatives.mining import NegativeConfig
    from embedtune.prepare import prepare as prepare_training_data
    from embedtune.progress import NullReporter
    from embedtune.queries.config import QueryConfig
    from embedtune.run.config import RunConfig

    demo = RunConfig(out=work / "run")  # the run's own demo settings
    start = time.perf_counter()
    prepare_training_data(
        PrepareConfig(
            source=demo.source,
            out=work / "tutorial" / "data",
            model=demo.prepare_model,
            seed=SEED,
            demo_size=demo.demo_size,
            overwrite=True,
        ),
        QueryConfig(source=demo.query_source, seed=SEED),
        NegativeConfig(method="least-similar", seed=SEED),
        reporter=NullReporter(),
    )
    return {"wall_seconds": round(time.perf_counter() - start, 1)}


def same_test_split(a: Path, b: Path) -> bool:
    def ids(folder: Path) -> list[str]:
        lines = (folder / "ir" / "test-gold" / "corpus.jsonl").read_text().splitlines()
        return sorted(json.loads(line)["_id"] for line in lines if line.strip())

    return ids(a) == ids(b)


def evaluate_model(model: str, work: Path) -> dict[str, Any]:
    run_data, tutorial_data = work / "run" / "data", work / "tutorial" / "data"
    on_run, _ = embedtune("evaluate", "--model", model, "--data", str(run_data), "--split", "test")
    on_tutorial, _ = embedtune(
        "evaluate", "--model", model, "--data", str(tutorial_data), "--split", "test"
    )
    pick = ("ndcg@10", "recall@10", "accuracy@1")
    return {
        "generated": {k: on_run[k] for k in pick},
        "gold": {k: on_run["gold"][k] for k in pick},
        "triplet_accuracy_hard": on_run["triplet_accuracy"],
        "triplet_accuracy_least_similar": on_tutorial["triplet_accuracy"],
    }


def table(report: dict[str, Any]) -> str:
    rows = [
        ("base (no training)", "base", None),
        ("tutorial recipe (plain ST, least-similar)", "plain", report["plain"]),
        ("embedtune train, same least-similar data", "embedtune_train", report["embedtune_train"]),
        ("embedtune run (defaults)", "run", report["run"]),
    ]
    out = [
        "| model | triplet acc. (least-sim.) | triplet acc. (hard) | nDCG@10 gold "
        "| Recall@10 gold | nDCG@10 generated | training wall s |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, key, timing in rows:
        e = report["evaluation"][key]
        wall = "–"
        if key == "run":
            wall = (
                f"{timing['stage_seconds']['train']:.0f} (whole run {timing['wall_seconds']:.0f})"
            )
        elif timing is not None:
            wall = f"{timing['wall_seconds']:.0f}"
        out.append(
            f"| {label} | {e['triplet_accuracy_least_similar']:.3f} | "
            f"{e['triplet_accuracy_hard']:.3f} | {e['gold']['ndcg@10']:.3f} | "
            f"{e['gold']['recall@10']:.3f} | {e['generated']['ndcg@10']:.3f} | {wall} |"
        )
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/embedtune-proof"))
    parser.add_argument("--general", type=Path, default=Path("../shared/data/beir-dbpedia-5k"))
    parser.add_argument("--general-max-docs", type=int, default=2000)
    parser.add_argument("--full-general", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from embedtune.models.registry import resolve_model

    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    general = []
    if args.general.is_dir():
        general = ["--general", str(args.general), "--general-max-docs", str(args.general_max_docs)]
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(),
    }
    report["run"] = cached(work / "run.json", lambda: step_run(work, general))
    report["tutorial_data"] = cached(work / "tutorial-data.json", lambda: step_tutorial_data(work))
    if not same_test_split(work / "run" / "data", work / "tutorial" / "data"):
        raise SystemExit("the tutorial data's test split differs from the run's")
    base_path = resolve_model(BASE).location
    data = work / "tutorial" / "data"
    report["plain"] = cached(
        work / "plain.json", lambda: run_plain(data, base_path, work / "plain-model")
    )
    report["embedtune_train"] = cached(
        work / "embedtune-train.json",
        lambda: run_embedtune(data, BASE, work / "embedtune-train-model", []),
    )
    models = {
        "base": BASE,
        "plain": str(work / "plain-model"),
        "embedtune_train": str(work / "embedtune-train-model"),
        "run": str(work / "run" / "model"),
    }
    report["evaluation"] = cached(
        work / "evaluation.json", lambda: {k: evaluate_model(m, work) for k, m in models.items()}
    )
    report["speedup_embedtune_train_vs_plain"] = round(
        report["embedtune_train"]["triplets_per_second"] / report["plain"]["triplets_per_second"],
        3,
    )
    if args.full_general and args.general.is_dir():

        def full_general() -> dict[str, float]:
            scores = {}
            for key in ("base", "run"):
                result, _ = embedtune(
                    "evaluate", "--model", models[key], "--beir", str(args.general)
                )
                scores[key] = result["ndcg@10"]
            return scores

        report["general_full_ndcg@10"] = cached(work / "general-full.json", full_general)
    report["load_average_at_end"] = os.getloadavg()
    text = json.dumps(report, indent=2)
    (work / "results.json").write_text(text + "\n")
    print(text)
    print(table(report))


if __name__ == "__main__":
    main()
