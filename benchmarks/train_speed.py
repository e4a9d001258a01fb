"""Triplets per second of `embedtune train` against a plain sentence-transformers script.

    .venv/bin/python benchmarks/train_speed.py --data /tmp/demo-prep [--train-limit 400]

Both variants train the same base model (all-MiniLM-L6-v2 by default) on the same prepared
triplets (``DATA/triplets/train``, optionally its first ``--train-limit`` rows), each in its own
subprocess, one after the other and alternating which goes first per round, so load from other
users of a shared machine hits both alike. The plain variant is the sentence-transformers
tutorial: MultipleNegativesRankingLoss, batch 16, learning rate 2e-5, 10% warmup, one epoch,
``BatchSamplers.NO_DUPLICATES``, fp32, a TripletEvaluator on the validation triplets every 100
steps. The embedtune variant is ``embedtune train --data ... --model ... --out ... --json`` with
its defaults; on data prepared with least-similar negatives those defaults skip the negative
column (``--negative-columns auto``; pass ``--embedtune-args "--negative-columns keep"`` to
encode it), so both variants train on the same rows but embedtune encodes fewer postings.

Speed: triplets trained / seconds inside training steps (forward, backward, optimizer; both
variants timed by the same kind of callback, evaluation and checkpointing excluded); the wall
time of the whole ``train()`` call is reported too. Quality: nDCG@10 on ``ir/test`` (generated
queries) and ``ir/test-gold`` (held-out gold queries, when present) with sentence-transformers'
InformationRetrievalEvaluator, for the base model and both trained models.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

# ------------------------------------------------------------------------------- plain variant


def plain_train(data: Path, model_path: str, out: Path) -> dict[str, Any]:
    """The tutorial's training script, with a step timer."""
    from datasets import load_from_disk
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )
    from sentence_transformers.base.sampler import BatchSamplers
    from sentence_transformers.sentence_transformer.evaluation import TripletEvaluator
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from transformers import TrainerCallback

    class Timer(TrainerCallback):
        seconds = 0.0
        start = 0.0

        def on_step_begin(self, *a: Any, **k: Any) -> None:
            self.start = time.perf_counter()

        def on_step_end(self, *a: Any, **k: Any) -> None:
            self.seconds += time.perf_counter() - self.start

    splits = load_from_disk(str(data / "triplets"))
    train = splits["train"].select_columns(["anchor", "positive", "negative"])
    val = splits["validation"].select_columns(["anchor", "positive", "negative"])
    model = SentenceTransformer(model_path, device="cpu")
    loss = MultipleNegativesRankingLoss(model)
    evaluator = TripletEvaluator(
        anchors=val["anchor"], positives=val["positive"], negatives=val["negative"], name="val"
    )
    args = SentenceTransformerTrainingArguments(
        output_dir=str(out) + ".checkpoints",
        num_train_epochs=1,
        per_device_train_batch_size=16,
        learning_rate=2e-5,
        warmup_steps=0.1,
        batch_sampler=BatchSamplers.NO_DUPLICATES,
        eval_strategy="steps",
        eval_steps=100,
        save_strategy="no",
        logging_steps=10,
        report_to="none",
        seed=42,
        use_cpu=True,
    )
    timer = Timer()
    trainer = SentenceTransformerTrainer(
        model=model,
        args=args,
        train_dataset=train,
        loss=loss,
        evaluator=evaluator,
        callbacks=[timer],
    )
    start = time.perf_counter()
    trainer.train()
    wall = time.perf_counter() - start
    model.save_pretrained(str(out))
    return {"rows": len(train), "step_seconds": timer.seconds, "wall_seconds": wall}


# ------------------------------------------------------------------------------- harness


def limited_copy(data: Path, limit: int | None, dest: Path) -> Path:
    """``data`` itself, or a copy whose train triplets are the first ``limit`` rows."""
    if not limit:
        return data
    from datasets import load_from_disk

    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    splits = load_from_disk(str(data / "triplets"))
    splits["train"] = splits["train"].select(range(min(limit, len(splits["train"]))))
    splits.save_to_disk(str(dest / "triplets"))
    os.symlink((data / "ir").resolve(), dest / "ir")
    return dest


def run_plain(data: Path, model_path: str, out: Path) -> dict[str, Any]:
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); import train_speed as t; from pathlib import Path;"
        "print('RESULT', json.dumps(t.plain_train(Path(sys.argv[2]), sys.argv[3], Path(sys.argv[4]))))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "benchmarks"), str(data), model_path, str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        raise RuntimeError(proc.stderr[-3000:])
    line = next(x for x in proc.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line[len("RESULT ") :])
    result["triplets_per_second"] = result["rows"] / result["step_seconds"]
    return result


def run_embedtune(data: Path, model: str, out: Path, extra: list[str]) -> dict[str, Any]:
    cmd = [str(Path(sys.executable).with_name("embedtune")), "train", "--data", str(data)]
    cmd += ["--model", model, "--out", str(out), "--overwrite", "--json", *extra]
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode:
        raise RuntimeError(proc.stderr[-3000:])
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return {
        "rows": result["train_rows"],
        "step_seconds": result["step_seconds"],
        "wall_seconds": result["seconds"],
        "process_seconds": wall,
        "triplets_per_second": result["triplets_per_second"],
        "speed": result["speed"],
        "best_validation_ndcg@10": result["best_metric"],
        "base_validation_ndcg@10": result["base_metric"],
    }


def test_ndcg(model_path: str, data: Path) -> dict[str, float]:
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.evaluation import (
        InformationRetrievalEvaluator,
    )

    from embedtune.train.data import load_ir_split

    model = SentenceTransformer(model_path, device="cpu")
    scores = {}
    for split in ("test", "test-gold"):
        if not (data / "ir" / split).is_dir():
            continue
        ir = load_ir_split(data, split)
        ev = InformationRetrievalEvaluator(
            ir.queries, ir.corpus, ir.relevant, name=split, write_csv=False
        )
        metrics = ev(model)
        scores[split] = round(float(metrics[f"{split}_cosine_ndcg@10"]), 4)
    return scores


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from embedtune.train.speed import cpu_flags

    return {
        "cpu": cpu,
        "cores": len(os.sched_getaffinity(0)),
        "bf16_flags": sorted(cpu_flags() & {"avx512_bf16", "amx_bf16"}),
        "load_average_at_start": os.getloadavg(),
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--data", type=Path, default=Path("/tmp/demo-prep"))
    parser.add_argument("--model", default="all-MiniLM-L6-v2")
    parser.add_argument("--train-limit", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--work", type=Path, default=Path("/tmp/embedtune-train-speed"))
    parser.add_argument("--embedtune-args", default="", help="extra flags for embedtune train")
    parser.add_argument("--json-out", type=Path, default=None)
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")

    from embedtune.models.registry import resolve_model

    model_path = resolve_model(args.model).location
    args.work.mkdir(parents=True, exist_ok=True)
    data = limited_copy(args.data, args.train_limit, args.work / "data")
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": machine(),
        "model": args.model,
        "rounds": [],
    }
    report["base_test_ndcg@10"] = test_ndcg(model_path, data)
    for r in range(args.rounds):
        order = ["plain", "embedtune"] if r % 2 == 0 else ["embedtune", "plain"]
        results: dict[str, Any] = {}
        for variant in order:
            out = args.work / f"{variant}-{r}"
            print(f"round {r}: {variant} ...", file=sys.stderr, flush=True)
            if variant == "plain":
                results[variant] = run_plain(data, model_path, out)
            else:
                extra = args.embedtune_args.split()
                results[variant] = run_embedtune(data, args.model, out, extra)
            results[variant]["test_ndcg@10"] = test_ndcg(str(out), data)
            results[variant]["load_average_after"] = os.getloadavg()
            print(json.dumps({variant: results[variant]}), file=sys.stderr, flush=True)
        results["speedup"] = round(
            results["embedtune"]["triplets_per_second"] / results["plain"]["triplets_per_second"], 3
        )
        report["rounds"].append(results)
    text = json.dumps(report, indent=2)
    print(text)
    if args.json_out:
        args.json_out.write_text(text + "\n")


if __name__ == "__main__":
    main()
