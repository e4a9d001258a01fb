"""A teacher for domain adaptation (issue 16, "what to build" item 2), measured before it is built.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/teacher_compare.py RUN BEIR_DIR [BEIR_DIR ...]
        [--variants mnrl,margin,inbatch+margin] [--teacher all-mpnet-base-v2] [--out DIR]

RUN is an ``embedtune run`` folder: its prepared triplets (``RUN/data/triplets``, the splits the
run trained on: ``RUN/run_state.json`` or ``--splits``) are trained on again here, from
all-MiniLM-L6-v2, once per variant, with the same budget (1 epoch, batch 16, lr 2e-5, 10%
warm-up, no duplicate texts in a batch, seed 42), and each model is scored with
``evaluate_retrieval`` on every BEIR folder (nDCG@10 over the whole corpus). Variants:

- ``mnrl``: MultipleNegativesRankingLoss on (query, positive, hard negative): the default loss.
- ``margin``: GPL's MarginMSE: the student's margin ``s(q, pos) - s(q, neg)`` is fitted to the
  teacher's (cosine similarities of ``--teacher``; both sides times MNRL's scale 20, so the loss
  is in logit units). A pair the teacher finds equally relevant (a second posting of the same
  role mined as a "hard negative") is not pushed apart.
- ``inbatch+margin``: MNRL with in-batch negatives only (the hard negative leaves the softmax)
  plus the MarginMSE term on the hard negative.

One JSON line per (variant, folder) on stdout; the teacher's own zero-shot score comes first.
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

SCALE = 20.0  # MultipleNegativesRankingLoss's default scale: margins in its logit units
VARIANTS = ("mnrl", "margin", "inbatch+margin")


def teacher_margins(
    encode: Any, anchors: list[str], positives: list[str], negatives: list[str]
) -> np.ndarray:
    """``cos(q, pos) - cos(q, neg)`` per row; ``encode(texts)`` returns unit rows. Each distinct
    text is encoded once.

    >>> vec = {"q": [1.0, 0.0], "a": [1.0, 0.0], "b": [0.0, 1.0]}
    >>> enc = lambda texts: np.array([vec[t] for t in texts])
    >>> teacher_margins(enc, ["q", "q"], ["a", "b"], ["b", "a"]).tolist()
    [1.0, -1.0]
    """
    texts = sorted(set(anchors) | set(positives) | set(negatives))
    where = {t: i for i, t in enumerate(texts)}
    emb = np.asarray(encode(texts), dtype=np.float32)

    def rows(column: list[str]) -> np.ndarray:
        return emb[[where[t] for t in column]]

    q, p, n = rows(anchors), rows(positives), rows(negatives)
    return np.einsum("ij,ij->i", q, p) - np.einsum("ij,ij->i", q, n)


def make_loss(variant: str, model: Any) -> Any:
    """The training loss of ``variant`` for ``model``."""
    import torch
    from torch import nn

    from embedtune.train.losses import build_loss

    if variant == "mnrl":
        return build_loss("mnrl", model, negatives=1)  # the run's own loss (scale 20 = SCALE)

    class MarginLoss(nn.Module):
        """MarginMSE in logit units, plus (``in_batch``) MNRL over the batch's positives."""

        def __init__(self, model: Any, in_batch: bool) -> None:
            super().__init__()
            self.model = model
            self.in_batch = in_batch

        def forward(self, features: list[dict[str, Any]], labels: torch.Tensor) -> torch.Tensor:
            q, p, n = (
                nn.functional.normalize(self.model(f)["sentence_embedding"], dim=-1)
                for f in features
            )
            student = SCALE * ((q * p).sum(-1) - (q * n).sum(-1))
            loss = nn.functional.mse_loss(student, SCALE * labels.to(student.dtype))
            if self.in_batch:
                logits = SCALE * q @ p.T
                target = torch.arange(len(q), device=q.device)
                loss = loss + nn.functional.cross_entropy(logits, target)
            return loss

    return MarginLoss(model, in_batch=variant == "inbatch+margin")


def train_variant(variant: str, train: Any, base: str, out: Path, *, bf16: bool) -> Any:
    """all-MiniLM-L6-v2 trained on ``train`` with ``variant``'s loss; returns the model."""
    from sentence_transformers import (
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
    )
    from sentence_transformers.base.sampler import BatchSamplers

    from embedtune.models.loading import load_model

    model = load_model(base, device="cpu")
    columns = ["anchor", "positive", "negative"] + ([] if variant == "mnrl" else ["label"])
    args = SentenceTransformerTrainingArguments(
        output_dir=str(out / f"{variant}.checkpoints"),
        num_train_epochs=1,
        per_device_train_batch_size=16,
        learning_rate=2e-5,
        warmup_steps=0.1,
        batch_sampler=BatchSamplers.NO_DUPLICATES,
        save_strategy="no",
        logging_steps=10,
        report_to="none",
        seed=42,
        data_seed=42,
        bf16=bf16,
        use_cpu=True,
        disable_tqdm=True,
    )
    trainer = SentenceTransformerTrainer(
        model=model,
        args=args,
        train_dataset=train.select_columns(columns),
        loss=make_loss(variant, model),
    )
    trainer.train()
    return model


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("run", type=Path, help="an embedtune run folder (its prepared triplets)")
    parser.add_argument("folders", nargs="+", help="BEIR folders to score")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--teacher", default="all-mpnet-base-v2")
    parser.add_argument("--base", default="all-MiniLM-L6-v2")
    parser.add_argument("--splits", default=None, help="comma-separated (default: the run's)")
    parser.add_argument("--bf16", action="store_true", help="train in bf16 (CPUs that have it)")
    parser.add_argument("--out", type=Path, default=Path("/tmp/embedtune-teacher"))
    args = parser.parse_args()

    from datasets import concatenate_datasets, load_from_disk

    from embedtune.evaluate import evaluate_retrieval, load_beir
    from embedtune.models.encoder import SentenceTransformerEncoder
    from embedtune.models.loading import load_model

    variants = args.variants.split(",")
    unknown = set(variants) - set(VARIANTS)
    if unknown:
        raise SystemExit(f"unknown variants {sorted(unknown)}; valid: {', '.join(VARIANTS)}")
    if args.splits:
        splits = args.splits.split(",")
    else:
        state = json.loads((args.run / "run_state.json").read_text())
        splits = state["stages"]["train"]["result"].get("train_on") or ["train"]
    data = load_from_disk(str(args.run / "data" / "triplets"))
    train = concatenate_datasets([data[s] for s in splits])
    beirs = {folder: load_beir(folder) for folder in args.folders}

    def score(name: str, model: Any, extra: dict[str, Any]) -> None:
        encoder = SentenceTransformerEncoder(model)
        for folder, beir in beirs.items():
            ndcg = evaluate_retrieval(encoder, beir).metrics["ndcg@10"]
            row = {"variant": name, "folder": folder, "ndcg@10": round(ndcg, 4), **extra}
            print(json.dumps(row), flush=True)

    teacher = load_model(args.teacher, device="cpu")
    score(f"teacher {args.teacher} (zero-shot)", teacher, {"rows": len(train)})
    if any(v != "mnrl" for v in variants):
        start = time.perf_counter()
        margins = teacher_margins(
            functools.partial(teacher.encode, batch_size=32, normalize_embeddings=True),
            train["anchor"],
            train["positive"],
            train["negative"],
        )
        train = train.add_column("label", margins.astype(np.float32).tolist())
        print(
            json.dumps(
                {
                    "margin_seconds": round(time.perf_counter() - start, 1),
                    "margin_mean": round(float(margins.mean()), 4),
                    "margin_below_0.02": round(float((margins < 0.02).mean()), 3),
                }
            ),
            flush=True,
        )
    del teacher
    for variant in variants:
        start = time.perf_counter()
        model = train_variant(variant, train, args.base, args.out, bf16=args.bf16)
        seconds = round(time.perf_counter() - start, 1)
        score(variant, model, {"train_seconds": seconds, "splits": splits})


if __name__ == "__main__":
    main()
